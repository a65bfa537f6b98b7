//! Issuing credit notes: a staff refund of chosen lines (and shipping), and the credit of
//! whatever is left when a paid order is cancelled or refunded whole.

use std::collections::HashMap;

use anyhow::Context;
use serde::Deserialize;

use super::amounts::credit_vat;
use crate::db::audit::{self, Entry};
use crate::db::credit_notes::{self, NewCreditNote};
use crate::db::orders::{self as db, Order, OrderLine, PaymentRecord};
use crate::db::{Tx, invoices};
use crate::domain::{FieldErrors, Money, OrderId, OrderStatus, PaymentStatus, UserId};
use crate::email::messages::{self, OrderNews};
use crate::email::queue;
use crate::orders::OrderError;
use crate::orders::invoice::{DocumentKind, InvoiceLine, Snapshot};
use crate::payments::settle;
use crate::state::AppState;

/// The refund form as posted: `qty_<line id>` for each line, `shipping` and `restock`
/// (checkboxes), `reason`.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct RefundInput {
    #[serde(flatten)]
    pub fields: HashMap<String, String>,
}

impl RefundInput {
    fn get(&self, key: &str) -> &str {
        self.fields.get(key).map(|s| s.trim()).unwrap_or("")
    }

    fn checked(&self, key: &str) -> bool {
        matches!(self.get(key), "on" | "true" | "1" | "yes")
    }
}

/// What to credit: units of lines, and the shipping.
struct Credit<'a> {
    lines: Vec<(&'a OrderLine, i64)>,
    shipping: bool,
}

pub const REASON_MAX: usize = 200;

/// Reads the form against the order's lines: each quantity 0 to what is left of its line.
fn parse<'a>(
    input: &RefundInput,
    lines: &'a [OrderLine],
    shipping_left: bool,
) -> Result<(Credit<'a>, bool, Option<String>), FieldErrors> {
    let mut e = FieldErrors::new();
    let mut credit = Credit {
        lines: Vec::new(),
        shipping: shipping_left && input.checked("shipping"),
    };
    for l in lines {
        let key = format!("qty_{}", l.id);
        let raw = input.get(&key);
        let left = l.quantity - l.refunded_quantity;
        let q = if raw.is_empty() {
            0
        } else {
            match raw.parse::<i64>() {
                Ok(q) if (0..=left).contains(&q) => q,
                _ => {
                    e.add(
                        &key,
                        format!("Refund between 0 and {left} of \u{201c}{}\u{201d}.", l.name),
                    );
                    0
                }
            }
        };
        if q > 0 {
            credit.lines.push((l, q));
        }
    }
    let reason = input.get("reason");
    if reason.chars().count() > REASON_MAX || reason.chars().any(char::is_control) {
        e.add(
            "reason",
            format!("The reason can be at most {REASON_MAX} characters on one line."),
        );
    }
    if e.is_empty() && credit.lines.is_empty() && !credit.shipping {
        e.add(
            "refund",
            "Choose at least one unit or the shipping to refund.",
        );
    }
    if !e.is_empty() {
        return Err(e);
    }
    let reason = (!reason.is_empty()).then(|| reason.to_string());
    Ok((credit, input.checked("restock"), reason))
}

/// A credit note as issued.
pub struct Issued {
    pub id: i64,
    pub number: String,
    pub total: Money,
}

/// What `q` more units of a line give back: the line's charged total (after its discounts)
/// shared per unit, in whole cents, so crediting every unit returns exactly what was charged.
/// (`before`: the units credited by earlier credit notes.)
fn credited(l: &OrderLine, before: i64, q: i64) -> i64 {
    let upto = |k: i64| {
        let share =
            i128::from(l.line_total.cents()) * i128::from(k) / i128::from(l.quantity.max(1));
        i64::try_from(share).unwrap_or(0)
    };
    upto(before + q) - upto(before)
}

/// Numbers, builds and stores the credit note of `credit`, inside the refund's transaction.
/// Seller, buyer and payment are the invoice's; VAT per rate is exact against the invoice and
/// the order's earlier credit notes (`amounts`).
async fn issue(
    tx: &mut Tx,
    state: &AppState,
    order: &Order,
    credit: &Credit<'_>,
    reason: Option<String>,
    now: i64,
) -> Result<Issued, OrderError> {
    let invoice_row = invoices::for_order(&mut **tx, order.id)
        .await?
        .ok_or_else(|| OrderError::NotAllowed("This order has no invoice to credit.".into()))?;
    let invoice: Snapshot = serde_json::from_str(&invoice_row.snapshot)
        .context("the invoice snapshot is unreadable")?;
    let mut earlier = Vec::new();
    for row in credit_notes::for_order(&mut **tx, order.id).await? {
        earlier.extend(super::snapshot_of(&row)?.vat_breakdown());
    }
    let shipping_cents = if credit.shipping {
        order.shipping.cents()
    } else {
        0
    };
    // What earlier credit notes took of each line, read under the order's lock (this credit's
    // units are already counted in it).
    let fresh = db::lines(&mut **tx, order.id).await?;
    let before = |l: &OrderLine, q: i64| {
        fresh
            .iter()
            .find(|f| f.id == l.id)
            .map_or(l.refunded_quantity, |f| f.refunded_quantity - q)
    };
    let lines: Vec<InvoiceLine> = credit
        .lines
        .iter()
        .map(|(l, q)| {
            let credited = credited(l, before(l, *q), *q);
            InvoiceLine {
                product_id: l.product_id,
                sku: l.sku.clone(),
                name: l.name.clone(),
                unit_price_cents: l.unit_price.cents(),
                quantity: *q,
                line_total_cents: credited,
                vat_percent: Some(l.vat_percent),
                discount_cents: l.unit_price.cents() * q - credited,
            }
        })
        .collect();
    let vat_lines = credit_vat(
        &earlier,
        lines
            .iter()
            .map(|l| {
                (
                    l.vat_percent.unwrap_or(order.vat_percent),
                    l.line_total_cents,
                )
            })
            .chain([(order.shipping_vat_percent, shipping_cents)]),
    );
    let charged: i64 = lines.iter().map(|l| l.line_total_cents).sum();
    let discount: i64 = lines.iter().map(|l| l.discount_cents).sum();
    let year = i64::from(state.clock.now().year());
    let seq = credit_notes::next_seq(tx, year).await?;
    let snapshot = Snapshot {
        kind: DocumentKind::CreditNote,
        number: format!("CN-{year}-{seq:06}"),
        issued_at: now,
        order_id: order.id,
        seller: invoice.seller,
        buyer: invoice.buyer,
        currency: invoice.currency,
        vat_percent: order.vat_percent,
        lines,
        subtotal_cents: charged + discount,
        shipping_cents,
        net_cents: vat_lines.iter().map(|v| v.net_cents).sum(),
        vat_cents: vat_lines.iter().map(|v| v.vat_cents).sum(),
        total_cents: charged + shipping_cents,
        payment: invoice.payment,
        vat_lines,
        credits_invoice: Some(invoice.number),
        reason,
        shipping_vat_percent: Some(order.shipping_vat_percent),
        discount_cents: discount,
        discounts: Vec::new(),
        buyer_country: invoice.buyer_country,
    };
    let json = serde_json::to_string(&snapshot).context("serialise the credit note")?;
    let id = credit_notes::insert(
        tx,
        &NewCreditNote {
            order: order.id,
            number: &snapshot.number,
            issued_at: now,
            total_cents: snapshot.total_cents,
            snapshot: &json,
        },
    )
    .await?;
    Ok(Issued {
        id,
        number: snapshot.number,
        total: Money::from_cents(snapshot.total_cents),
    })
}

/// Credits everything of a paid order not credited yet (its cancellation or full refund),
/// inside that move's transaction; None when nothing is left.
pub async fn credit_rest(
    tx: &mut Tx,
    state: &AppState,
    order: &Order,
    reason: &str,
    now: i64,
) -> Result<Option<Issued>, OrderError> {
    let lines = db::lines(&mut **tx, order.id).await?;
    let mut credit = Credit {
        lines: Vec::new(),
        shipping: order.shipping.cents() > 0 && credit_notes::credit_shipping(tx, order.id).await?,
    };
    for l in &lines {
        let left = l.quantity - l.refunded_quantity;
        if left > 0 && credit_notes::credit_line(tx, order.id, l.id, left).await? {
            credit.lines.push((l, left));
        }
    }
    if credit.lines.is_empty() && !credit.shipping {
        return Ok(None);
    }
    Ok(Some(
        issue(tx, state, order, &credit, Some(reason.to_string()), now).await?,
    ))
}

/// A staff refund of chosen lines and quantities (and optionally the shipping). When it
/// leaves nothing uncredited, the order becomes refunded. Returns the credit note's number.
#[tracing::instrument(name = "refund", skip_all, fields(%order_id))]
pub async fn refund(
    state: &AppState,
    staff: UserId,
    order_id: OrderId,
    input: &RefundInput,
) -> Result<String, OrderError> {
    let pool = state.db.pool();
    let order = db::find(pool, order_id)
        .await?
        .ok_or(OrderError::NotFound)?;
    if order.payment_status != PaymentStatus::Paid
        || !matches!(
            order.status,
            OrderStatus::Paid | OrderStatus::Shipped | OrderStatus::Delivered
        )
    {
        return Err(OrderError::NotAllowed(format!(
            "Only a paid order can be refunded; this one is {}.",
            order.status.label().to_lowercase()
        )));
    }
    let lines = db::lines(pool, order_id).await?;
    let shipping_left =
        order.shipping.cents() > 0 && !credit_notes::shipping_credited(pool, order_id).await?;
    let (credit, restock, reason) = parse(input, &lines, shipping_left)?;
    let now = state.clock.unix();
    let mut tx = state.db.begin_write().await?;
    let changed = || {
        OrderError::NotAllowed("The order was refunded meanwhile; please look at it again.".into())
    };
    // One change of an order at a time (see `db::orders::lock`): the lines, the shipping and the
    // earlier credit notes read below are then the latest, and the status still the one read.
    db::lock(&mut tx, order_id).await?;
    if !db::is_in(&mut tx, order_id, order.status).await? {
        tx.rollback().await?;
        return Err(changed());
    }
    for (l, q) in &credit.lines {
        if !credit_notes::credit_line(&mut tx, order_id, l.id, *q).await? {
            tx.rollback().await?;
            return Err(changed());
        }
    }
    if restock {
        let units: Vec<_> = credit
            .lines
            .iter()
            .map(|(l, q)| (l.product_id, l.variant_id, *q))
            .collect();
        db::put_back_all(&mut tx, &units).await?;
    }
    if credit.shipping && !credit_notes::credit_shipping(&mut tx, order_id).await? {
        tx.rollback().await?;
        return Err(changed());
    }
    let note = issue(&mut tx, state, &order, &credit, reason.clone(), now).await?;
    let everything = db::lines(&mut *tx, order_id)
        .await?
        .iter()
        .all(|l| l.refunded_quantity == l.quantity)
        && (order.shipping.cents() == 0 || shipping_left == credit.shipping);
    if everything {
        let from = [
            OrderStatus::Paid,
            OrderStatus::Shipped,
            OrderStatus::Delivered,
        ];
        if !db::transition(&mut tx, order_id, &from, OrderStatus::Refunded, now).await? {
            tx.rollback().await?;
            return Err(changed());
        }
        db::set_payment_status(&mut tx, order_id, PaymentStatus::Refunded).await?;
    }
    let amount = note.total.display(&order.currency);
    let status = if everything {
        OrderStatus::Refunded
    } else {
        order.status
    };
    let event = format!(
        "Refunded {amount}: credit note {}{}",
        note.number,
        reason.map(|r| format!(" ({r})")).unwrap_or_default()
    );
    db::add_event(&mut tx, order_id, status, &event, Some(staff), now).await?;
    let record = PaymentRecord::of(&order, "refunded", note.total);
    db::record_payment(&mut *tx, &record, now).await?;
    let details = format!(
        "credit note {}: {amount}{}",
        note.number,
        if restock { ", goods back in stock" } else { "" }
    );
    let entry = Entry {
        actor: Some(staff),
        action: "refund",
        entity: "order",
        entity_id: Some(order_id.get()),
        details: &details,
    };
    audit::record(&mut tx, &entry, now).await?;
    let news = if everything {
        OrderNews::Refunded {
            amount: &amount,
            credit_note: Some(&note.number),
        }
    } else {
        OrderNews::PartlyRefunded {
            amount: &amount,
            credit_note: &note.number,
        }
    };
    mail(&mut tx, state, &order, news, Some(&note), now).await?;
    tx.commit().await?;
    tracing::info!(%order_id, credit_note = %note.number, cents = note.total.cents(), "refunded");
    if restock {
        crate::catalog::changed(state, false).await;
    }
    state.mail_wakeup.wake();
    let key = format!("refund-{}", note.number);
    settle::refund(state, &order, note.total, &key).await?;
    Ok(note.number)
}

/// The attachment spec of a credit note in the mail queue.
pub fn attachment_spec(id: i64) -> String {
    format!("credit-note:{id}")
}

/// Queues the mail about the order's news, with the credit note attached when there is one.
pub async fn mail(
    tx: &mut Tx,
    state: &AppState,
    order: &Order,
    news: OrderNews<'_>,
    note: Option<&Issued>,
    now: i64,
) -> Result<(), OrderError> {
    let path = crate::orders::mail_path(tx, order.id, order.user_id.is_none(), now).await?;
    let content = messages::order_status_changed(
        &state.settings.server.base_url,
        &path,
        &order.customer_name,
        order.id,
        news,
    );
    let attachment = note.map(|n| attachment_spec(n.id));
    queue::enqueue(tx, &order.email, &content, attachment.as_deref(), now).await?;
    Ok(())
}
