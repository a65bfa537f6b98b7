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

/// The value axis: four equal steps of a "round" size (1, 2 or 5 times a power of ten, at
/// least `min_step`) that reach `max`. Returns the step.
pub fn axis_step(max: i64, min_step: i64) -> i64 {
    let needed = (max.max(0) + 3) / 4;
    let mut power = 1_i64;
    loop {
        for m in [1, 2, 5] {
            if let Some(v) = power.checked_mul(m)
                && v >= needed
                && v >= min_step
            {
                return v;
            }
        }
        match power.checked_mul(10) {
            Some(p) => power = p,
            None => return needed.max(min_step).max(1),
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

/// Lays out the bars; `axis` formats a value for the value axis, whose steps are at least
/// `min_step` (1 for counts, 100 for money in cents).
pub fn bar_chart(
    text: ChartText,
    points: Vec<Point>,
    min_step: i64,
    axis: impl Fn(i64) -> String,
) -> BarChart {
    let step = axis_step(points.iter().map(|p| p.value).max().unwrap_or(0), min_step);
    let max = step * 4;
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
            text: axis(step * k),
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
    fn axes_step_in_round_numbers() {
        assert_eq!(axis_step(0, 1), 1);
        assert_eq!(axis_step(4, 1), 1);
        assert_eq!(axis_step(13, 1), 5);
        assert_eq!(axis_step(150, 1), 50);
        assert_eq!(axis_step(0, 100), 100);
        assert_eq!(axis_step(19_999, 100), 5_000);
        assert_eq!(axis_step(20_001, 100), 10_000);
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
        let c = bar_chart(text, points, 1, |v| v.to_string());
        let plot_h = HEIGHT - BOTTOM - TOP;
        // Steps of 5 up to 20: a bar of 10 reaches halfway.
        assert_eq!(c.bars[0].height, 0);
        assert_eq!(c.bars[1].height, plot_h / 4);
        assert_eq!(c.bars[2].height, plot_h / 2);
        let ticks: Vec<&str> = c.y_ticks.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(ticks, ["0", "5", "10", "15", "20"]);
        assert_eq!(c.rows[1], ("c5".to_string(), "5".to_string()));
    }
}
