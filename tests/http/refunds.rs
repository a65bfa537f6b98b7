//! Partial refunds and credit notes, and the accounting export built from invoices and credit
//! notes.

use std::process::Command;

use crate::helpers::{GOOD_CARD, TestApp, location};

struct Bought {
    order: i64,
    lamp: i64,
    book: i64,
    /// The order's lines by product: (line id, product).
    lines: Vec<(i64, i64)>,
}

/// Ada buys a lamp at 19 % and two books at 7 % with shipping: 23.80 + 2 × 10.70 + 4.95.
async fn lamp_and_books(app: &TestApp, b: &crate::helpers::Browser) -> Bought {
    let lamp = app
        .product("Brass Lamp", "Oakridge", "Lighting", 2380, 5)
        .await;
    let book = app
        .product("Field Guide to Mosses", "Northwind", "Books", 1070, 5)
        .await;
    sqlx::query("UPDATE products SET tax_class = 'reduced' WHERE id = $1")
        .bind(book)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    app.add_to_cart(b, lamp, 1).await;
    app.add_to_cart(b, book, 2).await;
    let res = app.pay(b, GOOD_CARD).await;
    assert_eq!(res.status(), 303);
    let order: i64 = location(&res)
        .trim_start_matches("/orders/")
        .parse()
        .unwrap();
    let lines = sqlx::query_as("SELECT id, product_id FROM order_lines WHERE order_id = $1")
        .bind(order)
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    Bought {
        order,
        lamp,
        book,
        lines,
    }
}

impl Bought {
    fn qty_field(&self, product: i64) -> String {
        let line = self.lines.iter().find(|(_, p)| *p == product).unwrap().0;
        format!("qty_{line}")
    }
}

impl TestApp {
    /// (number, total, VAT per rate as "rate:vat" pairs) of an order's credit notes.
    async fn credit_notes(&self, order: i64) -> Vec<(String, i64)> {
        sqlx::query_as(
            "SELECT number, total_cents FROM credit_notes WHERE order_id = $1 ORDER BY id",
        )
        .bind(order)
        .fetch_all(self.state.db.pool())
        .await
        .unwrap()
    }

    async fn refunded_at_gateway(&self) -> i64 {
        sqlx::query_scalar(
            "SELECT refunded_cents FROM mock_gateway_authorisations WHERE state = 'captured'",
        )
        .fetch_one(self.state.db.pool())
        .await
        .unwrap()
    }
}

#[tokio::test]
async fn a_partial_refund_issues_a_credit_note_and_the_rest_is_credited_to_the_cent() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (user, b) = app.signed_in("ada").await;
    let bought = lamp_and_books(&app, &b).await;
    let (order, book) = (bought.order, bought.book);
    let form_path = format!("/admin/orders/{order}/refunds");
    let page = app.get_html(&admin, &form_path).await;
    assert_eq!(
        page.select("input[type=number]").len(),
        2,
        "one field per line"
    );
    assert!(page.text_of("main").contains("Refund the shipping (€4.95)"));
    let book_field = bought.qty_field(book);

    // Bad input changes nothing and keeps what was typed.
    let res = app
        .post_form_as(
            &admin,
            &form_path,
            &[(book_field.as_str(), "3"), ("reason", "Torn")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("Refund between 0 and 2 of \u{201c}Field Guide to Mosses\u{201d}."));
    assert!(html.contains(r#"value="Torn""#));
    let res = app
        .post_form_as(&admin, &form_path, &[(book_field.as_str(), "0")])
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Choose at least one unit or the shipping to refund.")
    );
    assert!(app.credit_notes(order).await.is_empty());

    // One book back, into stock, with a reason.
    let stock_before = app.stock(book).await;
    let res = app
        .post_form_as(
            &admin,
            &form_path,
            &[
                (book_field.as_str(), "1"),
                ("restock", "on"),
                ("reason", "Damaged in transit"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let notes = app.credit_notes(order).await;
    assert_eq!(notes.len(), 1);
    let (number, total) = &notes[0];
    assert!(
        number.starts_with("CN-") && number.ends_with("-000001"),
        "{number}"
    );
    assert_eq!(*total, 1070);
    assert_eq!(app.stock(book).await, stock_before + 1);
    assert_eq!(app.refunded_at_gateway().await, 1070);
    let mail = app
        .mails_to(&user.email)
        .await
        .into_iter()
        .find(|m| m.subject.contains("A refund for your order"))
        .expect("the refund mail");
    assert!(mail.text.contains(number.as_str()));
    assert_eq!(
        mail.attachments,
        [format!("credit-note-{number}.pdf")],
        "the credit note goes with it"
    );
    // The customer sees it on the order and the invoice, which itself is unchanged.
    let order_page = app.get_html(&b, &format!("/orders/{order}")).await;
    assert!(order_page.text_of("main").contains("Still paid: €39.45"));
    assert_eq!(
        order_page.links(".credit-notes a"),
        [format!("/orders/{order}/credit-notes/{number}")]
    );
    let invoice = app.get_html(&b, &format!("/orders/{order}/invoice")).await;
    assert!(invoice.text_of("h1").starts_with("Invoice"));
    assert!(invoice.text_of("main").contains("€50.15"));
    let note = app
        .get_html(&b, &format!("/orders/{order}/credit-notes/{number}"))
        .await;
    assert_eq!(note.text_of("h1"), format!("Credit note {number}"));
    let text = note.text_of("main");
    assert!(text.contains("Credits invoice") && text.contains("Reason: Damaged in transit"));
    assert_eq!(
        note.texts(".totals dt.minor, .totals dd.minor"),
        ["Net at 7%", "€10.00", "VAT 7%", "€0.70"]
    );
    let pdf = app
        .get_as(&b, &format!("/orders/{order}/credit-notes/{number}.pdf"))
        .await;
    assert_eq!(pdf.status(), 200);
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
    // Nobody else sees it.
    let (_, eve) = app.signed_in("eve").await;
    let res = app
        .get_as(&eve, &format!("/orders/{order}/credit-notes/{number}"))
        .await;
    assert_eq!(res.status(), 404);

    // The rest: a full refund credits what is left, and every rate adds up to the invoice.
    let res = app
        .post_form_as(
            &admin,
            &format!("/admin/orders/{order}/status"),
            &[("status", "refunded")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let notes = app.credit_notes(order).await;
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[1].1, 2380 + 1070 + 495);
    assert_eq!(app.refunded_at_gateway().await, 5015);
    let snapshots: Vec<String> =
        sqlx::query_scalar("SELECT snapshot FROM credit_notes WHERE order_id = $1 UNION ALL SELECT snapshot FROM invoices WHERE order_id = $1")
            .bind(order)
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    let mut by_rate = std::collections::BTreeMap::<i64, (i64, i64)>::new();
    for s in &snapshots {
        let v: serde_json::Value = serde_json::from_str(s).unwrap();
        let sign = if v["kind"] == "credit_note" { -1 } else { 1 };
        for l in v["vat_lines"].as_array().unwrap() {
            let e = by_rate.entry(l["percent"].as_i64().unwrap()).or_default();
            e.0 += sign * l["gross_cents"].as_i64().unwrap();
            e.1 += sign * l["vat_cents"].as_i64().unwrap();
        }
    }
    assert_eq!(
        by_rate.values().copied().collect::<Vec<_>>(),
        [(0, 0), (0, 0)]
    );
    // Nothing is left to refund.
    let page = app.get_html(&admin, &form_path).await;
    assert!(
        page.text_of("main")
            .contains("Everything of this order has been refunded.")
    );
    let res = app
        .post_form_as(&admin, &form_path, &[(book_field.as_str(), "1")])
        .await;
    assert_eq!(res.status(), 409);
    let _ = bought.lamp;
}

#[tokio::test]
async fn cancelling_a_paid_order_issues_a_credit_note_and_mails_it() {
    let app = TestApp::spawn().await;
    let (user, b) = app.signed_in("ada").await;
    let bought = lamp_and_books(&app, &b).await;
    let order = bought.order;
    let res = app
        .post_form_as(&b, &format!("/orders/{order}/cancel"), &[])
        .await;
    assert_eq!(res.status(), 303);
    let notes = app.credit_notes(order).await;
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].1, 5015);
    let mail = app
        .mails_to(&user.email)
        .await
        .into_iter()
        .find(|m| m.subject.contains("was cancelled"))
        .unwrap();
    assert!(mail.text.contains(&notes[0].0));
    assert_eq!(mail.attachments.len(), 1);
    assert_eq!(app.stock(bought.lamp).await, 5);
    assert_eq!(app.stock(bought.book).await, 5);
}

#[tokio::test]
async fn the_accounting_export_lists_invoices_and_credit_notes_with_vat_per_rate() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (_, b) = app.signed_in("ada").await;
    let first = lamp_and_books(&app, &b).await;
    // A second order of one lamp, kept.
    app.add_to_cart(&b, first.lamp, 1).await;
    assert_eq!(app.pay(&b, GOOD_CARD).await.status(), 303);
    let form_path = format!("/admin/orders/{}/refunds", first.order);
    let res = app
        .post_form_as(
            &admin,
            &form_path,
            &[
                (first.qty_field(first.book).as_str(), "2"),
                ("shipping", "on"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);

    // This month by default: two invoices and one credit note.
    let page = app.get_html(&admin, "/admin/reports").await;
    assert_eq!(page.select("#documents tbody tr").len(), 3);
    let csv = app
        .get_as(&admin, "/admin/reports/documents.csv")
        .await
        .text()
        .await
        .unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "type,number,date,order,customer,net,vat_19,vat_7,gross,currency,payment_reference"
    );
    let rows: Vec<Vec<String>> = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    assert_eq!(rows.len(), 3);
    let credit = rows.iter().find(|r| r[0] == "credit_note").unwrap();
    // Two books (21.40 at 7 %) and the shipping (4.95 at 19 %), negative.
    assert_eq!(credit[8], "-26.35");
    assert_eq!((credit[6].as_str(), credit[7].as_str()), ("-0.79", "-1.40"));
    assert!(credit[10].starts_with("mock_auth_"), "{credit:?}");
    // The VAT summary adds the month up per rate; the same from the command line.
    let vat = app
        .get_as(&admin, "/admin/reports/vat.csv")
        .await
        .text()
        .await
        .unwrap();
    let month = &rows[0][2][..7];
    assert_eq!(
        vat,
        format!(
            "month,rate_percent,net,vat,gross\n{month},19,44.16,8.39,52.55\n{month},7,0.00,0.00,0.00\n"
        )
    );
    let out = Command::new(env!("CARGO_BIN_EXE_emporium"))
        .args(["report", "vat"])
        .env_remove("EMPORIUM_CONFIG")
        .env(
            "EMPORIUM_DATABASE__URL",
            secrecy::ExposeSecret::expose_secret(&app.state.settings.database.url),
        )
        .env("EMPORIUM_DEMO__SEED", "false")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8(out.stdout).unwrap(), vat);

    // A bad period is explained; staff without the admin role do not see the money.
    let res = app.get_as(&admin, "/admin/reports?from=2026-13-01").await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Enter the date as YYYY-MM-DD")
    );
    let orders_staff = app
        .staff("olga", &[emporium::domain::StaffRole::Orders])
        .await;
    assert_eq!(
        app.get_as(&orders_staff, "/admin/reports").await.status(),
        403
    );
}

#[tokio::test]
async fn invoices_and_credit_notes_download_as_en16931_xml_that_adds_up() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (_, b) = app.signed_in("ada").await;
    let bought = lamp_and_books(&app, &b).await;
    let order = bought.order;
    let res = app
        .post_form_as(
            &admin,
            &format!("/admin/orders/{order}/refunds"),
            &[
                (bought.qty_field(bought.book).as_str(), "1"),
                ("shipping", "on"),
                ("reason", "Late & damaged"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (number, _) = app.credit_notes(order).await.remove(0);
    let invoice_page = app.get_html(&b, &format!("/orders/{order}/invoice")).await;
    assert!(
        invoice_page
            .links("a")
            .contains(&format!("/orders/{order}/invoice.xml"))
    );
    let res = app
        .get_as(&b, &format!("/orders/{order}/invoice.xml"))
        .await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/xml")
    );
    let invoice = res.text().await.unwrap();
    let credit = app
        .get_as(&b, &format!("/orders/{order}/credit-notes/{number}.xml"))
        .await
        .text()
        .await
        .unwrap();
    for (xml, code) in [(&invoice, "380"), (&credit, "381")] {
        assert!(xml.contains("<ram:ID>urn:cen.eu:en16931:2017</ram:ID>"));
        assert!(xml.contains(&format!("<ram:TypeCode>{code}</ram:TypeCode>")));
        assert!(xml.contains(r#"<ram:ID schemeID="VA">DE000000000</ram:ID>"#));
    }
    // The invoice: lamp 20.00 net + shipping 4.16 at 19 %, books 20.00 at 7 %; 50.15 in all.
    assert!(invoice.contains("<ram:LineTotalAmount>40.00</ram:LineTotalAmount>"));
    assert!(invoice.contains("<ram:ChargeTotalAmount>4.16</ram:ChargeTotalAmount>"));
    assert!(invoice.contains("<ram:GrandTotalAmount>50.15</ram:GrandTotalAmount>"));
    // The credit note: one book and the shipping, against the invoice, with its reason escaped.
    assert!(credit.contains("<ram:GrandTotalAmount>15.65</ram:GrandTotalAmount>"));
    assert!(credit.contains("<ram:IssuerAssignedID>"));
    assert!(credit.contains("Late &amp; damaged"));
    // Nobody else's.
    let (_, eve) = app.signed_in("eve").await;
    assert_eq!(
        app.get_as(&eve, &format!("/orders/{order}/invoice.xml"))
            .await
            .status(),
        404
    );
    // Factur-X: the same XML inside a PDF/A-3.
    let facturx = |path: String| {
        let b = b.client.clone();
        let url = app.url(&path);
        async move {
            let res = b.get(url).send().await.unwrap();
            assert_eq!(res.status(), 200);
            res.bytes().await.unwrap().to_vec()
        }
    };
    let invoice_pdf = facturx(format!("/orders/{order}/invoice-facturx.pdf")).await;
    let credit_pdf = facturx(format!("/orders/{order}/credit-notes/{number}-facturx.pdf")).await;
    for pdf in [&invoice_pdf, &credit_pdf] {
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(pdf);
        assert!(text.contains("urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"));
        assert!(text.contains("pdfaid:part>3<") || text.contains("pdfaid:part=\"3\""));
    }
    // For `scripts/einvoice-check` (the Factur-X checks in CI).
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("einvoice");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("invoice.xml"), &invoice).unwrap();
    std::fs::write(dir.join("credit-note.xml"), &credit).unwrap();
    std::fs::write(dir.join("invoice-facturx.pdf"), &invoice_pdf).unwrap();
    std::fs::write(dir.join("credit-note-facturx.pdf"), &credit_pdf).unwrap();
}

#[tokio::test]
async fn a_setting_mails_invoices_as_factur_x_instead_of_the_plain_pdf() {
    for facturx in [false, true] {
        let app = TestApp::spawn_with(|s| s.store.mail_facturx = facturx).await;
        let (_, b) = app.signed_in("ada").await;
        let bought = lamp_and_books(&app, &b).await;
        let spec = format!("invoice:{}", bought.order);
        let (name, bytes) = app
            .state
            .attachments
            .render(&app.state, &spec)
            .await
            .unwrap()
            .unwrap();
        assert!(name.starts_with("invoice-") && name.ends_with(".pdf"));
        let text = String::from_utf8_lossy(&bytes);
        assert_eq!(
            text.contains("urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"),
            facturx,
            "mail_facturx = {facturx}"
        );
    }
}
