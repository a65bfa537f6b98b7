//! The demo catalogue: products over several categories and brands with varied prices and stock,
//! each with a picture drawn by our code. Deterministic, so every fresh store looks the same.

use super::admin::{self, ValidProduct};
use super::images;
use crate::db::catalog::{self, NewImage};
use crate::domain::{Money, Sku};
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

const BRANDS: &[&str] = &[
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

/// Fills an empty catalogue with `count` products; returns how many were added (0 when the
/// catalogue was not empty).
pub async fn seed_if_empty(state: &AppState, count: usize) -> anyhow::Result<usize> {
    if catalog::product_count(state.db.pool()).await? > 0 {
        return Ok(0);
    }
    let dir = state.settings.media.dir.clone();
    let now = state.clock.unix();
    let mut rng = Rng::new(0x9E37_79B9_7F4A_7C15);
    let mut planned = Vec::with_capacity(count);
    for i in 0..count {
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
        let cents =
            (base / 3 + rng.below(base as u64 * 8 / 3) as i64) / 100 * 100 + [99, 50, 0][i % 3];
        let stock = match i % 13 {
            0 => 0,
            1 | 2 => 1 + rng.below(3) as i64,
            _ => 5 + rng.below(150) as i64,
        };
        let product = ValidProduct {
            sku: Some(Sku::from_trusted(format!("EMP-{:05}", i + 1))),
            name: name.clone(),
            description: format!(
                "{} {} by {brand}. {}",
                adjective,
                noun.to_lowercase(),
                DESCRIPTIONS[i % DESCRIPTIONS.len()]
            ),
            brand: brand.to_string(),
            category: category.to_string(),
            price: Money::from_cents(cents.max(99)),
            stock,
            active: true,
            keep_stock: false,
        };
        let popularity = rng.below(1000) as i64;
        let svg = images::demo_svg(&name, brand, hue + (i as u32 * 7) % 30, i as u32);
        planned.push((product, popularity, svg));
    }
    // The pictures are files: written on a blocking thread, not on the async workers.
    let files = tokio::task::spawn_blocking(move || {
        planned
            .into_iter()
            .map(|(product, popularity, svg)| {
                images::store(&dir, svg.as_bytes(), "svg").map(|file| (product, popularity, file))
            })
            .collect::<std::io::Result<Vec<_>>>()
    })
    .await??;
    let mut tx = state.db.begin_write().await?;
    for (i, (product, popularity, file)) in files.iter().enumerate() {
        let id = admin::save(
            &mut tx,
            None,
            product,
            *popularity,
            now - (count - i) as i64 * 1800,
        )
        .await?;
        let img = NewImage {
            file,
            thumb: file,
            width: 600,
            height: 600,
            thumb_width: 400,
            thumb_height: 400,
            alt: &product.name,
        };
        catalog::add_main_image(&mut tx, id, &img).await?;
    }
    tx.commit().await?;
    state.db.analyze().await?;
    state.catalog_cache.words_changed();
    tracing::info!(products = count, "demo catalogue created");
    Ok(count)
}
