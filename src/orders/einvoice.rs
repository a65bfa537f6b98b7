//! Structured e-invoices: an issued invoice or credit note as the Cross-Industry-Invoice XML of
//! EN 16931 (the Factur-X / ZUGFeRD "EN 16931" profile; type code 380 invoice, 381 credit note).
//!
//! Our prices include VAT; EN 16931 lines are net. Each rate's net is the snapshot's (the same
//! arithmetic as the invoice), shared out over that rate's lines and the shipping charge in
//! proportion to their gross amounts, the last cent to the largest share, so lines, rates and
//! totals agree to the cent with the PDF.

use std::fmt::Write;

use super::invoice::{DocumentKind, Snapshot};
use crate::orders::pricing::VatLine;

/// The profile's guideline id (BT-24).
pub const EN16931: &str = "urn:cen.eu:en16931:2017";

/// What the XML needs beyond the snapshot: the seller's and (by default) the buyer's country.
pub struct Seller<'a> {
    pub country: &'a str,
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // What XML 1.0 does not allow (controls other than tab and line ends, U+FFFE/F).
            c if (c < ' ' && !matches!(c, '\t' | '\n' | '\r'))
                || matches!(c, '\u{FFFE}' | '\u{FFFF}') =>
            {
                out.push(' ')
            }
            c => out.push(c),
        }
    }
    out
}

fn amount(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let a = cents.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// A unit price with four decimals (a line's net total over its quantity).
fn price(net_cents: i64, quantity: i64) -> String {
    let q = quantity.max(1);
    // In ten-thousandths of the currency, rounded half up.
    let e4 = (net_cents * 200 + q) / (2 * q);
    let sign = if e4 < 0 { "-" } else { "" };
    let a = e4.unsigned_abs();
    format!("{sign}{}.{:04}", a / 10_000, a % 10_000)
}

fn category(percent: i64) -> &'static str {
    // Standard rated, or zero rated goods.
    if percent == 0 { "Z" } else { "S" }
}

/// Shares `net` over `grosses` in proportion, the rounding rest to the largest.
fn share(net: i64, grosses: &[i64]) -> Vec<i64> {
    let total: i64 = grosses.iter().sum();
    if total == 0 {
        return grosses.iter().map(|_| 0).collect();
    }
    let mut parts: Vec<i64> = grosses
        .iter()
        .map(|g| (2 * net * g + total) / (2 * total))
        .collect();
    let rest = net - parts.iter().sum::<i64>();
    if let Some(i) = (0..grosses.len()).max_by_key(|i| grosses[*i]) {
        parts[i] += rest;
    }
    parts
}

/// The net of each line and of the shipping: each rate's net shared out over its amounts.
fn nets(s: &Snapshot, rates: &[VatLine]) -> (Vec<i64>, i64) {
    let mut lines = vec![0; s.lines.len()];
    let mut shipping = 0;
    for r in rates {
        let mut members: Vec<(Option<usize>, i64)> = s
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| s.line_rate(l) == r.percent)
            .map(|(i, l)| (Some(i), l.line_total_cents))
            .collect();
        if s.shipping_cents != 0 && shipping_rate(s, rates) == Some(r.percent) {
            members.push((None, s.shipping_cents));
        }
        let grosses: Vec<i64> = members.iter().map(|(_, g)| *g).collect();
        for ((who, _), net) in members.iter().zip(share(r.net_cents, &grosses)) {
            match who {
                Some(i) => lines[*i] = net,
                None => shipping = net,
            }
        }
    }
    (lines, shipping)
}

/// The rate the shipping was charged at (older snapshots: the rate whose gross holds more than
/// its lines).
fn shipping_rate(s: &Snapshot, rates: &[VatLine]) -> Option<i64> {
    if s.shipping_vat_percent.is_some() {
        return s.shipping_vat_percent;
    }
    rates
        .iter()
        .find(|r| {
            let lines: i64 = s
                .lines
                .iter()
                .filter(|l| s.line_rate(l) == r.percent)
                .map(|l| l.line_total_cents)
                .sum();
            r.gross_cents - lines == s.shipping_cents
        })
        .map(|r| r.percent)
}

fn party(
    x: &mut String,
    role: &str,
    name: &str,
    address: &str,
    country: &str,
    vat_id: Option<&str>,
) {
    let lines: Vec<&str> = address
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let _ = write!(x, "<ram:{role}><ram:Name>{}</ram:Name>", esc(name));
    x.push_str("<ram:PostalTradeAddress>");
    for (tag, line) in ["LineOne", "LineTwo", "LineThree"].iter().zip(&lines) {
        let _ = write!(x, "<ram:{tag}>{}</ram:{tag}>", esc(line));
    }
    let _ = write!(
        x,
        "<ram:CountryID>{}</ram:CountryID></ram:PostalTradeAddress>",
        esc(country)
    );
    if let Some(id) = vat_id {
        let _ = write!(
            x,
            "<ram:SpecifiedTaxRegistration><ram:ID schemeID=\"VA\">{}</ram:ID></ram:SpecifiedTaxRegistration>",
            esc(id)
        );
    }
    let _ = write!(x, "</ram:{role}>");
}

fn tax(x: &mut String, percent: i64) {
    let _ = write!(
        x,
        "<ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>{}</ram:CategoryCode><ram:RateApplicablePercent>{percent}</ram:RateApplicablePercent>",
        category(percent)
    );
}

/// The XML of a document with the shop's settings.
pub fn for_shop(s: &Snapshot, store: &crate::config::StoreSettings) -> String {
    let seller = Seller {
        country: &store.country_code,
    };
    cii_xml(s, &seller, &store.vat_id)
}

/// The Factur-X PDF of a document, rendered on a blocking thread.
pub async fn facturx_off_thread(
    s: Snapshot,
    store: &crate::config::StoreSettings,
) -> Result<Vec<u8>, super::OrderError> {
    let xml = for_shop(&s, store);
    tokio::task::spawn_blocking(move || super::invoice::facturx_pdf(&s, &xml))
        .await
        .map_err(|e| super::OrderError::Internal(e.into()))?
        .map_err(super::OrderError::from)
}

/// The EN 16931 CII XML of an issued invoice or credit note.
pub fn cii_xml(s: &Snapshot, seller: &Seller<'_>, vat_id: &str) -> String {
    let rates = s.vat_breakdown();
    let (line_nets, shipping_net) = nets(s, &rates);
    let type_code = match s.kind {
        DocumentKind::Invoice => "380",
        DocumentKind::CreditNote => "381",
    };
    let date = crate::clock::format_unix(s.issued_at)
        .chars()
        .take(10)
        .filter(char::is_ascii_digit)
        .collect::<String>();
    let mut x = String::with_capacity(4096);
    x.push_str(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    x.push_str(
        r#"<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">"#,
    );
    let _ = write!(
        x,
        "<rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>{EN16931}</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>"
    );
    let _ = write!(
        x,
        "<rsm:ExchangedDocument><ram:ID>{}</ram:ID><ram:TypeCode>{type_code}</ram:TypeCode><ram:IssueDateTime><udt:DateTimeString format=\"102\">{date}</udt:DateTimeString></ram:IssueDateTime>",
        esc(&s.number)
    );
    if let Some(reason) = &s.reason {
        let _ = write!(
            x,
            "<ram:IncludedNote><ram:Content>{}</ram:Content></ram:IncludedNote>",
            esc(reason)
        );
    }
    x.push_str("</rsm:ExchangedDocument><rsm:SupplyChainTradeTransaction>");
    for (i, (l, net)) in s.lines.iter().zip(&line_nets).enumerate() {
        let _ = write!(
            x,
            "<ram:IncludedSupplyChainTradeLineItem><ram:AssociatedDocumentLineDocument><ram:LineID>{}</ram:LineID></ram:AssociatedDocumentLineDocument>",
            i + 1
        );
        let _ = write!(
            x,
            "<ram:SpecifiedTradeProduct><ram:SellerAssignedID>{}</ram:SellerAssignedID><ram:Name>{}</ram:Name></ram:SpecifiedTradeProduct>",
            esc(&l.sku),
            esc(&l.name)
        );
        let _ = write!(
            x,
            "<ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount>{}</ram:ChargeAmount></ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>",
            price(*net, l.quantity)
        );
        let _ = write!(
            x,
            "<ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode=\"C62\">{}</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>",
            l.quantity
        );
        x.push_str("<ram:SpecifiedLineTradeSettlement><ram:ApplicableTradeTax>");
        tax(&mut x, s.line_rate(l));
        let _ = write!(
            x,
            "</ram:ApplicableTradeTax><ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>{}</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation></ram:SpecifiedLineTradeSettlement></ram:IncludedSupplyChainTradeLineItem>",
            amount(*net)
        );
    }
    x.push_str("<ram:ApplicableHeaderTradeAgreement>");
    party(
        &mut x,
        "SellerTradeParty",
        &s.seller.name,
        &s.seller.address,
        seller.country,
        Some(vat_id),
    );
    // The buyer's address is free text: its country is the delivery country when the order
    // was billed there, else taken to be the shop's.
    party(
        &mut x,
        "BuyerTradeParty",
        &s.buyer.name,
        &s.buyer.address,
        s.buyer_country.as_deref().unwrap_or(seller.country),
        None,
    );
    x.push_str("</ram:ApplicableHeaderTradeAgreement><ram:ApplicableHeaderTradeDelivery/>");
    let _ = write!(
        x,
        "<ram:ApplicableHeaderTradeSettlement><ram:InvoiceCurrencyCode>{}</ram:InvoiceCurrencyCode>",
        esc(&s.currency)
    );
    // Paid (or refunded) by card: payment means 48, bank card.
    x.push_str("<ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>48</ram:TypeCode></ram:SpecifiedTradeSettlementPaymentMeans>");
    for r in &rates {
        let _ = write!(
            x,
            "<ram:ApplicableTradeTax><ram:CalculatedAmount>{}</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode><ram:BasisAmount>{}</ram:BasisAmount><ram:CategoryCode>{}</ram:CategoryCode><ram:RateApplicablePercent>{}</ram:RateApplicablePercent></ram:ApplicableTradeTax>",
            amount(r.vat_cents),
            amount(r.net_cents),
            category(r.percent),
            r.percent
        );
    }
    if s.shipping_cents != 0 {
        let rate = shipping_rate(s, &rates).unwrap_or(s.vat_percent);
        let _ = write!(
            x,
            "<ram:SpecifiedTradeAllowanceCharge><ram:ChargeIndicator><udt:Indicator>true</udt:Indicator></ram:ChargeIndicator><ram:ActualAmount>{}</ram:ActualAmount><ram:Reason>Shipping</ram:Reason><ram:CategoryTradeTax>",
            amount(shipping_net)
        );
        tax(&mut x, rate);
        x.push_str("</ram:CategoryTradeTax></ram:SpecifiedTradeAllowanceCharge>");
    }
    let line_total: i64 = line_nets.iter().sum();
    let net: i64 = rates.iter().map(|r| r.net_cents).sum();
    let vat: i64 = rates.iter().map(|r| r.vat_cents).sum();
    let _ = write!(
        x,
        "<ram:SpecifiedTradeSettlementHeaderMonetarySummation><ram:LineTotalAmount>{}</ram:LineTotalAmount>",
        amount(line_total)
    );
    if s.shipping_cents != 0 {
        let _ = write!(
            x,
            "<ram:ChargeTotalAmount>{}</ram:ChargeTotalAmount>",
            amount(shipping_net)
        );
    }
    let _ = write!(
        x,
        "<ram:TaxBasisTotalAmount>{}</ram:TaxBasisTotalAmount><ram:TaxTotalAmount currencyID=\"{}\">{}</ram:TaxTotalAmount><ram:GrandTotalAmount>{}</ram:GrandTotalAmount><ram:TotalPrepaidAmount>{}</ram:TotalPrepaidAmount><ram:DuePayableAmount>0.00</ram:DuePayableAmount></ram:SpecifiedTradeSettlementHeaderMonetarySummation>",
        amount(net),
        esc(&s.currency),
        amount(vat),
        amount(net + vat),
        amount(net + vat)
    );
    if let Some(invoice) = &s.credits_invoice {
        let _ = write!(
            x,
            "<ram:InvoiceReferencedDocument><ram:IssuerAssignedID>{}</ram:IssuerAssignedID></ram:InvoiceReferencedDocument>",
            esc(invoice)
        );
    }
    x.push_str("</ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>\n");
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_shipping_share_each_rates_net_to_the_cent() {
        assert_eq!(share(2416, &[2380, 495]), [2000, 416]);
        assert_eq!(share(100, &[1, 1, 1]).iter().sum::<i64>(), 100);
        assert_eq!(price(3361, 3), "11.2033");
        assert_eq!(price(1000, 1), "10.0000");
        assert_eq!(amount(-1234), "-12.34");
        assert_eq!(
            esc("Tom & \"Jerry\" <x>"),
            "Tom &amp; &quot;Jerry&quot; &lt;x&gt;"
        );
        assert_eq!(esc("a\u{1}b\u{FFFF}c\td"), "a b c\td");
    }
}
