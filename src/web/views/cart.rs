//! The cart as its page and the checkout page show it.

use crate::domain::{Money, ProductId};
use crate::http::media_url;
use crate::orders::cart::CartView;
use crate::state::AppState;

pub struct CartLineView {
    pub product_id: ProductId,
    pub variant_id: i64,
    /// "M / Blue" (empty: no variant).
    pub variant: String,
    pub name: String,
    pub sku: String,
    pub brand: String,
    pub thumb: Option<String>,
    pub unit_price: String,
    pub quantity: i64,
    pub line_total: String,
    /// What promotions and the voucher take off the line (empty: nothing).
    pub discount: String,
    /// The promotion applied to the line.
    pub offer: Option<String>,
    pub problem: Option<String>,
}

/// A cart as pages show it: lines and totals formatted in the shop's currency.
pub struct CartSummary {
    pub lines: Vec<CartLineView>,
    pub items: i64,
    pub subtotal: String,
    /// The discount lines (promotions, then the voucher).
    pub discounts: Vec<super::orders::DiscountLineView>,
    /// The voucher code on the cart, and why it takes nothing off when it does not.
    pub voucher: Option<String>,
    pub voucher_problem: Option<String>,
    pub shipping: String,
    pub total: String,
    pub vat: String,
    /// The VAT included, per rate.
    pub vat_lines: Vec<super::orders::VatView>,
    /// From what basket value the shipping shown is free (none: never).
    pub free_shipping_from: Option<String>,
    /// The shipping method the totals hold ("Standard delivery").
    pub shipping_method: Option<String>,
    pub blocked: bool,
}

impl CartSummary {
    pub fn new(view: CartView, state: &AppState) -> Self {
        let c = state.settings.store.currency.as_str();
        Self {
            items: view.items,
            subtotal: view.totals.subtotal.display(c),
            discounts: view
                .discounts
                .iter()
                .map(|d| super::orders::DiscountLineView {
                    label: d.label.clone(),
                    amount: Money::from_cents(d.cents).display(c),
                })
                .collect(),
            voucher: view.voucher.clone(),
            voucher_problem: view.voucher_problem.clone(),
            shipping: view.totals.shipping.display(c),
            total: view.totals.total.display(c),
            vat: view.totals.vat.display(c),
            vat_lines: super::orders::vat_views(&view.totals.vat_lines, c),
            free_shipping_from: view
                .shipping_method
                .as_ref()
                .and_then(|m| m.free_over_cents)
                .map(|f| Money::from_cents(f).display(c)),
            shipping_method: view.shipping_method.as_ref().map(|m| m.name.clone()),
            blocked: view.blocked,
            lines: view
                .lines
                .into_iter()
                .map(|l| CartLineView {
                    product_id: l.product_id,
                    variant_id: l.variant_id,
                    variant: l.variant,
                    name: l.name,
                    sku: l.sku,
                    brand: l.brand,
                    thumb: l.thumb.as_deref().map(media_url),
                    unit_price: l.unit_price.display(c),
                    quantity: l.quantity,
                    line_total: l.line_total.display(c),
                    discount: if l.discount.cents() == 0 {
                        String::new()
                    } else {
                        l.discount.display(c)
                    },
                    offer: l.offer,
                    problem: l.problem,
                })
                .collect(),
        }
    }
}
