//! Orders as the customer's and the staff's pages show them.

use crate::clock::format_unix;
use crate::db::orders::Order;
use crate::domain::{Money, OrderId, OrderStatus, PaymentState, PaymentStatus, ProductId};
use crate::orders::detail::OrderDetail;

pub struct OrderSummary {
    pub id: OrderId,
    pub date: String,
    pub status: &'static str,
    pub status_key: &'static str,
    pub total: String,
}

impl OrderSummary {
    pub fn new(o: &Order) -> Self {
        Self {
            id: o.id,
            date: format_unix(o.created_at),
            status: o.status.label(),
            status_key: o.status.as_str(),
            total: o.total.display(&o.currency),
        }
    }
}

pub struct OrderLineView {
    pub name: String,
    pub sku: String,
    pub product_id: ProductId,
    pub unit_price: String,
    pub quantity: i64,
    pub total: String,
    pub vat_percent: i64,
    /// What discounts took off the line (empty: none).
    pub discount: String,
}

/// A discount line of a cart or an order.
pub struct DiscountLineView {
    pub label: String,
    pub amount: String,
}

/// One VAT rate's part of a total, formatted.
pub struct VatView {
    pub percent: i64,
    pub net: String,
    pub vat: String,
}

pub fn vat_views(lines: &[crate::orders::pricing::VatLine], currency: &str) -> Vec<VatView> {
    lines
        .iter()
        .map(|v| VatView {
            percent: v.percent,
            net: Money::from_cents(v.net_cents).display(currency),
            vat: Money::from_cents(v.vat_cents).display(currency),
        })
        .collect()
}

/// A credit note as order and invoice pages list it.
pub struct CreditNoteView {
    pub number: String,
    pub date: String,
    pub amount: String,
}

pub struct EventView {
    pub when: String,
    pub status: &'static str,
    pub note: String,
}

/// Everything an order page shows (customer and staff).
pub struct OrderView {
    pub summary: OrderSummary,
    pub customer: String,
    pub email: String,
    pub address: String,
    /// The billing address when it is not the delivery address.
    pub billing: Option<String>,
    /// How it ships ("Express delivery").
    pub shipping_method: Option<String>,
    pub payment: String,
    pub tracking: Option<String>,
    pub lines: Vec<OrderLineView>,
    pub events: Vec<EventView>,
    pub subtotal: String,
    pub discounts: Vec<DiscountLineView>,
    pub shipping: String,
    pub total: String,
    pub net: String,
    pub vat: String,
    /// Net and VAT per rate.
    pub vat_lines: Vec<VatView>,
    pub can_cancel: bool,
    pub can_refund: bool,
    /// Paid (and not refunded): cancelling refunds.
    pub was_paid: bool,
    /// Shipped or delivered: the goods are with the customer.
    pub shipped: bool,
    /// Units in the order (what cancelling puts back into stock).
    pub units: i64,
    pub invoice_number: Option<String>,
    /// The statuses staff may move the order on to (cancel and refund have their own pages).
    pub next: Vec<OrderStatus>,
    /// Paid, shipped or delivered: its products may be rated.
    pub reviewable: bool,
    /// Why the staff must look at the payment (staff pages only show it).
    pub attention: Option<String>,
    pub credit_notes: Vec<CreditNoteView>,
    /// What is still paid after the credit notes (shown when there are some).
    pub still_paid: String,
    /// Lines with units not credited yet (the staff refund form's rows).
    pub refundable: Vec<RefundableLine>,
    /// The shipping, when it was charged and not credited yet.
    pub shipping_refundable: Option<String>,
}

/// A line the staff may still refund units of.
pub struct RefundableLine {
    pub id: i64,
    pub name: String,
    pub sku: String,
    pub unit_price: String,
    pub left: i64,
}

impl OrderView {
    pub fn new(d: OrderDetail) -> Self {
        let o = d.order;
        let money = |m: Money| m.display(&o.currency);
        let state = d.payment.as_ref().map(|p| p.state);
        let payment = match (&o.card_brand, &o.card_last4) {
            (Some(b), Some(l)) if o.payment_status == PaymentStatus::Refunded => {
                format!("{b} •••• {l} (refunded)")
            }
            (Some(b), Some(l)) if o.payment_status == PaymentStatus::Paid => {
                format!("{b} •••• {l}")
            }
            (Some(b), Some(l)) => match state {
                Some(PaymentState::Voided) => format!("{b} •••• {l} (released, nothing taken)"),
                _ => format!("{b} •••• {l} (authorised, not taken yet)"),
            },
            _ => "Not paid".into(),
        };
        let units = d.lines.iter().map(|l| l.quantity).sum();
        let credited: i64 = d.credit_notes.iter().map(|c| c.total_cents).sum();
        let credit_notes = d
            .credit_notes
            .iter()
            .map(|c| CreditNoteView {
                number: c.number.clone(),
                date: format_unix(c.issued_at),
                amount: money(Money::from_cents(c.total_cents)),
            })
            .collect();
        let refundable = d
            .lines
            .iter()
            .filter(|l| l.quantity > l.refunded_quantity)
            .map(|l| RefundableLine {
                id: l.id,
                name: l.name.clone(),
                sku: l.sku.clone(),
                unit_price: money(l.unit_price),
                left: l.quantity - l.refunded_quantity,
            })
            .collect();
        let vat_lines = vat_views(&crate::orders::detail::vat_lines(&o, &d.lines), &o.currency);
        Self {
            summary: OrderSummary::new(&o),
            units,
            can_refund: o.status.can_move_to(OrderStatus::Refunded),
            was_paid: o.payment_status == PaymentStatus::Paid,
            shipped: matches!(o.status, OrderStatus::Shipped | OrderStatus::Delivered),
            lines: d
                .lines
                .into_iter()
                .map(|l| OrderLineView {
                    unit_price: money(l.unit_price),
                    total: money(l.line_total),
                    discount: if l.discount.cents() == 0 {
                        String::new()
                    } else {
                        money(l.discount)
                    },
                    name: l.name,
                    sku: l.sku,
                    product_id: l.product_id,
                    quantity: l.quantity,
                    vat_percent: l.vat_percent,
                })
                .collect(),
            events: d
                .events
                .into_iter()
                .map(|e| EventView {
                    when: format_unix(e.at),
                    status: e.status.label(),
                    note: e.note,
                })
                .collect(),
            subtotal: money(o.subtotal),
            discounts: d
                .discounts
                .iter()
                .map(|x| DiscountLineView {
                    label: x.label.clone(),
                    amount: money(x.amount),
                })
                .collect(),
            shipping: money(o.shipping),
            total: money(o.total),
            net: money(o.net),
            vat: money(o.vat),
            vat_lines,
            can_cancel: o.status.can_move_to(OrderStatus::Cancelled),
            invoice_number: d.invoice_number,
            next: o
                .status
                .next()
                .into_iter()
                .filter(|s| !matches!(s, OrderStatus::Cancelled | OrderStatus::Refunded))
                .collect(),
            reviewable: matches!(
                o.status,
                OrderStatus::Paid | OrderStatus::Shipped | OrderStatus::Delivered
            ),
            payment,
            attention: d.payment.and_then(|p| p.attention),
            credit_notes,
            still_paid: money(Money::from_cents(o.total.cents() - credited)),
            refundable,
            shipping_refundable: (o.shipping.cents() > 0 && !o.shipping_refunded.0)
                .then(|| money(o.shipping)),
            customer: o.customer_name,
            email: o.email,
            address: o.shipping_address,
            billing: o.billing_address,
            shipping_method: o
                .shipping_method
                .as_deref()
                .map(|m| crate::shipping::method_label(m).to_string()),
            tracking: o.tracking_number,
        }
    }
}
