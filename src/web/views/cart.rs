//! The cart as its page and the checkout page show it.

use crate::domain::{Money, ProductId};
use crate::http::media_url;
use crate::orders::cart::CartView;
use crate::state::AppState;

pub struct CartLineView {
    pub product_id: ProductId,
    pub name: String,
    pub sku: String,
    pub brand: String,
    pub thumb: Option<String>,
    pub unit_price: String,
    pub quantity: i64,
    pub line_total: String,
    pub problem: Option<String>,
}

/// A cart as pages show it: lines and totals formatted in the shop's currency.
pub struct CartSummary {
    pub lines: Vec<CartLineView>,
    pub items: i64,
    pub subtotal: String,
    pub shipping: String,
    pub total: String,
    pub vat: String,
    /// The VAT included, per rate.
    pub vat_lines: Vec<super::orders::VatView>,
    pub free_shipping_from: String,
    pub blocked: bool,
}

impl CartSummary {
    pub fn new(view: CartView, state: &AppState) -> Self {
        let c = state.settings.store.currency.as_str();
        Self {
            items: view.items,
            subtotal: view.totals.subtotal.display(c),
            shipping: view.totals.shipping.display(c),
            total: view.totals.total.display(c),
            vat: view.totals.vat.display(c),
            vat_lines: super::orders::vat_views(&view.totals.vat_lines, c),
            free_shipping_from: Money::from_cents(state.settings.store.free_shipping_over_cents)
                .display(c),
            blocked: view.blocked,
            lines: view
                .lines
                .into_iter()
                .map(|l| CartLineView {
                    product_id: l.product_id,
                    name: l.name,
                    sku: l.sku,
                    brand: l.brand,
                    thumb: l.thumb.as_deref().map(media_url),
                    unit_price: l.unit_price.display(c),
                    quantity: l.quantity,
                    line_total: l.line_total.display(c),
                    problem: l.problem,
                })
                .collect(),
        }
    }
}
