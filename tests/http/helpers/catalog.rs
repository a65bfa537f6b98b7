//! Products made through the admin's own functions, demo data, and uploads.

use super::accounts::ADMIN_PASSWORD;
use super::{Browser, TestApp};

impl TestApp {
    /// A product made through the same function the admin form uses.
    pub async fn product(
        &self,
        name: &str,
        brand: &str,
        category: &str,
        price_cents: i64,
        stock: i64,
    ) -> i64 {
        use emporium::catalog::admin::{ProductInput, create, validate};
        if sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users WHERE username_key = 'boss'")
            .fetch_one(self.state.db.pool())
            .await
            .unwrap()
            == 0
        {
            emporium::accounts::admin::create_or_promote(
                &self.state,
                "boss@example.com",
                "boss",
                Some(ADMIN_PASSWORD),
                emporium::domain::StaffRole::Admin,
            )
            .await
            .unwrap();
        }
        let input = ProductInput {
            name: name.into(),
            brand: brand.into(),
            category: category.into(),
            description: format!("{name} made by {brand}."),
            price: emporium::domain::Money::from_cents(price_cents).to_decimal(),
            stock: stock.to_string(),
            active: true,
            ..ProductInput::default()
        };
        let valid = validate(&input).expect("valid fixture");
        create(&self.state, self.admin_id().await, &valid, None)
            .await
            .expect("product")
            .get()
    }

    pub async fn seed(&self, n: usize) {
        emporium::catalog::seed::seed_if_empty(&self.state, n)
            .await
            .expect("seed");
    }

    /// Posts a multipart form with the session's CSRF token.
    pub async fn post_multipart(
        &self,
        b: &Browser,
        path: &str,
        form: reqwest::multipart::Form,
    ) -> reqwest::Response {
        let token = self.csrf_token(b).await;
        let form = form.text("csrf_token", token);
        b.client
            .post(self.url(path))
            .multipart(form)
            .send()
            .await
            .expect("request")
    }
}

/// A real PNG of the given size.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 120])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}
