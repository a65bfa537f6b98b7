//! Static assets as pages link them: the stylesheet's URL carries a hash of its content, so it
//! can be cached for a year and still change with every release.

use std::sync::LazyLock;

use sha2::{Digest, Sha256};

/// The stylesheet, served from `static/` and versioned by its content.
const CSS: &[u8] = include_bytes!("../../static/css/app.css");

/// Short content hash of the stylesheet, appended to its URL.
pub static CSS_VERSION: LazyLock<String> = LazyLock::new(|| hex::encode(&Sha256::digest(CSS)[..6]));
