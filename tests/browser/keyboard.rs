//! A purchase with the keyboard alone (home → product → cart → checkout → order): Tab, typing and
//! Enter, never a click. At every stop the focused element must be on screen with an outline of
//! at least 3:1 contrast against what surrounds it (WCAG 2.2, 1.4.11 and 2.4.7), and after each
//! form focus must land on the message that says what happened.

use fantoccini::Client;
use fantoccini::key::Key;
use serde_json::Value;

use super::helpers::TestApp;
use super::{Driver, artifact, mark_page, path_of, wait_for_new_page};

/// What the focused element looks like: where it is, its outline, and the outline's contrast
/// with the first opaque background behind it.
const FOCUS_PROBE: &str = r#"
const el = document.activeElement;
if (!el || el === document.body) return {ok: false, what: 'nothing', why: 'nothing has focus'};
const rgb = s => { const m = s.match(/rgba?\(([^)]+)\)/); if (!m) return null;
  const p = m[1].split(',').map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
let behind = {r: 255, g: 255, b: 255, a: 1};
for (let n = el.parentElement; n; n = n.parentElement) {
  const c = rgb(getComputedStyle(n).backgroundColor); if (c && c.a > 0) { behind = c; break; } }
const cs = getComputedStyle(el);
const outline = rgb(cs.outlineColor);
const [hi, lo] = [lum(outline), lum(behind)].sort((a, b) => b - a);
const r = el.getBoundingClientRect();
const what = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' + (el.innerText || el.value || '').trim().slice(0, 40) + '"';
const onScreen = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth;
const ratio = (hi + 0.05) / (lo + 0.05);
const width = parseFloat(cs.outlineWidth);
const ok = onScreen && cs.outlineStyle !== 'none' && width >= 2 && ratio >= 3;
return {ok, what, why: `on screen ${onScreen}, outline ${cs.outlineStyle} ${width}px, contrast ${ratio.toFixed(2)}:1`};
"#;

async fn press(c: &Client, key: Key) {
    let k: char = key.into();
    c.active_element()
        .await
        .unwrap()
        .send_keys(&k.to_string())
        .await
        .unwrap();
}

/// Checks the focused element and returns its description.
async fn focus_is_visible(c: &Client, stops: &mut usize) -> String {
    let probe: Value = c.execute(FOCUS_PROBE, vec![]).await.unwrap();
    let what = probe["what"].as_str().unwrap_or("?").to_string();
    assert_eq!(
        probe["ok"],
        true,
        "focus not visible on {} at {what}: {}",
        path_of(c).await,
        probe["why"]
    );
    *stops += 1;
    what
}

/// Tabs until the focused element matches `css`, checking every stop on the way.
async fn tab_to(c: &Client, css: &str, stops: &mut usize) {
    for _ in 0..80 {
        press(c, Key::Tab).await;
        focus_is_visible(c, stops).await;
        let here: Value = c
            .execute(
                "return document.activeElement.matches(arguments[0]);",
                vec![Value::String(css.into())],
            )
            .await
            .unwrap();
        if here == Value::Bool(true) {
            return;
        }
    }
    panic!("{css} is not reachable with Tab on {}", path_of(c).await);
}

/// Tabs to the checkout's pay button and presses Enter.
async fn place_order(c: &Client, stops: &mut usize) {
    tab_to(
        c,
        r#"form[action="/checkout"] button[type="submit"]"#,
        stops,
    )
    .await;
    enter_and_wait(c).await;
}

async fn shot(c: &Client, name: &str) {
    std::fs::write(artifact(name), c.screenshot().await.unwrap()).unwrap();
}

async fn enter_and_wait(c: &Client) {
    mark_page(c).await;
    press(c, Key::Enter).await;
    wait_for_new_page(c).await;
}

async fn type_into(c: &Client, css: &str, text: &str, stops: &mut usize) {
    tab_to(c, css, stops).await;
    c.active_element()
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

/// After a form, focus is on its message (which must itself show focus).
async fn focus_on_message(c: &Client, css: &str, stops: &mut usize) {
    let on: Value = c
        .execute(
            "return document.activeElement.matches(arguments[0]);",
            vec![Value::String(css.into())],
        )
        .await
        .unwrap();
    assert_eq!(
        on,
        true,
        "focus is not on {css} at {}: {}",
        path_of(c).await,
        focus_is_visible(c, stops).await
    );
    focus_is_visible(c, stops).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keyboard_only_guest_buys_with_focus_always_visible() {
    let app = TestApp::spawn().await;
    app.seed(12).await;
    let driver = Driver::start();
    let c = driver.client().await;
    c.set_window_size(1280, 900).await.unwrap();
    let mut stops = 0;

    c.goto(&app.url("/")).await.unwrap();
    // The skip link comes first and is visible when focused.
    press(&c, Key::Tab).await;
    assert!(
        focus_is_visible(&c, &mut stops)
            .await
            .contains("Skip to content")
    );
    tab_to(&c, ".card-link", &mut stops).await;
    shot(&c, "keyboard-01-home.png").await;
    enter_and_wait(&c).await;
    assert!(path_of(&c).await.starts_with("/products/"));

    tab_to(&c, "#quantity", &mut stops).await;
    tab_to(
        &c,
        r#"form[action="/cart/items"] button[type="submit"]"#,
        &mut stops,
    )
    .await;
    shot(&c, "keyboard-02-product.png").await;
    enter_and_wait(&c).await;
    assert_eq!(path_of(&c).await, "/cart");
    focus_on_message(&c, ".flash", &mut stops).await;

    tab_to(&c, r#"a[href="/checkout"]"#, &mut stops).await;
    enter_and_wait(&c).await;
    assert_eq!(path_of(&c).await, "/checkout");
    // A wrong card number first: focus goes to the error summary.
    type_into(&c, "#email", "kim@example.com", &mut stops).await;
    type_into(
        &c,
        "#shipping_address",
        "1 Quiet Lane\n10115 Berlin",
        &mut stops,
    )
    .await;
    type_into(&c, "#card_name", "Kim Park", &mut stops).await;
    type_into(&c, "#card_number", "1234", &mut stops).await;
    type_into(&c, "#card_expiry", "12/30", &mut stops).await;
    type_into(&c, "#card_cvc", "123", &mut stops).await;
    place_order(&c, &mut stops).await;
    focus_on_message(&c, ".error-summary", &mut stops).await;
    shot(&c, "keyboard-03-checkout-error.png").await;
    // The summary links to the field; following it puts the cursor there.
    tab_to(&c, r##".error-summary a[href="#card_number"]"##, &mut stops).await;
    press(&c, Key::Enter).await;
    let field: Value = c
        .execute("return document.activeElement.id;", vec![])
        .await
        .unwrap();
    assert_eq!(field, "card_number");
    c.active_element()
        .await
        .unwrap()
        .send_keys("4242 4242 4242 4242")
        .await
        .unwrap();
    type_into(&c, "#card_cvc", "123", &mut stops).await;
    place_order(&c, &mut stops).await;
    assert!(path_of(&c).await.starts_with("/orders/"));
    focus_on_message(&c, ".flash", &mut stops).await;
    assert!(
        c.find(fantoccini::Locator::Css("body"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("Payment received (Visa •••• 4242)")
    );
    shot(&c, "keyboard-04-order.png").await;
    println!("keyboard purchase: {stops} focus stops, each visible with an outline of 3:1 or more");
    c.close().await.unwrap();
}
