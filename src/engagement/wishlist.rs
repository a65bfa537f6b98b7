//! The customer's wishlist: products saved for later, on sale or not (deactivated and sold-out
//! ones stay, marked), each a click from the cart.

use crate::db::wishlist::{self as db, WishedProduct};
use crate::domain::{ProductId, Quantity, UserId};
use crate::orders::cart::{self, Owner};
use crate::state::AppState;

use super::EngagementError;

/// Adds a product; adding it again changes nothing.
pub async fn add(
    state: &AppState,
    user: UserId,
    product: ProductId,
) -> Result<(), EngagementError> {
    if db::add(state.db.pool(), user, product, state.clock.unix()).await? {
        state.picks.forget(user);
        Ok(())
    } else {
        Err(EngagementError::NotFound)
    }
}

/// Removes a product; false when it was not on the wishlist.
pub async fn remove(
    state: &AppState,
    user: UserId,
    product: ProductId,
) -> Result<bool, EngagementError> {
    let removed = db::remove(state.db.pool(), user, product).await?;
    state.picks.forget(user);
    Ok(removed)
}

pub async fn list(state: &AppState, user: UserId) -> Result<Vec<WishedProduct>, EngagementError> {
    Ok(db::list(state.db.pool(), user).await?)
}

/// Which of these products the customer wishes for.
pub async fn wished_among(
    state: &AppState,
    user: UserId,
    products: &[ProductId],
) -> Result<Vec<ProductId>, EngagementError> {
    Ok(db::wished_among(state.db.pool(), user, products).await?)
}

/// Puts one unit in the cart and takes the product off the wishlist (only if the cart took it).
pub async fn move_to_cart(
    state: &AppState,
    user: UserId,
    product: ProductId,
    ip: &str,
) -> Result<String, crate::orders::OrderError> {
    let one = Quantity::from_number(1, false).map_err(|_| crate::orders::OrderError::NotFound)?;
    let name = cart::add(state, &Owner::User(user), (product, 0), one, ip).await?;
    db::remove(state.db.pool(), user, product).await?;
    state.picks.forget(user);
    Ok(name)
}
