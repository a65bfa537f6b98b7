//! The mock payment service: no money moves, but it keeps a ledger in the store's database as a
//! provider keeps its own (authorisations and the calls made on them, by idempotency key), so
//! reconciliation and failures between the steps can be tested for real.
//!
//! Test cards (any other Luhn-valid number is authorised and captured):
//! `4000 0000 0000 0002` declined, `4000 0000 0000 9995` insufficient funds,
//! `4000 0000 0000 0341` authorised but every capture fails,
//! `4000 0000 0000 0259` authorised, and its first capture takes 30 s (to test a crash between
//! the order's commit and the capture).

use std::time::Duration;

use super::card::{Card, Decline};
use super::gateway::{GatewayError, GatewayFuture, OpenAuthorisation, PaymentGateway};
use crate::clock::Clock;
use crate::db::Db;
use crate::db::mock_gateway::{self as ledger, NewAuthorisation, Operation};
use crate::domain::Money;

pub const DECLINED: &str = "4000000000000002";
pub const INSUFFICIENT_FUNDS: &str = "4000000000009995";
pub const CAPTURE_FAILS: &str = "4000000000000341";
pub const SLOW_CAPTURE: &str = "4000000000000259";
pub const TEST_CARDS: [&str; 4] = [DECLINED, INSUFFICIENT_FUNDS, CAPTURE_FAILS, SLOW_CAPTURE];

/// How long the slow-capture card's first capture waits.
const SLOW: Duration = Duration::from_secs(30);

pub struct MockGateway {
    db: Db,
    clock: Clock,
}

impl MockGateway {
    pub fn new(db: Db, clock: Clock) -> Self {
        Self { db, clock }
    }

    /// Runs one call in a write transaction: the ledger row and the call's record change
    /// together, and a repeated key finds the first call's outcome.
    async fn operate(
        &self,
        reference: &str,
        key: &str,
        kind: &'static str,
        amount: i64,
        decide: impl FnOnce(&ledger::Authorisation) -> Result<Option<(&'static str, i64)>, String>,
    ) -> Result<(), GatewayError> {
        let now = self.clock.unix();
        let mut tx = self.db.begin_write().await.map_err(unavailable)?;
        // Calls on one authorisation run one after the other (its row is locked first).
        ledger::lock(&mut tx, reference)
            .await
            .map_err(unavailable)?;
        if let Some(outcome) = ledger::operation(&mut *tx, key)
            .await
            .map_err(unavailable)?
        {
            return answer(&outcome);
        }
        let Some(auth) = ledger::find(&mut *tx, reference)
            .await
            .map_err(unavailable)?
        else {
            return Err(GatewayError::Refused("no_such_authorisation".into()));
        };
        let outcome = match decide(&auth) {
            Ok(Some((state, captured))) => {
                ledger::settle(&mut tx, reference, state, captured, now)
                    .await
                    .map_err(unavailable)?;
                "succeeded".to_string()
            }
            Ok(None) => "succeeded".to_string(),
            Err(refusal) => refusal,
        };
        if kind == "refund" && outcome == "succeeded" {
            ledger::add_refund(&mut tx, reference, amount, now)
                .await
                .map_err(unavailable)?;
        }
        let op = Operation {
            key,
            authorisation: reference,
            kind,
            amount_cents: amount,
            outcome: &outcome,
        };
        ledger::add_operation(&mut tx, &op, now)
            .await
            .map_err(unavailable)?;
        tx.commit().await.map_err(unavailable)?;
        answer(&outcome)
    }
}

fn unavailable(e: sqlx::Error) -> GatewayError {
    GatewayError::Unavailable(anyhow::Error::new(e).context("the mock gateway's ledger"))
}

fn answer(outcome: &str) -> Result<(), GatewayError> {
    match outcome {
        "succeeded" => Ok(()),
        other => Err(GatewayError::Refused(other.to_string())),
    }
}

impl PaymentGateway for MockGateway {
    fn authorise<'a>(
        &'a self,
        card: &'a Card,
        amount: Money,
        key: &'a str,
    ) -> GatewayFuture<'a, String> {
        Box::pin(async move {
            let decline = match card.number() {
                DECLINED => Some(Decline::Declined),
                INSUFFICIENT_FUNDS => Some(Decline::InsufficientFunds),
                _ => None,
            };
            let behaviour = match card.number() {
                CAPTURE_FAILS => "capture_fails",
                SLOW_CAPTURE => "capture_slow",
                _ => "normal",
            };
            let id = format!("mock_auth_{}", hex::encode(rand::random::<[u8; 12]>()));
            let row = NewAuthorisation {
                id: &id,
                key,
                state: if decline.is_some() {
                    "declined"
                } else {
                    "authorised"
                },
                decline: decline.map(Decline::as_str),
                amount_cents: amount.cents(),
                brand: card.brand,
                last4: &card.last4,
                behaviour,
            };
            let mut tx = self.db.begin_write().await.map_err(unavailable)?;
            let auth = ledger::authorise(&mut tx, &row, self.clock.unix())
                .await
                .map_err(unavailable)?;
            tx.commit().await.map_err(unavailable)?;
            match auth.decline.as_deref() {
                Some("insufficient_funds") => {
                    Err(GatewayError::Declined(Decline::InsufficientFunds))
                }
                Some(_) => Err(GatewayError::Declined(Decline::Declined)),
                None => Ok(auth.id),
            }
        })
    }

    fn capture<'a>(
        &'a self,
        reference: &'a str,
        amount: Money,
        key: &'a str,
    ) -> GatewayFuture<'a, ()> {
        Box::pin(async move {
            if ledger::take_slow_capture(self.db.pool(), reference)
                .await
                .map_err(unavailable)?
            {
                tokio::time::sleep(SLOW).await;
            }
            let cents = amount.cents();
            self.operate(reference, key, "capture", cents, |a| {
                match a.state.as_str() {
                    "authorised" if a.behaviour == "capture_fails" => Err("capture_failed".into()),
                    "authorised" if cents > a.amount_cents => Err("amount_too_large".into()),
                    "authorised" => Ok(Some(("captured", cents))),
                    // The same capture under another key: already done.
                    "captured" if a.captured_cents == cents => Ok(None),
                    other => Err(format!("authorisation_{other}")),
                }
            })
            .await
        })
    }

    fn void<'a>(&'a self, reference: &'a str, key: &'a str) -> GatewayFuture<'a, ()> {
        Box::pin(async move {
            self.operate(reference, key, "void", 0, |a| match a.state.as_str() {
                "authorised" => Ok(Some(("voided", 0))),
                "voided" => Ok(None),
                other => Err(format!("authorisation_{other}")),
            })
            .await
        })
    }

    fn refund<'a>(
        &'a self,
        reference: &'a str,
        amount: Money,
        key: &'a str,
    ) -> GatewayFuture<'a, ()> {
        Box::pin(async move {
            let cents = amount.cents();
            self.operate(reference, key, "refund", cents, |a| {
                if a.state != "captured" {
                    Err("not_captured".into())
                } else if cents <= 0 || a.refunded_cents + cents > a.captured_cents {
                    Err("more_than_captured".into())
                } else {
                    Ok(None)
                }
            })
            .await
        })
    }

    fn open_authorisations(&self, before: i64) -> GatewayFuture<'_, Vec<OpenAuthorisation>> {
        Box::pin(async move {
            let rows = ledger::open(self.db.pool(), before)
                .await
                .map_err(unavailable)?;
            Ok(rows
                .into_iter()
                .map(|a| OpenAuthorisation {
                    reference: a.id,
                    amount: Money::from_cents(a.amount_cents),
                    created_at: a.created_at,
                })
                .collect())
        })
    }
}
