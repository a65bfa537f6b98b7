//! One-time tokens for mailed links: 256 random bits, hex in the link, SHA-256 in the database.

use sha2::{Digest, Sha256};

pub fn new_token() -> (String, String) {
    let bytes: [u8; 32] = rand::random();
    let token = hex::encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}
