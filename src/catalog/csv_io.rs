//! CSV export of all products, and import that creates or updates by SKU. Every row is
//! validated; valid rows are applied in one transaction and each bad row is reported with its
//! line number and reason.
//!
//! Variants travel as rows of their own after their product: `variant_of` names the product's
//! SKU, `option1`–`option3` the combination, `price` (empty: the product's), `stock` and
//! `active`; the product's row names its options in `options` (`Size|Colour`). Files without
//! these columns import as before.

use std::collections::HashMap;

use super::CatalogError;
use super::admin::{self, ProductInput};
use crate::db::audit::{self, Entry};
use crate::db::catalog;
use crate::domain::{Sku, UserId};
use crate::state::AppState;

pub const COLUMNS: [&str; 14] = [
    "sku",
    "name",
    "description",
    "brand",
    "category",
    "price",
    "stock",
    "active",
    "tax_class",
    "options",
    "variant_of",
    "option1",
    "option2",
    "option3",
];
const REQUIRED: [&str; 6] = ["sku", "name", "brand", "category", "price", "stock"];

/// Spreadsheets run cells that start like a formula; such cells are exported behind a `'`.
pub(crate) fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

fn unneutralise(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

pub async fn export(state: &AppState) -> Result<Vec<u8>, CatalogError> {
    let pool = state.db.pool();
    let rows = catalog::export_all(pool).await?;
    let options: HashMap<String, String> = crate::db::variants::export_options(pool)
        .await?
        .into_iter()
        .collect();
    let mut variants: HashMap<String, Vec<crate::db::variants::VariantRow>> = HashMap::new();
    for (parent, v) in crate::db::variants::export_all(pool).await? {
        variants.entry(parent).or_default().push(v);
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS)
        .map_err(|e| CatalogError::Internal(e.into()))?;
    for r in rows {
        let names = options.get(&r.sku).cloned().unwrap_or_default();
        let own = variants.remove(&r.sku).unwrap_or_default();
        let parent = r.sku.clone();
        w.write_record([
            neutralise(&r.sku),
            neutralise(&r.name),
            neutralise(&r.description),
            neutralise(&r.brand),
            neutralise(&r.category_name),
            r.price.to_decimal(),
            r.stock.to_string(),
            r.active.to_string(),
            r.tax_class.as_str().to_string(),
            neutralise(&names),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ])
        .map_err(|e| CatalogError::Internal(e.into()))?;
        for v in own {
            w.write_record([
                neutralise(&v.sku),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                v.price_cents
                    .map(|c| crate::domain::Money::from_cents(c).to_decimal())
                    .unwrap_or_default(),
                v.stock.to_string(),
                v.active.0.to_string(),
                String::new(),
                String::new(),
                neutralise(&parent),
                neutralise(&v.option1),
                neutralise(&v.option2),
                neutralise(&v.option3),
            ])
            .map_err(|e| CatalogError::Internal(e.into()))?;
        }
    }
    w.into_inner()
        .map_err(|e| CatalogError::Internal(anyhow::anyhow!("{e}")))
}

#[derive(Debug, Default, Clone)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    /// (line number, reason)
    pub errors: Vec<(u64, String)>,
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_lowercase().as_str() {
        "" | "true" | "1" | "yes" | "y" => Some(true),
        "false" | "0" | "no" | "n" => Some(false),
        _ => None,
    }
}

/// Why a file could not be imported at all (bad rows are reported in the [`ImportReport`]).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("The file is not UTF-8 text. Save it as CSV (UTF-8) and try again.")]
    NotUtf8,
    #[error("The file has no readable header line.")]
    NoHeader,
    #[error("The header line lacks the column(s): {missing}. Expected: {expected}.")]
    MissingColumns { missing: String, expected: String },
    /// The rows could not be saved; nothing was changed.
    #[error("saving the import failed")]
    Db(#[from] sqlx::Error),
}

impl ImportError {
    /// What the admin reads; a database failure says only that nothing changed.
    pub fn message(&self) -> String {
        match self {
            ImportError::Db(_) => {
                "The import could not be saved; nothing was changed. Please try again.".into()
            }
            other => other.to_string(),
        }
    }
}

/// Imports a CSV file. A file that cannot be read at all (not UTF-8, no header, a required
/// column missing) is an error of its own; bad rows are reported and skipped.
#[tracing::instrument(name = "CSV import", skip_all, fields(%actor, bytes = data.len()))]
pub async fn import(
    state: &AppState,
    actor: UserId,
    data: &[u8],
) -> Result<ImportReport, ImportError> {
    let data = data
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(data);
    if std::str::from_utf8(data).is_err() {
        return Err(ImportError::NotUtf8);
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(data);
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.to_lowercase()).collect(),
        Err(_) => return Err(ImportError::NoHeader),
    };
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|c| !headers.iter().any(|h| h == c))
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::MissingColumns {
            missing: missing.join(", "),
            expected: COLUMNS.join(","),
        });
    }
    let col = |name: &str| headers.iter().position(|h| h == name);
    let mut report = ImportReport::default();
    let mut valid = Vec::new();
    let mut variant_rows: Vec<(u64, VariantLine)> = Vec::new();
    let mut option_rows: Vec<(String, String)> = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                report
                    .errors
                    .push((line, "this line is not valid CSV".into()));
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let get = |name: &str| {
            col(name)
                .and_then(|i| record.get(i))
                .map(unneutralise)
                .unwrap_or("")
                .to_string()
        };
        let Some(active) = parse_bool(&get("active")) else {
            report
                .errors
                .push((line, "active: use true or false".into()));
            continue;
        };
        if !get("variant_of").is_empty() {
            match variant_row(&get, active) {
                Ok(v) => variant_rows.push((line, v)),
                Err(reason) => report.errors.push((line, reason)),
            }
            continue;
        }
        let names = get("options");
        if !names.is_empty() {
            option_rows.push((get("sku").to_uppercase(), names));
        }
        let input = ProductInput {
            sku: get("sku"),
            name: get("name"),
            description: get("description"),
            brand: get("brand"),
            category: get("category"),
            price: get("price"),
            stock: get("stock"),
            active,
            // An import sets the stock it names.
            stock_original: String::new(),
            // Optional: a file without the column keeps each product's class.
            tax_class: get("tax_class"),
        };
        if input.sku.trim().is_empty() {
            report
                .errors
                .push((line, "sku: every row needs a SKU".into()));
            continue;
        }
        match admin::validate(&input) {
            Ok(p) => {
                let key = p
                    .sku
                    .as_ref()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default();
                if let Some(first) = seen.insert(key, line) {
                    report
                        .errors
                        .push((line, format!("sku: the same SKU is on line {first}")));
                    continue;
                }
                valid.push(p);
            }
            Err(errors) => {
                let reasons: Vec<String> = errors
                    .fields()
                    .flat_map(|(f, msgs)| msgs.iter().map(move |m| format!("{f}: {m}")))
                    .collect();
                report.errors.push((line, reasons.join("; ")));
            }
        }
    }
    apply(
        state,
        actor,
        &valid,
        &option_rows,
        &variant_rows,
        &mut report,
    )
    .await?;
    Ok(report)
}

/// A variant's row of an import, checked.
#[derive(Debug, Clone)]
pub struct VariantLine {
    sku: Sku,
    parent: Sku,
    options: [String; 3],
    price_cents: Option<i64>,
    stock: i64,
    active: bool,
}

fn variant_row(get: &dyn Fn(&str) -> String, active: bool) -> Result<VariantLine, String> {
    let sku = Sku::parse(&get("sku")).map_err(|e| format!("sku: {e}"))?;
    let parent = Sku::parse(&get("variant_of")).map_err(|e| format!("variant_of: {e}"))?;
    let price = get("price");
    let price_cents = if price.trim().is_empty() {
        None
    } else {
        Some(
            crate::domain::Money::parse_decimal(&price)
                .map_err(|e| format!("price: {e}"))?
                .cents(),
        )
    };
    let stock = crate::domain::parse_stock(&get("stock")).map_err(|e| format!("stock: {e}"))?;
    let options = [get("option1"), get("option2"), get("option3")];
    if options[0].is_empty() || options.iter().any(|o| o.chars().count() > 30) {
        return Err("option1: a variant names its option values (up to 30 characters each)".into());
    }
    Ok(VariantLine {
        sku,
        parent,
        options,
        price_cents,
        stock,
        active,
    })
}

async fn apply(
    state: &AppState,
    actor: UserId,
    rows: &[admin::ValidProduct],
    option_rows: &[(String, String)],
    variant_rows: &[(u64, VariantLine)],
    report: &mut ImportReport,
) -> Result<(), sqlx::Error> {
    if rows.is_empty() && variant_rows.is_empty() {
        return Ok(());
    }
    let now = state.clock.unix();
    let mut tx = state.db.begin_write().await?;
    for p in rows {
        let sku = p
            .sku
            .clone()
            .unwrap_or_else(|| Sku::from_trusted(String::new()));
        let existing = catalog::find_id_by_sku(&mut tx, &sku).await?;
        admin::save(&mut tx, existing, p, 0, now).await?;
        if existing.is_some() {
            report.updated += 1;
        } else {
            report.created += 1;
        }
    }
    for (sku, names) in option_rows {
        if let Some(id) = catalog::find_id_by_sku(&mut tx, &Sku::from_trusted(sku.clone())).await? {
            let names: Vec<String> = names
                .split('|')
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty())
                .take(super::variants::MAX_OPTIONS)
                .collect();
            crate::db::variants::set_options(&mut tx, id, &names).await?;
        }
    }
    let mut touched = Vec::new();
    for (line, v) in variant_rows {
        let Some(parent) = catalog::find_id_by_sku(&mut tx, &v.parent).await? else {
            report.errors.push((
                *line,
                format!("variant_of: no product has the SKU {}", v.parent.as_str()),
            ));
            continue;
        };
        let new = crate::db::variants::NewVariant {
            product: parent,
            sku: v.sku.as_str(),
            options: [&v.options[0], &v.options[1], &v.options[2]],
            price_cents: v.price_cents,
            stock: v.stock,
        };
        match crate::db::variants::by_sku(&mut tx, v.sku.as_str()).await? {
            Some(existing) if existing.product_id == parent => {
                crate::db::variants::replace(&mut tx, existing.id, &new, v.active).await?;
                report.updated += 1;
            }
            Some(_) => {
                report.errors.push((
                    *line,
                    format!("sku: {} is a variant of another product", v.sku.as_str()),
                ));
                continue;
            }
            None => {
                // Checked first: a failed statement would abort the whole PostgreSQL transaction.
                let taken = crate::db::variants::variants(&mut *tx, parent)
                    .await?
                    .iter()
                    .any(|x| x.values() == new.options);
                if taken || catalog::find_id_by_sku(&mut tx, &v.sku).await?.is_some() {
                    report.errors.push((
                        *line,
                        "sku: this SKU or this combination exists already".into(),
                    ));
                    continue;
                }
                let id = crate::db::variants::insert(&mut tx, &new).await?;
                if !v.active {
                    crate::db::variants::replace(&mut tx, id, &new, false).await?;
                }
                report.created += 1;
            }
        }
        touched.push(parent);
    }
    touched.sort();
    touched.dedup();
    for p in touched {
        crate::db::variants::recount(&mut tx, p).await?;
        super::variants::reindex(&mut tx, p).await?;
    }
    let details = format!(
        "CSV import: {} created, {} updated, {} rows refused",
        report.created,
        report.updated,
        report.errors.len()
    );
    audit::record(
        &mut tx,
        &Entry {
            actor: Some(actor),
            action: "import",
            entity: "product",
            entity_id: None,
            details: &details,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    if rows.len() >= 100 {
        state.db.analyze().await?;
    }
    crate::catalog::changed(state, true).await;
    Ok(())
}
