//! Invoices: an immutable snapshot taken when payment succeeds (seller, buyer, lines, VAT,
//! totals), shown as a printable page and rendered as a PDF with the DejaVu fonts shipped in
//! `assets/fonts`. Later product or profile changes never alter an issued invoice.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use serde::{Deserialize, Serialize};

use super::pricing::VatLine;
use crate::db::orders::OrderLine;
use crate::domain::{Money, OrderId, ProductId};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Party {
    pub name: String,
    pub address: String,
    /// The line under the address: the seller's VAT id, the buyer's email address. (Stored as
    /// `extra` in snapshots.)
    #[serde(rename = "extra")]
    pub detail: String,
}

/// A line as the invoice keeps it (a copy, never changed afterwards).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct InvoiceLine {
    pub product_id: ProductId,
    pub sku: String,
    pub name: String,
    pub unit_price_cents: i64,
    pub quantity: i64,
    pub line_total_cents: i64,
    /// The line's VAT rate (absent in invoices issued when the shop had a single rate).
    #[serde(default)]
    pub vat_percent: Option<i64>,
    /// What discounts took off the line (`line_total = unit price × quantity − discount`).
    #[serde(default)]
    pub discount_cents: i64,
}

impl From<&OrderLine> for InvoiceLine {
    fn from(l: &OrderLine) -> Self {
        Self {
            product_id: l.product_id,
            sku: l.sku.clone(),
            name: l.name.clone(),
            unit_price_cents: l.unit_price.cents(),
            quantity: l.quantity,
            line_total_cents: l.line_total.cents(),
            vat_percent: Some(l.vat_percent),
            discount_cents: l.discount.cents(),
        }
    }
}

/// What a snapshot is: an invoice, or a credit note against one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    #[default]
    Invoice,
    CreditNote,
}

impl DocumentKind {
    pub fn title(self) -> &'static str {
        match self {
            DocumentKind::Invoice => "Invoice",
            DocumentKind::CreditNote => "Credit note",
        }
    }
}

/// An issued invoice or credit note, as it was issued (credit notes hold positive amounts: what
/// is credited).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Snapshot {
    #[serde(default)]
    pub kind: DocumentKind,
    pub number: String,
    pub issued_at: i64,
    pub order_id: OrderId,
    pub seller: Party,
    pub buyer: Party,
    pub currency: String,
    pub vat_percent: i64,
    pub lines: Vec<InvoiceLine>,
    pub subtotal_cents: i64,
    pub shipping_cents: i64,
    pub net_cents: i64,
    pub vat_cents: i64,
    pub total_cents: i64,
    pub payment: String,
    /// Net and VAT per rate (absent in invoices issued when the shop had a single rate).
    #[serde(default)]
    pub vat_lines: Vec<VatLine>,
    /// A credit note's invoice.
    #[serde(default)]
    pub credits_invoice: Option<String>,
    /// Why a credit note was issued.
    #[serde(default)]
    pub reason: Option<String>,
    /// The rate the shipping was charged at (absent in older snapshots).
    #[serde(default)]
    pub shipping_vat_percent: Option<i64>,
    /// What discounts took off the lines (`total = subtotal − discount + shipping`; absent
    /// before the shop had discounts).
    #[serde(default)]
    pub discount_cents: i64,
    /// The discounts by name ("Spring sale", "Voucher SPRING10").
    #[serde(default)]
    pub discounts: Vec<NamedAmount>,
    /// The buyer's country (ISO code) when the order knows it: the delivery country of an
    /// order billed to where it went. Absent: the shop's own.
    #[serde(default)]
    pub buyer_country: Option<String>,
}

/// A discount line of a document.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct NamedAmount {
    pub label: String,
    pub cents: i64,
}

impl Snapshot {
    /// Net and VAT per rate, highest first; an invoice from the single-rate days has one.
    pub fn vat_breakdown(&self) -> Vec<VatLine> {
        if !self.vat_lines.is_empty() {
            return self.vat_lines.clone();
        }
        vec![VatLine {
            percent: self.vat_percent,
            gross_cents: self.total_cents,
            net_cents: self.net_cents,
            vat_cents: self.vat_cents,
        }]
    }

    /// The rate of a line as printed.
    pub fn line_rate(&self, l: &InvoiceLine) -> i64 {
        l.vat_percent.unwrap_or(self.vat_percent)
    }

    /// The discount lines a document shows: by name, or one line for older credit notes that
    /// only know the amount.
    pub fn discount_rows(&self) -> Vec<NamedAmount> {
        if !self.discounts.is_empty() {
            return self.discounts.clone();
        }
        if self.discount_cents != 0 {
            return vec![NamedAmount {
                label: "Discounts".into(),
                cents: self.discount_cents,
            }];
        }
        Vec::new()
    }

    pub fn money(&self, cents: i64) -> String {
        Money::from_cents(cents).display(&self.currency)
    }

    pub fn file_name(&self) -> String {
        match self.kind {
            DocumentKind::Invoice => format!("invoice-{}.pdf", self.number),
            DocumentKind::CreditNote => format!("credit-note-{}.pdf", self.number),
        }
    }

    /// The closing sentence: how it was paid, or where the money goes back.
    pub fn payment_note(&self) -> String {
        match self.kind {
            DocumentKind::Invoice => format!("Paid by {}. Prices include VAT.", self.payment),
            DocumentKind::CreditNote => format!(
                "Refunded to {}. Credits invoice {}.{}",
                self.payment,
                self.credits_invoice.as_deref().unwrap_or("-"),
                self.reason
                    .as_deref()
                    .map(|r| format!(" Reason: {r}"))
                    .unwrap_or_default()
            ),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the {0} font cannot be loaded")]
    Font(&'static str),
    #[error("the page size is not valid")]
    PageSize,
    #[error("the PDF could not be written: {0}")]
    Write(String),
}

/// The invoice of an order as issued, or `NotFound` when the order has none (or is not the
/// viewer's).
pub async fn for_order(
    state: &crate::state::AppState,
    viewer: super::detail::Viewer<'_>,
    id: OrderId,
) -> Result<Snapshot, super::OrderError> {
    let order = super::detail::find(state, viewer, id).await?;
    let row = crate::db::invoices::for_order(state.db.pool(), order.id)
        .await?
        .ok_or(super::OrderError::NotFound)?;
    serde_json::from_str(&row.snapshot).map_err(|e| {
        super::OrderError::Internal(anyhow::Error::new(e).context("invoice snapshot unreadable"))
    })
}

/// Numbers and stores the invoice of an order whose payment was just taken, inside that
/// transaction (the number is gap-free: the counter row stays locked until the commit).
pub async fn issue(
    tx: &mut crate::db::Tx,
    state: &crate::state::AppState,
    order: &crate::db::orders::Order,
    now: i64,
) -> Result<Snapshot, super::OrderError> {
    use anyhow::Context;
    let store = &state.settings.store;
    let lines = crate::db::orders::lines(&mut **tx, order.id)
        .await
        .context("read the order's lines")?;
    let mut snapshot = Snapshot {
        kind: DocumentKind::Invoice,
        number: String::new(),
        issued_at: now,
        order_id: order.id,
        seller: Party {
            name: store.legal_name.clone(),
            address: store.address.clone(),
            detail: format!("VAT ID {}", store.vat_id),
        },
        buyer: Party {
            name: order.customer_name.clone(),
            // The billing address when the order has one, else where it was delivered.
            address: order
                .billing_address
                .clone()
                .unwrap_or_else(|| order.shipping_address.clone()),
            detail: order.email.clone(),
        },
        currency: order.currency.clone(),
        vat_percent: order.vat_percent,
        lines: lines.iter().map(InvoiceLine::from).collect(),
        subtotal_cents: order.subtotal.cents(),
        shipping_cents: order.shipping.cents(),
        net_cents: order.net.cents(),
        vat_cents: order.vat.cents(),
        total_cents: order.total.cents(),
        payment: format!(
            "{} •••• {}",
            order.card_brand.as_deref().unwrap_or("Card"),
            order.card_last4.as_deref().unwrap_or("")
        ),
        vat_lines: super::detail::vat_lines(order, &lines),
        credits_invoice: None,
        reason: None,
        shipping_vat_percent: Some(order.shipping_vat_percent),
        discount_cents: order.discount.cents(),
        buyer_country: order
            .shipping_country
            .clone()
            .filter(|_| order.billing_address.is_none()),
        discounts: crate::db::orders::discounts(&mut **tx, order.id)
            .await
            .context("read the order's discounts")?
            .into_iter()
            .map(|d| NamedAmount {
                label: d.label,
                cents: d.amount.cents(),
            })
            .collect(),
    };
    // The number last: the year's counter row is locked from here to the commit.
    let year = i64::from(state.clock.now().year());
    let seq = crate::db::invoices::next_seq(tx, year)
        .await
        .context("number the invoice")?;
    snapshot.number = format!("{year}-{seq:06}");
    let json = serde_json::to_string(&snapshot).context("serialise the invoice")?;
    crate::db::invoices::insert(tx, order.id, &snapshot.number, now, &json)
        .await
        .context("store the invoice")?;
    Ok(snapshot)
}

/// What queued mails attach: `invoice:<order id>` is that order's invoice PDF, rendered when the
/// mail is delivered (the snapshot never changes, so the PDF is the one the order got).
pub struct MailAttachments;

impl crate::email::queue::Attachments for MailAttachments {
    fn render<'a>(
        &'a self,
        state: &'a crate::state::AppState,
        spec: &'a str,
    ) -> futures_util::future::BoxFuture<'a, anyhow::Result<Option<crate::email::queue::Attachment>>>
    {
        Box::pin(async move {
            let snapshot = if let Some(id) = spec.strip_prefix("invoice:") {
                let id: OrderId = id.parse()?;
                for_order(state, super::detail::Viewer::Staff, id).await?
            } else if let Some(id) = spec.strip_prefix("credit-note:") {
                let row = crate::db::credit_notes::find(state.db.pool(), id.parse()?)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("no credit note {id}"))?;
                crate::refunds::snapshot_of(&row)?
            } else {
                anyhow::bail!("unknown attachment {spec:?}");
            };
            let name = snapshot.file_name();
            let bytes = if state.settings.store.mail_facturx {
                super::einvoice::facturx_off_thread(snapshot, &state.settings.store).await?
            } else {
                pdf_off_thread(snapshot).await?
            };
            Ok(Some((name, bytes)))
        })
    }
}

/// The attachment spec of an order's invoice in the mail queue.
pub fn attachment_spec(order: OrderId) -> String {
    format!("invoice:{order}")
}

/// Renders the PDF on a blocking thread (it takes a few milliseconds of CPU).
pub async fn pdf_off_thread(s: Snapshot) -> Result<Vec<u8>, super::OrderError> {
    tokio::task::spawn_blocking(move || pdf(&s))
        .await
        .map_err(|e| {
            super::OrderError::Internal(anyhow::Error::new(e).context("invoice PDF task"))
        })?
        .map_err(super::OrderError::from)
}

const REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// Width of a text in DejaVu Sans, for right-aligning amounts: digits and currency signs advance
/// 1303 of 2048 font units, separators 651; anything else counts as an average letter.
fn width(text: &str, size: f32) -> f32 {
    text.chars()
        .map(|c| match c {
            '0'..='9' | '€' | '$' | '£' => 1303.0 / 2048.0,
            '.' | ',' | ' ' => 651.0 / 2048.0,
            _ => 0.6,
        })
        .sum::<f32>()
        * size
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max - 1).collect::<String>())
    }
}

/// Draws on one page's surface with the invoice fonts.
struct Pen<'p, 's> {
    surface: &'p mut krilla::surface::Surface<'s>,
    regular: &'p Font,
    bold: &'p Font,
}

impl Pen<'_, '_> {
    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, text: &str) {
        let font = if bold {
            self.bold.clone()
        } else {
            self.regular.clone()
        };
        self.surface.draw_text(
            Point::from_xy(x, y),
            font,
            size,
            text,
            false,
            TextDirection::Auto,
        );
    }

    fn right(&mut self, x_right: f32, y: f32, size: f32, bold: bool, text: &str) {
        self.text(x_right - width(text, size), y, size, bold, text);
    }

    fn rule(&mut self, x1: f32, x2: f32, y: f32) {
        let mut pb = PathBuilder::new();
        pb.move_to(x1, y);
        pb.line_to(x2, y);
        if let Some(path) = pb.finish() {
            self.surface.set_fill(None);
            self.surface.set_stroke(Some(Stroke {
                paint: rgb::Color::new(150, 160, 170).into(),
                width: 0.6,
                ..Stroke::default()
            }));
            self.surface.draw_path(&path);
            self.surface.set_stroke(None);
            self.surface.set_fill(Some(Fill::default()));
        }
    }
}

/// Renders the invoice as an A4 PDF (more pages when there are many lines).
pub fn pdf(s: &Snapshot) -> Result<Vec<u8>, PdfError> {
    render(s, Document::new())
}

/// The document as Factur-X: a PDF/A-3b with its EN 16931 XML embedded as `factur-x.xml` (an
/// associated file, the "Alternative" of the document) and the Factur-X XMP declaration.
pub fn facturx_pdf(s: &Snapshot, xml: &str) -> Result<Vec<u8>, PdfError> {
    use krilla::configure::{Archival, ConfigurationBuilder};
    use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
    use krilla::metadata::{DateTime, Metadata};
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A3_B)
        .finish()
        .map_err(|e| PdfError::Write(format!("{e:?}")))?;
    let mut doc = Document::new_with(krilla::SerializeSettings {
        configuration,
        ..krilla::SerializeSettings::default()
    });
    let issued = time::OffsetDateTime::from_unix_timestamp(s.issued_at)
        .map_err(|e| PdfError::Write(e.to_string()))?;
    let date = DateTime::new(u16::try_from(issued.year()).unwrap_or(2000))
        .month(issued.month() as u8)
        .day(issued.day())
        .hour(issued.hour())
        .minute(issued.minute())
        .second(issued.second());
    doc.set_metadata(
        Metadata::new()
            .title(format!("{} {}", s.kind.title(), s.number))
            .creation_date(date)
            .language("en".into()),
    );
    doc.embed_file(EmbeddedFile {
        path: FACTURX_XML.to_string(),
        mime_type: MimeType::new("text/xml"),
        description: Some(format!("Factur-X {} (EN 16931)", s.kind.title())),
        association_kind: AssociationKind::Alternative,
        data: xml.as_bytes().to_vec().into(),
        modification_date: Some(date),
        compress: None,
        location: None,
    })
    .ok_or_else(|| PdfError::Write("the XML could not be embedded".into()))?;
    let bytes = render(s, doc)?;
    super::facturx_xmp::declare(bytes, s.kind)
}

/// The name Factur-X gives the embedded XML.
pub const FACTURX_XML: &str = "factur-x.xml";

fn render(s: &Snapshot, mut doc: Document) -> Result<Vec<u8>, PdfError> {
    let regular = Font::new(REGULAR.into(), 0).ok_or(PdfError::Font("regular"))?;
    let bold = Font::new(BOLD.into(), 0).ok_or(PdfError::Font("bold"))?;
    let (w, h) = (595.28_f32, 841.89_f32);
    let (left, right) = (50.0_f32, w - 50.0);
    let lines_per_page = 28;
    let chunks: Vec<&[InvoiceLine]> = if s.lines.is_empty() {
        vec![&[]]
    } else {
        s.lines.chunks(lines_per_page).collect()
    };
    let pages = chunks.len();
    for (page_no, chunk) in chunks.into_iter().enumerate() {
        let settings = PageSettings::from_wh(w, h).ok_or(PdfError::PageSize)?;
        let mut page = doc.start_page_with(settings);
        let mut surface = page.surface();
        let mut pen = Pen {
            surface: &mut surface,
            regular: &regular,
            bold: &bold,
        };
        pen.text(left, 70.0, 20.0, true, &s.seller.name);
        pen.right(right, 70.0, 20.0, true, s.kind.title());
        let mut y = 92.0;
        for l in s
            .seller
            .address
            .lines()
            .chain(std::iter::once(s.seller.detail.as_str()))
            .filter(|l| !l.is_empty())
        {
            pen.text(left, y, 9.0, false, l);
            y += 12.0;
        }
        pen.right(
            right,
            92.0,
            10.0,
            false,
            &format!("{} no. {}", s.kind.title(), s.number),
        );
        pen.right(
            right,
            106.0,
            10.0,
            false,
            &format!(
                "Date {}",
                crate::clock::format_unix(s.issued_at)
                    .chars()
                    .take(10)
                    .collect::<String>()
            ),
        );
        pen.right(right, 120.0, 10.0, false, &format!("Order #{}", s.order_id));
        let mut y = y.max(140.0) + 16.0;
        pen.text(left, y, 10.0, true, "Bill to");
        y += 14.0;
        for l in std::iter::once(s.buyer.name.as_str())
            .chain(s.buyer.address.lines())
            .chain(std::iter::once(s.buyer.detail.as_str()))
        {
            if !l.trim().is_empty() {
                pen.text(left, y, 10.0, false, &shorten(l.trim(), 70));
                y += 13.0;
            }
        }
        y += 18.0;
        let (c_vat, c_qty, c_unit, c_total) = (right - 215.0, right - 170.0, right - 80.0, right);
        pen.text(left, y, 9.5, true, "Item");
        pen.right(c_vat, y, 9.5, true, "VAT");
        pen.right(c_qty, y, 9.5, true, "Qty");
        pen.right(c_unit, y, 9.5, true, "Unit price");
        pen.right(c_total, y, 9.5, true, "Amount");
        y += 6.0;
        pen.rule(left, right, y);
        y += 15.0;
        for l in chunk {
            pen.text(
                left,
                y,
                9.5,
                false,
                &shorten(&format!("{} ({})", l.name, l.sku), 50),
            );
            pen.right(c_vat, y, 9.5, false, &format!("{}%", s.line_rate(l)));
            pen.right(c_qty, y, 9.5, false, &l.quantity.to_string());
            pen.right(c_unit, y, 9.5, false, &s.money(l.unit_price_cents));
            pen.right(c_total, y, 9.5, false, &s.money(l.line_total_cents));
            y += 16.0;
            if l.discount_cents != 0 {
                pen.text(
                    left + 10.0,
                    y - 3.0,
                    8.5,
                    false,
                    "discount included in the amount",
                );
                pen.right(
                    c_unit,
                    y - 3.0,
                    8.5,
                    false,
                    &format!("−{}", s.money(l.discount_cents)),
                );
                y += 12.0;
            }
        }
        if page_no + 1 == pages {
            pen.rule(left, right, y - 6.0);
            y += 8.0;
            let mut rows = vec![("Subtotal".to_string(), s.subtotal_cents, false)];
            for d in s.discount_rows() {
                rows.push((shorten(&d.label, 40), -d.cents, false));
            }
            rows.push(("Shipping".to_string(), s.shipping_cents, false));
            rows.push(("Total".to_string(), s.total_cents, true));
            for v in s.vat_breakdown() {
                rows.push((format!("Net at {}% VAT", v.percent), v.net_cents, false));
                rows.push((format!("VAT {}%", v.percent), v.vat_cents, false));
            }
            for (label, cents, strong) in &rows {
                let (label, cents, strong) = (label.as_str(), *cents, *strong);
                pen.right(c_unit, y, 10.0, strong, label);
                pen.right(c_total, y, 10.0, strong, &s.money(cents));
                y += 16.0;
            }
            y += 14.0;
            pen.text(left, y, 9.0, false, &shorten(&s.payment_note(), 110));
        } else {
            pen.right(right, y + 10.0, 9.0, false, "continued on the next page");
        }
        pen.right(
            right,
            h - 30.0,
            8.0,
            false,
            &format!("Page {} of {pages}", page_no + 1),
        );
        surface.finish();
        page.finish();
    }
    doc.finish().map_err(|e| PdfError::Write(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn sample() -> Snapshot {
        Snapshot {
            kind: DocumentKind::Invoice,
            number: "2026-000001".into(),
            issued_at: 1_795_000_000,
            order_id: OrderId::new(7),
            seller: Party {
                name: "Emporium".into(),
                address: "1 Market Square\n10115 Berlin".into(),
                detail: "VAT ID DE123".into(),
            },
            buyer: Party {
                name: "Zoë Brontë".into(),
                address: "Straße 5\nMünchen".into(),
                detail: "zoe@example.com".into(),
            },
            currency: "EUR".into(),
            vat_percent: 19,
            lines: vec![InvoiceLine {
                product_id: ProductId::new(1),
                sku: "EMP-1".into(),
                name: "Copper Kettle — large".into(),
                unit_price_cents: 4900,
                quantity: 2,
                line_total_cents: 9800,
                vat_percent: Some(19),
                discount_cents: 0,
            }],
            subtotal_cents: 9800,
            shipping_cents: 0,
            net_cents: 8235,
            vat_cents: 1565,
            total_cents: 9800,
            payment: "Visa •••• 4242".into(),
            vat_lines: Vec::new(),
            credits_invoice: None,
            reason: None,
            shipping_vat_percent: Some(19),
            discount_cents: 0,
            discounts: Vec::new(),
            buyer_country: None,
        }
    }

    /// Every in-use entry of the classic cross-reference table points at its object.
    fn xref_is_exact(pdf: &[u8]) -> bool {
        let Some(tail) = pdf.windows(9).rposition(|w| w == b"startxref") else {
            return false;
        };
        let Some(at) = std::str::from_utf8(&pdf[tail + 9..])
            .ok()
            .and_then(|t| t.split_whitespace().next()?.parse::<usize>().ok())
        else {
            return false;
        };
        // The table and the trailer are ASCII.
        let Ok(table) = std::str::from_utf8(&pdf[at..]) else {
            return false;
        };
        let mut rows = table.lines();
        if rows.next() != Some("xref") {
            return false;
        }
        let header: Vec<usize> = rows
            .next()
            .unwrap_or("")
            .split(' ')
            .filter_map(|n| n.parse().ok())
            .collect();
        let (first, count) = (header[0], header[1]);
        rows.take(count).enumerate().all(|(k, row)| {
            let parts: Vec<&str> = row.split_whitespace().collect();
            parts[2] != "n" || {
                let offset: usize = parts[0].parse().unwrap_or(0);
                pdf[offset..].starts_with(format!("{} 0 obj", first + k).as_bytes())
            }
        })
    }

    #[test]
    fn factur_x_embeds_the_xml_declares_itself_and_keeps_the_file_consistent() {
        let s = sample();
        let xml = "<?xml version=\"1.0\"?><rsm:CrossIndustryInvoice/>";
        let bytes = facturx_pdf(&s, xml).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>"));
        assert!(
            text.contains("<pdfaid:part>3</pdfaid:part>") || text.contains("pdfaid:part=\"3\"")
        );
        assert!(text.contains("factur-x.xml"));
        assert!(
            xref_is_exact(&bytes),
            "the cross-reference table after the XMP rewrite"
        );
        let mut shifted = bytes.clone();
        shifted.insert(20, b' ');
        assert!(!xref_is_exact(&shifted), "the check sees a moved object");
        assert!(xref_is_exact(&pdf(&s).unwrap()));
    }

    #[test]
    fn renders_a_pdf() {
        let bytes = pdf(&sample()).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        assert!(bytes.len() > 1000);
        let mut many = sample();
        many.lines = (0..70).map(|_| many.lines[0].clone()).collect();
        assert!(pdf(&many).unwrap().len() > bytes.len());
    }
}
