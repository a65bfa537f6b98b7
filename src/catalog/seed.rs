//! The demo catalogue: products over several categories and brands with varied prices and stock,
//! each with a picture drawn by our code. Deterministic, so every fresh store looks the same.

use super::{images, terms};
use crate::db::catalog::{self, BulkProduct};
use crate::domain::Money;
use crate::rng::Rng;
use crate::state::AppState;

const CATEGORIES: &[(&str, u32, &[&str], i64)] = &[
    (
        "Kitchen",
        20,
        &[
            "Kettle",
            "Chef's Knife",
            "Skillet",
            "Cutting Board",
            "Saucepan",
            "Whisk",
            "Colander",
            "Peeler",
        ],
        2400,
    ),
    (
        "Tea & Coffee",
        35,
        &[
            "Teapot",
            "Pour-Over Set",
            "Espresso Cups",
            "Loose Leaf Tea",
            "Coffee Grinder",
            "Tea Strainer",
            "Milk Frother",
        ],
        1600,
    ),
    (
        "Garden",
        110,
        &[
            "Watering Can",
            "Pruning Shears",
            "Planter",
            "Seed Kit",
            "Garden Gloves",
            "Trowel",
            "Bird Feeder",
        ],
        1900,
    ),
    (
        "Home Office",
        210,
        &[
            "Desk Lamp",
            "Notebook Stand",
            "Monitor Riser",
            "Cable Tray",
            "Desk Mat",
            "Pen Holder",
        ],
        3200,
    ),
    (
        "Lighting",
        45,
        &[
            "Pendant Light",
            "Table Lamp",
            "String Lights",
            "Floor Lamp",
            "Night Light",
            "Lantern",
        ],
        4500,
    ),
    (
        "Textiles",
        330,
        &[
            "Throw Blanket",
            "Linen Napkins",
            "Cushion Cover",
            "Tea Towel",
            "Table Runner",
            "Quilt",
        ],
        2800,
    ),
    (
        "Bath",
        185,
        &[
            "Bath Towel",
            "Soap Dish",
            "Bath Mat",
            "Shower Caddy",
            "Toothbrush Cup",
            "Robe",
        ],
        2100,
    ),
    (
        "Toys & Games",
        280,
        &[
            "Puzzle",
            "Wooden Blocks",
            "Board Game",
            "Kite",
            "Marble Run",
            "Card Game",
        ],
        2500,
    ),
    (
        "Outdoor",
        140,
        &[
            "Camping Mug",
            "Picnic Blanket",
            "Folding Chair",
            "Water Bottle",
            "Hammock",
            "Cooler Bag",
        ],
        3400,
    ),
    (
        "Stationery",
        250,
        &[
            "Fountain Pen",
            "Sketchbook",
            "Washi Tape",
            "Planner",
            "Pencil Set",
            "Letter Paper",
        ],
        900,
    ),
];

const ADJECTIVES: &[&str] = &[
    "Copper",
    "Oak",
    "Linen",
    "Stoneware",
    "Walnut",
    "Enamel",
    "Bamboo",
    "Brass",
    "Cotton",
    "Ceramic",
    "Slate",
    "Recycled",
    "Nordic",
    "Classic",
    "Compact",
    "Deluxe",
];

/// The demo brands (the load drivers pick from them too).
pub const BRANDS: &[&str] = &[
    "Hearth & Co",
    "Northwind",
    "Kettleby",
    "Greenleaf",
    "Lumen Works",
    "Atelier Nord",
    "Brightside",
    "Tidewater",
    "Oakridge",
    "Mossgrove",
    "Pinecrest",
    "Sunfield",
    "Copperline",
    "Fieldnote",
    "Harbor Lane",
    "Wildroot",
    "Stillwater",
    "Quillmark",
    "Maple & Moss",
    "Bluebell",
    "Ironbark",
    "Cloudberry",
    "Saltmarsh",
    "Juniper Hill",
];

const DESCRIPTIONS: &[&str] = &[
    "Made to last and pleasant to use every day.",
    "A small pleasure that makes the routine nicer.",
    "Thoughtfully designed, sturdy and easy to clean.",
    "A favourite of our customers, now in a new finish.",
    "Sustainably sourced materials and careful craftsmanship.",
];

/// What `demo.seed` and `emporium seed-demo` create.
pub const DEFAULT_PRODUCTS: usize = 240;

/// Distinct demo pictures: product `i` shows picture `i % PICTURES`, so a large demo catalogue
/// does not write a file per product.
const PICTURES: usize = 2400;
/// Products written per transaction.
const PER_TRANSACTION: usize = 20_000;

/// What product `i` of the demo catalogue is: (category, name, brand, description, price in
/// cents, stock, popularity, hue for its picture).
struct Planned {
    category: &'static str,
    name: String,
    brand: &'static str,
    description: String,
    cents: i64,
    stock: i64,
    popularity: i64,
    hue: u32,
}

fn plan(i: usize, rng: &mut Rng) -> Planned {
    let (category, hue, nouns, base) = CATEGORIES[i % CATEGORIES.len()];
    let noun = nouns[(i / CATEGORIES.len()) % nouns.len()];
    let adjective = ADJECTIVES[(i / (CATEGORIES.len() * 2) + i) % ADJECTIVES.len()];
    let series = i / (CATEGORIES.len() * ADJECTIVES.len());
    let name = if series == 0 {
        format!("{adjective} {noun}")
    } else {
        format!("{adjective} {noun} No. {}", series + 1)
    };
    let brand = BRANDS[(i * 7 + i / 3) % BRANDS.len()];
    // Prices from a third to three times the category's base, ending in .99, .50 or .00.
    let cents = (base / 3 + rng.below(base as u64 * 8 / 3) as i64) / 100 * 100 + [99, 50, 0][i % 3];
    let stock = match i % 13 {
        0 => 0,
        1 | 2 => 1 + rng.below(3) as i64,
        _ => 5 + rng.below(150) as i64,
    };
    let description = format!(
        "{} {} by {brand}. {}",
        adjective,
        noun.to_lowercase(),
        DESCRIPTIONS[i % DESCRIPTIONS.len()]
    );
    Planned {
        category,
        name,
        brand,
        description,
        cents: cents.max(99),
        stock,
        popularity: rng.below(1000) as i64,
        hue: hue + (i as u32 * 7) % 30,
    }
}

/// Fills an empty catalogue with `count` products; returns how many were added (0 when the
/// catalogue was not empty). Rows go in with many per statement and a transaction per
/// [`PER_TRANSACTION`] products.
pub async fn seed_if_empty(state: &AppState, count: usize) -> anyhow::Result<usize> {
    // Instances starting together on an empty database: one seeds, the others then find it full.
    let _setup = state.db.setup_lock().await?;
    if catalog::product_count(state.db.pool()).await? > 0 {
        return Ok(0);
    }
    let dir = state.settings.media.dir.clone();
    let now = state.clock.unix();
    // The pictures are files: drawn and written on a blocking thread, not on the async workers.
    let pictures = tokio::task::spawn_blocking(move || {
        let mut rng = Rng::new(0x9E37_79B9_7F4A_7C15);
        (0..count.min(PICTURES))
            .map(|i| {
                let p = plan(i, &mut rng);
                let svg = images::demo_svg(&p.name, p.brand, p.hue, i as u32);
                images::store(&dir, svg.as_bytes(), "svg")
            })
            .collect::<std::io::Result<Vec<_>>>()
    })
    .await??;
    let mut categories = std::collections::HashMap::new();
    let mut tx = state.db.begin_write().await?;
    for (name, ..) in CATEGORIES {
        let id = catalog::ensure_category(&mut tx, name, &super::slugify(name)).await?;
        categories.insert(*name, id);
    }
    tx.commit().await?;
    let mut rng = Rng::new(0x9E37_79B9_7F4A_7C15);
    let mut start = 0;
    while start < count {
        let end = (start + PER_TRANSACTION).min(count);
        let batch: Vec<BulkProduct> = (start..end)
            .map(|i| {
                let p = plan(i, &mut rng);
                let sku = format!("EMP-{:05}", i + 1);
                let terms =
                    terms::product_terms(&sku, &p.name, p.brand, p.category, &p.description);
                BulkProduct {
                    sku,
                    terms,
                    category_id: categories[p.category],
                    price: Money::from_cents(p.cents),
                    stock: p.stock,
                    popularity: p.popularity,
                    created_at: now - (count - i) as i64 * 1800,
                    picture: pictures[i % PICTURES].clone(),
                    name: p.name,
                    description: p.description,
                    brand: p.brand.to_string(),
                }
            })
            .collect();
        let mut tx = state.db.begin_write().await?;
        catalog::insert_products(&mut tx, state.db.backend(), &batch).await?;
        tx.commit().await?;
        start = end;
    }
    let mut tx = state.db.begin_write().await?;
    catalog::recount_on_sale(&mut tx).await?;
    tx.commit().await?;
    state.db.analyze().await?;
    crate::catalog::changed(state, true).await;
    tracing::info!(products = count, "demo catalogue created");
    Ok(count)
}

/// The demo voucher code the README invites shoppers to try.
pub const DEMO_VOUCHER: &str = "WELCOME10";

/// The demo shop's offers: a week of 10 % off Kitchen, and the voucher [`DEMO_VOUCHER`] (10 %
/// off a basket of 20.00 or more, once per customer). Added with the demo catalogue only.
pub async fn demo_offers(state: &AppState) -> anyhow::Result<()> {
    use crate::db::{promotions, vouchers};
    let now = state.clock.unix();
    let mut tx = state.db.begin_write().await?;
    let Some(kitchen) = catalog::category_by_slug(&mut tx, "kitchen").await? else {
        return Ok(());
    };
    let promotion = promotions::NewPromotion {
        name: "10 % off Kitchen this week",
        kind: "percent",
        percent: Some(10),
        buy: None,
        pay: None,
        starts_at: now,
        ends_at: Some(now + 7 * 24 * 3600),
    };
    let id = promotions::insert(&mut tx, &promotion, now).await?;
    promotions::set_scope(&mut tx, id, &[], &[kitchen]).await?;
    let voucher = vouchers::NewVoucher {
        name: "Welcome (demo)",
        kind: "percent",
        amount: 10,
        min_basket_cents: 2000,
        starts_at: None,
        ends_at: None,
        usage_limit: None,
        per_customer_limit: Some(1),
    };
    let id = vouchers::insert(&mut tx, &voucher, now).await?;
    vouchers::add_code(&mut tx, id, DEMO_VOUCHER, None).await?;
    demo_tshirt(&mut tx, now).await?;
    tx.commit().await?;
    crate::catalog::changed(state, false).await;
    Ok(())
}

/// The demo SKU of the T-shirt that comes in sizes and colours.
pub const DEMO_TSHIRT: &str = "EMP-TEE";

/// A T-shirt in three sizes and two colours, each its own SKU and stock (large red sold out,
/// large blue dearer): the demo of variants.
async fn demo_tshirt(tx: &mut crate::db::Tx, now: i64) -> anyhow::Result<()> {
    use crate::db::variants;
    use crate::domain::Sku;
    let category = catalog::ensure_category(tx, "Clothing", "clothing").await?;
    let sku = Sku::from_trusted(DEMO_TSHIRT.to_string());
    let (name, brand) = ("Organic Cotton T-shirt", "Fieldhouse");
    let description =
        "A heavy organic cotton T-shirt, garment-dyed. Sizes S, M and L in blue or red.";
    let data = catalog::ProductData {
        sku: &sku,
        name,
        description,
        brand,
        category_id: category,
        price: Money::from_cents(1900),
        stock: Some(0),
        active: true,
        tax_class: None,
    };
    let id = catalog::insert(tx, &data, 50, now).await?;
    catalog::count_on_sale(tx, id, 1).await?;
    let words = terms::product_terms(sku.as_str(), name, brand, "Clothing", description);
    catalog::replace_terms(tx, id, &words).await?;
    variants::set_options(tx, id, &["Size".to_string(), "Colour".to_string()]).await?;
    for (size, stock_blue, stock_red) in [("S", 6, 4), ("M", 8, 5), ("L", 3, 0)] {
        for (colour, stock) in [("Blue", stock_blue), ("Red", stock_red)] {
            let sku = format!("{DEMO_TSHIRT}-{size}-{}", &colour[..1]);
            let v = variants::NewVariant {
                product: id,
                sku: &sku,
                options: [size, colour, ""],
                price_cents: (size == "L" && colour == "Blue").then_some(2100),
                stock,
            };
            variants::insert(tx, &v).await?;
        }
    }
    variants::recount(tx, id).await?;
    crate::catalog::variants::reindex(tx, id).await?;
    Ok(())
}

/// The demo categories' slugs (for the load drivers).
pub fn category_slugs() -> Vec<String> {
    CATEGORIES
        .iter()
        .map(|(name, ..)| super::slugify(name))
        .collect()
}
