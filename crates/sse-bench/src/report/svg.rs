//! Hand-written SVG charts: horizontal bars, grouped by row, with min–max whiskers.

use std::fmt::Write as _;

use super::summary::{Summary, format_number};

/// A grouped horizontal bar chart.
#[derive(Debug, Clone)]
pub struct Bars {
    /// The title.
    pub title: String,
    /// The value axis label (unit).
    pub unit: String,
    /// The series (one bar per series in each row), with their colours.
    pub series: Vec<(String, &'static str)>,
    /// Rows: a label and one value per series.
    pub rows: Vec<(String, Vec<Option<Summary>>)>,
    /// Logarithmic value axis.
    pub log: bool,
    /// Multiply values by this before drawing (e.g. 1e-6 for millions).
    pub scale: f64,
}

/// Colours for up to four series.
pub const PALETTE: [&str; 4] = ["#2b6cb0", "#dd6b20", "#38a169", "#805ad5"];

const WIDTH: f64 = 900.0;
const LEFT: f64 = 250.0;
const RIGHT: f64 = 40.0;
const TOP: f64 = 64.0;
const BAR: f64 = 12.0;
const GAP: f64 = 10.0;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

impl Bars {
    /// The SVG document.
    #[must_use]
    pub fn render(&self) -> String {
        let values: Vec<f64> = self
            .rows
            .iter()
            .flat_map(|(_, v)| v.iter().flatten().map(|s| s.max * self.scale))
            .filter(|x| *x > 0.0)
            .collect();
        let max = values.iter().copied().fold(0.0, f64::max).max(1e-9);
        let min_positive = values.iter().copied().fold(f64::INFINITY, f64::min);
        let (lo, hi) = if self.log {
            let lo = 10f64.powf(min_positive.min(max).log10().floor());
            let hi = 10f64.powf(max.log10().ceil());
            (lo, if hi <= lo { lo * 10.0 } else { hi })
        } else {
            (0.0, nice_ceiling(max))
        };
        let plot = WIDTH - LEFT - RIGHT;
        let x = |v: f64| -> f64 {
            let v = v.max(lo);
            if self.log {
                LEFT + plot * (v.log10() - lo.log10()) / (hi.log10() - lo.log10())
            } else {
                LEFT + plot * (v - lo) / (hi - lo)
            }
        };
        let row_height = BAR * self.series.len() as f64 + GAP;
        let height = TOP + row_height * self.rows.len() as f64 + 50.0;
        let mut svg = String::new();
        let _ = writeln!(
            svg,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">"#
        );
        let _ = writeln!(
            svg,
            r##"<rect width="100%" height="100%" fill="#ffffff"/>"##
        );
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="22" font-size="15" font-weight="bold" text-anchor="middle">{}</text>"#,
            WIDTH / 2.0,
            escape(&self.title)
        );
        // Legend.
        let mut lx = LEFT;
        for (name, colour) in &self.series {
            let _ = writeln!(
                svg,
                r#"<rect x="{lx}" y="34" width="12" height="12" fill="{colour}"/>"#
            );
            let _ = writeln!(
                svg,
                r#"<text x="{}" y="44">{}</text>"#,
                lx + 16.0,
                escape(name)
            );
            lx += 28.0 + 7.0 * name.len() as f64;
        }
        // Grid and ticks.
        let bottom = TOP + row_height * self.rows.len() as f64;
        for tick in ticks(lo, hi, self.log) {
            let tx = x(tick);
            let _ = writeln!(
                svg,
                r##"<line x1="{tx:.1}" y1="{TOP}" x2="{tx:.1}" y2="{bottom}" stroke="#dddddd"/>"##
            );
            let _ = writeln!(
                svg,
                r#"<text x="{tx:.1}" y="{}" text-anchor="middle">{}</text>"#,
                bottom + 16.0,
                tick_label(tick)
            );
        }
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
            LEFT + plot / 2.0,
            bottom + 36.0,
            escape(&self.unit)
        );
        // Bars.
        for (r, (label, values)) in self.rows.iter().enumerate() {
            let y0 = TOP + row_height * r as f64 + GAP / 2.0;
            let _ = writeln!(
                svg,
                r#"<text x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
                LEFT - 8.0,
                y0 + BAR * self.series.len() as f64 / 2.0 + 4.0,
                escape(label)
            );
            for (s, value) in values.iter().enumerate() {
                let Some(value) = value else { continue };
                let y = y0 + BAR * s as f64;
                let colour = self.series.get(s).map_or("#888888", |(_, c)| c);
                let end = x(value.median * self.scale);
                let _ = writeln!(
                    svg,
                    r#"<rect x="{LEFT}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{colour}"><title>{}</title></rect>"#,
                    (end - LEFT).max(0.5),
                    BAR - 2.0,
                    escape(&value.show(self.scale, 3))
                );
                if value.n > 1 {
                    let (a, b) = (x(value.min * self.scale), x(value.max * self.scale));
                    let ym = y + (BAR - 2.0) / 2.0;
                    let _ = writeln!(
                        svg,
                        r##"<path d="M{a:.1},{ym:.1}H{b:.1}M{a:.1},{:.1}V{:.1}M{b:.1},{:.1}V{:.1}" stroke="#222222" fill="none"/>"##,
                        ym - 3.0,
                        ym + 3.0,
                        ym - 3.0,
                        ym + 3.0
                    );
                }
            }
        }
        svg.push_str("</svg>\n");
        svg
    }
}

/// The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 (times a power of ten) at least `x`.
fn nice_ceiling(x: f64) -> f64 {
    let p = 10f64.powf(x.log10().floor());
    [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|v| *v >= x * 0.999_999)
        .unwrap_or(10.0 * p)
}

/// A tick step for an axis up to `hi`: 1, 2 or 5 times a power of ten, at most 8 steps.
fn tick_step(hi: f64) -> f64 {
    let p = 10f64.powf((hi / 5.0).log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|step| hi / step <= 8.0)
        .unwrap_or(10.0 * p)
}

fn ticks(lo: f64, hi: f64, log: bool) -> Vec<f64> {
    if log {
        let mut out = Vec::new();
        let mut p = lo;
        while p <= hi * 1.0001 {
            out.push(p);
            p *= 10.0;
        }
        out
    } else {
        let step = tick_step(hi);
        (0..=((hi / step).floor() as usize))
            .map(|i| lo + step * i as f64)
            .collect()
    }
}

fn tick_label(v: f64) -> String {
    if v >= 1.0 || v <= 0.0 {
        format_number(v, 0)
    } else {
        let digits = (-v.log10()).ceil().clamp(0.0, 6.0) as usize;
        format!("{v:.digits$}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(log: bool) -> Bars {
        Bars {
            title: "a <title>".into(),
            unit: "ms".into(),
            series: vec![("p50".into(), PALETTE[0]), ("p99".into(), PALETTE[1])],
            rows: vec![
                (
                    "one".into(),
                    vec![Summary::of([1.0, 2.0, 3.0]), Summary::of([10.0])],
                ),
                ("two".into(), vec![None, Summary::of([250.0])]),
            ],
            log,
            scale: 1.0,
        }
    }

    #[test]
    fn a_well_formed_document_with_every_bar() {
        for log in [false, true] {
            let svg = chart(log).render();
            assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
            assert_eq!(svg.matches("</title></rect>").count(), 3, "{svg}");
            assert!(svg.contains("a &lt;title&gt;"));
            // One whisker: only the first value has several repetitions.
            assert_eq!(svg.matches("<path").count(), 1);
        }
    }

    #[test]
    fn axes() {
        assert_eq!(nice_ceiling(0.7), 0.8);
        assert_eq!(nice_ceiling(130.0), 150.0);
        assert_eq!(nice_ceiling(5.15), 6.0);
        assert_eq!(ticks(0.0, 6.0, false), [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(ticks(1.0, 1000.0, true), [1.0, 10.0, 100.0, 1000.0]);
        assert_eq!(ticks(0.0, 200.0, false), [0.0, 50.0, 100.0, 150.0, 200.0]);
        assert_eq!(tick_label(0.0), "0");
        assert_eq!(tick_label(0.01), "0.01");
        assert_eq!(tick_label(20_000.0), "20,000");
    }
}
