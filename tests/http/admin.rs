use reqwest::multipart::{Form, Part};

use crate::helpers::{TestApp, assert_is_redirect_to, location, png, product_ids};

fn product_form(name: &str, price: &str, stock: &str) -> Form {
    Form::new()
        .text("name", name.to_string())
        .text("description", "Hand-thrown stoneware.")
        .text("brand", "Oakridge")
        .text("category", "Tea & Coffee")
        .text("price", price.to_string())
        .text("stock", stock.to_string())
        .text("active", "on")
}

fn image_part(bytes: Vec<u8>, name: &str, mime: &str) -> Part {
    Part::bytes(bytes)
        .file_name(name.to_string())
        .mime_str(mime)
        .unwrap()
}

#[tokio::test]
async fn every_admin_route_sends_guests_to_sign_in_and_refuses_customers() {
    let app = TestApp::spawn().await;
    let id = app
        .product("Oak Tray", "Oakridge", "Kitchen", 2000, 5)
        .await;
    let (_, customer) = app.signed_in("carol").await;
    let admin = app.admin().await;
    let gets = [
        "/admin".to_string(),
        "/admin/products".into(),
        "/admin/products?q=oak&page=2".into(),
        "/admin/products/new".into(),
        format!("/admin/products/{id}/edit"),
        "/admin/products/import".into(),
        "/admin/products/export.csv".into(),
    ];
    for path in &gets {
        let res = app.get(path).await;
        assert_eq!(res.status(), 303, "guest {path}");
        assert!(
            location(&res).starts_with("/login?next=%2Fadmin"),
            "guest {path}"
        );
        assert_eq!(
            app.get_as(&customer, path).await.status(),
            403,
            "customer {path}"
        );
        assert_eq!(app.get_as(&admin, path).await.status(), 200, "admin {path}");
    }
    let posts = [
        "/admin/products".to_string(),
        format!("/admin/products/{id}"),
        format!("/admin/products/{id}/delete"),
        "/admin/products/import".into(),
    ];
    let guest = app.new_browser();
    for path in &posts {
        let (as_guest, as_customer) = if path.ends_with("/delete") {
            // A plain form, like the delete button's.
            (
                app.post_form_as(&guest, path, &[]).await,
                app.post_form_as(&customer, path, &[]).await,
            )
        } else {
            (
                app.post_multipart(&guest, path, product_form("X", "1", "1"))
                    .await,
                app.post_multipart(&customer, path, product_form("X", "1", "1"))
                    .await,
            )
        };
        assert_eq!(as_guest.status(), 303, "guest POST {path}");
        assert_eq!(as_customer.status(), 403, "customer POST {path}");
    }
    let res = app.get_as(&admin, &format!("/products/{id}")).await;
    assert_eq!(
        res.status(),
        200,
        "nothing was changed or deleted by the refused posts"
    );
    assert!(res.text().await.unwrap().contains("Oak Tray"));
}

#[tokio::test]
async fn an_admin_creates_a_product_with_an_image_and_it_is_found() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let form = product_form("Speckled Teapot", "12.50", "7").part(
        "image",
        image_part(png(1600, 900), "teapot.png", "image/png"),
    );
    let res = app.post_multipart(&admin, "/admin/products", form).await;
    assert_eq!(res.status(), 303);
    let edit = location(&res);
    assert!(edit.starts_with("/admin/products/") && edit.ends_with("/edit"));
    let html = app.get_as(&admin, &edit).await.text().await.unwrap();
    assert!(html.contains("created") && html.contains(r#"value="12.50""#));
    let (price, sku): (i64, String) = sqlx::query_as("SELECT price_cents, sku FROM products")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(price, 1250);
    assert!(sku.starts_with("P-"));
    let listing = app.get("/products?q=speckled").await.text().await.unwrap();
    assert_eq!(product_ids(&listing).len(), 1);
    let (file, thumb, w, h, tw, th): (String, String, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT file, thumb, width, height, thumb_width, thumb_height FROM product_images",
    )
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!((w, h, tw, th), (1200, 675, 400, 225));
    assert!(listing.contains(&format!("/media/{thumb}")));
    let image = app.get(&format!("/media/{file}")).await;
    assert_eq!(image.status(), 200);
    let bytes = image.bytes().await.unwrap();
    assert_eq!(image::load_from_memory(&bytes).unwrap().width(), 1200);
    let audit: String = sqlx::query_scalar("SELECT details FROM audit_log")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert!(audit.contains("Speckled Teapot") && audit.contains("12.50"));
}

#[tokio::test]
async fn invalid_fields_come_back_with_messages_and_values() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let form = Form::new()
        .text("name", "")
        .text("brand", "Oakridge")
        .text("category", "!!!")
        .text("price", "12.345")
        .text("stock", "-1")
        .text("sku", "bad sku!");
    let res = app.post_multipart(&admin, "/admin/products", form).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    for msg in [
        "Enter the product name",
        "at most two decimals",
        "Stock must be between",
        "letter or digit",
        "A SKU has",
    ] {
        assert!(html.contains(msg), "missing {msg:?}");
    }
    assert!(html.contains(r#"value="Oakridge""#) && html.contains(r#"value="12.345""#));
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn uploads_that_are_not_acceptable_images_are_refused() {
    let app = TestApp::spawn_with(|s| s.media.max_image_megapixels = 2).await;
    let admin = app.admin().await;
    let oversized: Vec<u8> = {
        let mut v = png(64, 64);
        v.resize(6 * 1024 * 1024, 0);
        v
    };
    for (bytes, name, mime, message) in [
        (
            b"%PDF-1.7 not an image".to_vec(),
            "doc.pdf",
            "application/pdf",
            "not a PNG, JPEG, WebP or GIF",
        ),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec(),
            "x.svg",
            "image/svg+xml",
            "not a PNG, JPEG, WebP or GIF",
        ),
        (oversized, "big.png", "image/png", "larger than 5 MiB"),
        (
            png(2000, 1500),
            "huge.png",
            "image/png",
            "more than 2 megapixels",
        ),
        (
            png(20, 20)[..40].to_vec(),
            "cut.png",
            "image/png",
            "could not be read",
        ),
    ] {
        let form = product_form("Teapot", "10", "1").part("image", image_part(bytes, name, mime));
        let res = app.post_multipart(&admin, "/admin/products", form).await;
        assert_eq!(res.status(), 422, "{name}");
        assert!(
            res.text().await.unwrap().contains(message),
            "{name}: {message}"
        );
    }
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn updates_are_audited_with_what_changed_and_skus_stay_unique() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let a = app
        .product("Oak Tray", "Oakridge", "Kitchen", 1250, 5)
        .await;
    app.product("Oak Spoon", "Oakridge", "Kitchen", 500, 5)
        .await;
    let res = app
        .post_multipart(
            &admin,
            &format!("/admin/products/{a}"),
            product_form("Oak Tray", "9.99", "10"),
        )
        .await;
    assert_eq!(res.status(), 303);
    let details: String =
        sqlx::query_scalar("SELECT details FROM audit_log WHERE action = 'update'")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert!(
        details.contains("price: 12.50 → 9.99") && details.contains("stock: 5 → 10"),
        "{details}"
    );
    let dashboard = app.get_as(&admin, "/admin").await.text().await.unwrap();
    assert!(dashboard.contains("price: 12.50 → 9.99") && dashboard.contains("boss"));
    let taken: String = sqlx::query_scalar("SELECT sku FROM products WHERE name = 'Oak Spoon'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let form = product_form("Oak Tray", "9.99", "10").text("sku", taken);
    let res = app
        .post_multipart(&admin, &format!("/admin/products/{a}"), form)
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("already has this SKU"));
    let res = app
        .post_multipart(
            &admin,
            "/admin/products/999999",
            product_form("X", "1", "1"),
        )
        .await;
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn deleting_removes_the_product_from_the_shop() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let id = app
        .product("Oak Tray", "Oakridge", "Kitchen", 1250, 5)
        .await;
    let res = app
        .post_form_as(&admin, &format!("/admin/products/{id}/delete"), &[])
        .await;
    assert_is_redirect_to(&res, "/admin/products");
    assert_eq!(app.get(&format!("/products/{id}")).await.status(), 404);
    assert!(product_ids(&app.get("/products").await.text().await.unwrap()).is_empty());
    let action: String = sqlx::query_scalar("SELECT action FROM audit_log ORDER BY id DESC")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(action, "delete");
}

#[tokio::test]
async fn admin_lists_link_each_row_and_search() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let id = app
        .product("Copper Kettle", "Hearth", "Kitchen", 4900, 5)
        .await;
    app.product("Desk Lamp", "Lumen", "Lighting", 3500, 5).await;
    let html = app
        .get_as(&admin, "/admin/products?q=copper")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!(r#"href="/admin/products/{id}/edit""#)));
    assert!(html.contains("1 product.") && !html.contains("Desk Lamp"));
}

#[tokio::test]
async fn csv_export_and_import_round_trip() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    app.seed(30).await;
    let res = app.get_as(&admin, "/admin/products/export.csv").await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let csv = res.text().await.unwrap();
    assert!(csv.starts_with(
        "sku,name,description,brand,category,price,stock,active,tax_class,options,variant_of,option1,option2,option3\n"
    ));
    assert_eq!(csv.lines().count(), 31);
    // Change one price and add one product.
    let mut lines: Vec<String> = csv.lines().map(str::to_string).collect();
    let first: Vec<String> = lines[1].split(',').map(str::to_string).collect();
    let price_col = 5;
    assert_eq!(first[0], "EMP-00001");
    let mut edited = first.clone();
    edited[price_col] = "1.23".into();
    assert_eq!(edited[8], "standard");
    edited[8] = "reduced".into();
    lines[1] = edited.join(",");
    lines.push("NEW-1,Imported Mug,A mug,Northwind,Kitchen,4.50,12,true".into());
    let body = lines.join("\n") + "\n";
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(body.into_bytes()).file_name("p.csv"),
    );
    let res = app
        .post_multipart(&admin, "/admin/products/import", form)
        .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("1 product created, 30 updated"), "{html}");
    let (price, class): (i64, String) =
        sqlx::query_as("SELECT price_cents, tax_class FROM products WHERE sku = 'EMP-00001'")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!((price, class.as_str()), (123, "reduced"));
    // A row without the column makes a standard-rate product.
    let class: String = sqlx::query_scalar("SELECT tax_class FROM products WHERE sku = 'NEW-1'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(class, "standard");
    assert_eq!(
        product_ids(&app.get("/products?q=imported").await.text().await.unwrap()).len(),
        1
    );
    // Exporting again gives the same file apart from the two changes.
    let again = app
        .get_as(&admin, "/admin/products/export.csv")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(again.lines().count(), 32);
}

#[tokio::test]
async fn a_csv_with_bad_rows_applies_the_good_ones_and_reports_each_bad_line() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let body = "sku,name,brand,category,price,stock,active\n\
                A-1,Good Mug,Northwind,Kitchen,4.50,3,true\n\
                A-2,,Northwind,Kitchen,4.50,3,true\n\
                A-3,Bad Price,Northwind,Kitchen,four,3,true\n\
                A-4,Bad Stock,Northwind,Kitchen,4.50,-2,yes\n\
                A-1,Duplicate,Northwind,Kitchen,4.50,3,true\n\
                ,No Sku,Northwind,Kitchen,1,1,true\n\
                A-6,Bad Active,Northwind,Kitchen,1,1,maybe\n\
                A-7,=HYPERLINK(\"x\"),Northwind,Kitchen,1,1,false\n";
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(body.as_bytes().to_vec()).file_name("p.csv"),
    );
    let res = app
        .post_multipart(&admin, "/admin/products/import", form)
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("2 products created, 0 updated, 6 rows refused"),
        "{html}"
    );
    for (line, reason) in [
        (3, "Enter the product name"),
        (4, "price"),
        (5, "stock"),
        (6, "same SKU is on line 2"),
        (7, "needs a SKU"),
        (8, "active"),
    ] {
        assert!(
            html.contains(&format!("<tr><td>{line}</td><td>")),
            "line {line}"
        );
        assert!(html.contains(reason), "{reason}");
    }
    // The formula-looking name is kept as text and neutralised again on export.
    let csv = app
        .get_as(&admin, "/admin/products/export.csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("'=HYPERLINK"));
}

#[tokio::test]
async fn a_file_that_is_not_a_product_csv_changes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for (body, message) in [
        (b"name,price\nMug,1\n".to_vec(), "lacks the column"),
        (vec![0xff, 0xfe, 0x00, 0x41], "not UTF-8"),
        (Vec::new(), "Choose a CSV file"),
    ] {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(body).file_name("p.csv"),
        );
        let res = app
            .post_multipart(&admin, "/admin/products/import", form)
            .await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains(message), "{message}");
    }
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn product_text_is_escaped_everywhere() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let id = app
        .product("<img src=x onerror=alert(1)>", "\"><b>", "Kitchen", 100, 1)
        .await;
    for (b, path) in [
        (&app.browser, "/products".to_string()),
        (&app.browser, format!("/products/{id}")),
        (&admin, "/admin/products".into()),
        (&admin, format!("/admin/products/{id}/edit")),
    ] {
        let res = app.get_as(b, &path).await;
        assert_eq!(res.status(), 200, "{path}");
        let html = res.text().await.unwrap();
        // The text is there, as text: escaped in the markup, never as elements.
        assert!(
            !html.contains("<img src=x") && !html.contains("\"><b>"),
            "{path}"
        );
        let page = crate::helpers::Html::parse(&html);
        assert!(page.select("b").is_empty(), "{path}");
        assert!(
            page.texts("h1, .card-name, td, input")
                .iter()
                .any(|t| t.contains("<img src=x onerror=alert(1)>"))
                || page
                    .select("input[name=name]")
                    .iter()
                    .any(|e| e.value().attr("value") == Some("<img src=x onerror=alert(1)>")),
            "{path}: the name is shown"
        );
    }
}

#[tokio::test]
async fn multipart_posts_need_the_csrf_token_too() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let res = admin
        .client
        .post(app.url("/admin/products"))
        .multipart(product_form("Sneaky", "1", "1"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let form = product_form("Sneaky", "1", "1").text("csrf_token", "0".repeat(64));
    let res = admin
        .client
        .post(app.url("/admin/products"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);
}
