//! Bar charts drawn as SVG on the server: the geometry is computed here, the template only
//! places it. Every chart has a title, axis labels, each bar's exact value in a `<title>`, and
//! its numbers in a table for screen readers and for anyone who prefers figures. The bars'
//! meaning never depends on colour.

/// The drawing area, in SVG user units (the SVG scales to its container).
pub const WIDTH: i64 = 640;
pub const HEIGHT: i64 = 240;
const LEFT: i64 = 72;
const RIGHT: i64 = 12;
const TOP: i64 = 12;
const BOTTOM: i64 = 44;

pub struct Bar {
    pub x: i64,
    pub y: i64,
    pub width: i64,
    pub height: i64,
    /// "2026-11-27: 12 orders".
    pub title: String,
}

pub struct Tick {
    /// Position along the axis (y for the value axis, x for the category axis).
    pub at: i64,
    pub text: String,
}

pub struct BarChart {
    /// Unique on the page (for `aria-labelledby`).
    pub id: &'static str,
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub bars: Vec<Bar>,
    pub y_ticks: Vec<Tick>,
    pub x_ticks: Vec<Tick>,
    /// The numbers: (category, value as shown).
    pub rows: Vec<(String, String)>,
    pub value_heading: String,
    pub category_heading: String,
}

impl BarChart {
    pub fn width(&self) -> i64 {
        WIDTH
    }
    pub fn height(&self) -> i64 {
        HEIGHT
    }
    pub fn plot_left(&self) -> i64 {
        LEFT
    }
    pub fn plot_right(&self) -> i64 {
        WIDTH - RIGHT
    }
    pub fn plot_top(&self) -> i64 {
        TOP
    }
    pub fn plot_bottom(&self) -> i64 {
        HEIGHT - BOTTOM
    }
    /// Where the x axis label sits.
    pub fn x_label_at(&self) -> (i64, i64) {
        ((LEFT + WIDTH - RIGHT) / 2, HEIGHT - 6)
    }
    /// Where the y axis label sits (rotated).
    pub fn y_label_at(&self) -> (i64, i64) {
        (14, (TOP + HEIGHT - BOTTOM) / 2)
    }
}

/// The smallest "round" number (1, 2 or 5 times a power of ten) at or above `max`.
pub fn nice_ceiling(max: i64) -> i64 {
    if max <= 0 {
        return 1;
    }
    let mut step = 1_i64;
    loop {
        for m in [1, 2, 5] {
            if let Some(v) = step.checked_mul(m)
                && v >= max
            {
                return v;
            }
        }
        match step.checked_mul(10) {
            Some(s) => step = s,
            None => return max,
        }
    }
}

/// One value of the series.
pub struct Point {
    pub category: String,
    /// Shown under the bar (empty: no tick; long series label every few bars).
    pub tick: String,
    pub value: i64,
    pub shown: String,
}

pub struct ChartText {
    pub id: &'static str,
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub category_heading: String,
    pub value_heading: String,
}

/// Lays out the bars; `axis` formats a value for the value axis.
pub fn bar_chart(text: ChartText, points: Vec<Point>, axis: impl Fn(i64) -> String) -> BarChart {
    let max = nice_ceiling(points.iter().map(|p| p.value).max().unwrap_or(0));
    let plot_h = HEIGHT - BOTTOM - TOP;
    let plot_w = WIDTH - RIGHT - LEFT;
    let n = i64::try_from(points.len()).unwrap_or(1).max(1);
    let slot = plot_w / n;
    let bar_w = (slot * 7 / 10).max(1);
    let scaled = |v: i64| v.clamp(0, max) * plot_h / max;
    let mut bars = Vec::with_capacity(points.len());
    let mut x_ticks = Vec::new();
    let mut rows = Vec::with_capacity(points.len());
    for (i, p) in (0_i64..).zip(points) {
        let h = scaled(p.value);
        let x = LEFT + i * slot + (slot - bar_w) / 2;
        bars.push(Bar {
            x,
            y: HEIGHT - BOTTOM - h,
            width: bar_w,
            height: h,
            title: format!("{}: {}", p.category, p.shown),
        });
        if !p.tick.is_empty() {
            x_ticks.push(Tick {
                at: x + bar_w / 2,
                text: p.tick,
            });
        }
        rows.push((p.category, p.shown));
    }
    let y_ticks = (0..=4)
        .map(|k| Tick {
            at: HEIGHT - BOTTOM - plot_h * k / 4,
            text: axis(max * k / 4),
        })
        .collect();
    BarChart {
        id: text.id,
        title: text.title,
        x_label: text.x_label,
        y_label: text.y_label,
        category_heading: text.category_heading,
        value_heading: text.value_heading,
        bars,
        y_ticks,
        x_ticks,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(nice_ceiling(0), 1);
        assert_eq!(nice_ceiling(7), 10);
        assert_eq!(nice_ceiling(12), 20);
        assert_eq!(nice_ceiling(150), 200);
        assert_eq!(nice_ceiling(4_999), 5_000);
        assert_eq!(nice_ceiling(5_001), 10_000);
    }

    #[test]
    fn bars_are_as_tall_as_their_share_of_the_axis() {
        let text = ChartText {
            id: "t",
            title: "T".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            category_heading: "c".into(),
            value_heading: "v".into(),
        };
        let points = [0, 5, 10]
            .into_iter()
            .map(|v| Point {
                category: format!("c{v}"),
                tick: String::new(),
                value: v,
                shown: v.to_string(),
            })
            .collect();
        let c = bar_chart(text, points, |v| v.to_string());
        let plot_h = HEIGHT - BOTTOM - TOP;
        assert_eq!(c.bars[0].height, 0);
        assert_eq!(c.bars[1].height, plot_h / 2);
        assert_eq!(c.bars[2].height, plot_h);
        assert_eq!(c.bars[2].y, TOP);
        assert_eq!(c.y_ticks.last().map(|t| t.text.as_str()), Some("10"));
        assert_eq!(c.rows[1], ("c5".to_string(), "5".to_string()));
    }
}
