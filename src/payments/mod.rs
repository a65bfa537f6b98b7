//! Taking and giving back money. The order of steps is what keeps a card from being charged
//! without an order, and an order from being paid without money:
//!
//! 1. checkout **authorises** the total before its transaction (nothing is taken yet);
//! 2. the transaction commits the order, pending, with the authorisation's reference;
//!    if it fails, the authorisation is **voided** at once;
//! 3. after the commit the payment is **captured**; only then is the order marked paid, its
//!    invoice numbered and the confirmation mailed (`settle`). A capture that fails leaves the
//!    order pending and marked for the staff's attention;
//! 4. `emporium reconcile` (and the store itself, every few minutes) finds what a crash left
//!    between the steps: authorisations without an order are voided, committed orders whose
//!    capture never ran are captured (`reconcile`);
//! 5. cancelling voids an uncaptured authorisation; refunds go back through the gateway.

pub mod card;
pub mod gateway;
pub mod mock;
pub mod reconcile;
pub mod settle;

pub use card::{Card, Decline};
pub use gateway::{GatewayError, PaymentGateway};
