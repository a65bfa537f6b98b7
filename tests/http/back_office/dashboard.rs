//! `/admin`: figures for today, 7 and 30 days from real orders, what waits for the staff, and
//! charts with their numbers in tables.

use super::Fixture;
use crate::helpers::TestApp;

#[tokio::test]
async fn the_dashboard_counts_revenue_orders_and_customers_and_charts_them() {
    let app = TestApp::spawn().await;
    let f = Fixture::new(&app).await;
    let lamp = app
        .product("Brass Lamp", "Lumen", "Lighting", 3000, 3)
        .await;
    let (_, bob) = app.signed_in("bob").await;
    app.bought(&bob, lamp, 2).await;
    // An order of 40 days ago counts in none of the periods.
    sqlx::query("UPDATE orders SET created_at = created_at - 40 * 86400 WHERE id = $1")
        .bind(f.order)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let admin = app.admin().await;
    let page = app.get_html(&admin, "/admin").await;
    let total: i64 = sqlx::query_scalar("SELECT total_cents FROM orders WHERE id <> $1")
        .bind(f.order)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let revenue = emporium::domain::Money::from_cents(total).display("EUR");
    // Today, 7 days, 30 days: Bob's order only (one order, its total, the same average), and
    // Ada and Bob registered today (staff are not customers).
    for n in 1..=3 {
        let cells = page.texts(&format!(".figures tbody tr:nth-child({n}) td"));
        assert_eq!(
            cells,
            [revenue.clone(), "1".into(), revenue.clone(), "2".into()],
            "row {n}"
        );
    }
    assert_eq!(
        page.texts(".figures tbody th"),
        ["Today", "Last 7 days", "Last 30 days"]
    );
    // Waiting: both paid orders are to be shipped, however old; Ada's request is open; the
    // lamp is low.
    let main = page.text_of("main");
    assert!(
        page.links(".stats a")
            .contains(&"/admin/orders?status=paid".to_string())
    );
    assert_eq!(page.text_of(".stats .stat:first-child .stat-value"), "2");
    assert_eq!(page.text_of(".stats .stat:nth-child(2) .stat-value"), "1");
    assert!(main.contains("Brass Lamp: 1 left"), "{main}");
    // Three charts, each titled, with axis labels and the numbers in a table.
    let charts = page.select("figure.chart");
    assert_eq!(charts.len(), 3);
    assert_eq!(page.select("figure.chart svg[role=img] > title").len(), 3);
    let figures = page.texts("figure.chart figcaption");
    assert!(figures[0].starts_with("Revenue per day"), "{figures:?}");
    // The orders chart's table: 30 days, the last (today) with Bob's order.
    let days = page.texts("figure:nth-of-type(2) details tbody td.num");
    assert_eq!(days.len(), 30);
    assert_eq!(days.last().map(String::as_str), Some("1"));
    assert_eq!(days.iter().filter(|d| *d == "0").count(), 29);
    assert!(
        page.texts("figure.chart .chart-label")
            .contains(&"Day (UTC)".to_string())
    );
    // Top products over 30 days: the lamp (Ada's kettle order is older).
    let top = page.texts("#top-heading ~ .table-wrap tbody td:first-child");
    assert_eq!(top, ["Brass Lamp"]);
}
