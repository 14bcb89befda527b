//! Charts drawn with `plotters`' SVG backend: horizontal bars grouped by row (a peer),
//! one bar per series, each with a min–max whisker.
//!
//! Text goes into the SVG as `<text>` elements (no font files are read); plotters only
//! estimates its width for the layout, so labels get generous room.

use std::fmt;

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, ValueFormatter};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::summary::{Summary, format_number};

/// A grouped horizontal bar chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Bars {
    /// The title.
    pub title: String,
    /// The value axis label (unit).
    pub unit: String,
    /// The series: one bar per series in each row.
    pub series: Vec<String>,
    /// Rows: a label and one value per series.
    pub rows: Vec<(String, Vec<Option<Summary>>)>,
    /// Multiply values by this before drawing (e.g. 1e-6 for millions).
    pub scale: f64,
}

/// A chart that could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartError(String);

impl fmt::Display for ChartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot draw the chart: {}", self.0)
    }
}

impl std::error::Error for ChartError {}

/// Colours for the series, in order (then repeated).
const PALETTE: [RGBColor; 4] = [
    RGBColor(0x2b, 0x6c, 0xb0),
    RGBColor(0xdd, 0x6b, 0x20),
    RGBColor(0x38, 0xa1, 0x69),
    RGBColor(0x80, 0x5a, 0xd5),
];

/// The min–max whiskers.
const WHISKER: RGBColor = RGBColor(0x22, 0x22, 0x22);

const WIDTH: u32 = 900;
/// Pixels per bar.
const BAR: u32 = 14;
/// Pixels between rows.
const GAP: u32 = 12;
/// Title and legend. (plotters draws a font of size `s` at `s / 1.24` pixels.)
const HEADER: u32 = 64;
/// The value axis: tick labels and the unit.
const AXIS: u32 = 44;
const FONT: &str = "sans-serif";

impl Bars {
    /// The SVG document.
    ///
    /// # Errors
    ///
    /// [`ChartError`] when plotters fails to lay out or draw an element.
    pub fn render(&self) -> Result<String, ChartError> {
        let rows = u32::try_from(self.rows.len().max(1)).unwrap_or(u32::MAX);
        let series = u32::try_from(self.series.len().max(1)).unwrap_or(u32::MAX);
        let height = HEADER + AXIS + 16 + rows * (series * BAR + GAP);
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
            self.draw(&root).map_err(|e| ChartError(e.to_string()))?;
            root.present().map_err(|e| ChartError(e.to_string()))?;
        }
        svg.push('\n');
        Ok(svg)
    }

    /// The largest value drawn (a whisker's end), scaled.
    fn largest(&self) -> f64 {
        self.rows
            .iter()
            .flat_map(|(_, values)| values.iter().flatten())
            .map(|s| s.max * self.scale)
            .fold(0.0, f64::max)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        root.fill(&WHITE)?;
        let (header, plot) = root.split_vertically(HEADER);
        header.draw(&Text::new(
            self.title.clone(),
            (i32::try_from(WIDTH / 2).unwrap_or(0), 10),
            (FONT, 21)
                .into_font()
                .style(FontStyle::Bold)
                .color(&BLACK)
                .pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
        self.legend(&header)?;

        let rows = self.rows.len() as f64;
        let hi = nice_ceiling(self.largest());
        let mut chart = ChartBuilder::on(&plot)
            .margin_right(30)
            .margin_top(4)
            .x_label_area_size(AXIS)
            .y_label_area_size(150)
            .build_cartesian_2d(
                0.0..hi,
                RowAxis {
                    rows: self.rows.len(),
                },
            )?;
        let label = |y: &f64| {
            let r = (rows - y - 0.5).round();
            self.rows
                .get(r as usize)
                .filter(|_| r >= 0.0)
                .map_or_else(String::new, |(name, _)| name.clone())
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_labels(8)
            .x_label_formatter(&|x| tick_label(*x))
            .y_label_formatter(&label)
            .x_desc(self.unit.as_str())
            .label_style((FONT, 16))
            .axis_desc_style((FONT, 17))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(RGBColor(0xdd, 0xdd, 0xdd))
            .draw()?;

        let band = 0.8 / self.series.len().max(1) as f64;
        for (r, (_, values)) in self.rows.iter().enumerate() {
            let top = rows - r as f64 - 0.1;
            for (s, value) in values.iter().enumerate() {
                let Some(value) = value else { continue };
                let colour = PALETTE[s % PALETTE.len()];
                let (y0, y1) = (top - band * (s as f64 + 1.0), top - band * s as f64);
                let end = value.median * self.scale;
                chart.draw_series([Rectangle::new(
                    [(0.0, y0 + band * 0.08), (end, y1 - band * 0.08)],
                    colour.filled(),
                )])?;
                if value.n > 1 {
                    let (a, b) = (value.min * self.scale, value.max * self.scale);
                    let (mid, cap) = (f64::midpoint(y0, y1), band * 0.25);
                    chart.draw_series([
                        PathElement::new([(a, mid), (b, mid)], WHISKER),
                        PathElement::new([(a, mid - cap), (a, mid + cap)], WHISKER),
                        PathElement::new([(b, mid - cap), (b, mid + cap)], WHISKER),
                    ])?;
                }
            }
        }
        Ok(())
    }

    /// A swatch and a name per series, left to right under the title.
    fn legend<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let mut x = 200;
        for (s, name) in self.series.iter().enumerate() {
            let colour = PALETTE[s % PALETTE.len()];
            area.draw(&Rectangle::new([(x, 38), (x + 12, 50)], colour.filled()))?;
            area.draw(&Text::new(name.clone(), (x + 18, 37), (FONT, 17)))?;
            x += 40 + 8 * i32::try_from(name.len()).unwrap_or(0);
        }
        Ok(())
    }
}

/// The row axis: row `r` of `rows` (from the top) spans `[rows - r - 1, rows - r]`, its
/// label at the centre.
#[derive(Debug, Clone, Copy)]
struct RowAxis {
    rows: usize,
}

impl Ranged for RowAxis {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = f64::from(limit.1 - limit.0);
        limit.0 + (value / self.rows.max(1) as f64 * span).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            return Vec::new();
        }
        (0..self.rows).map(|r| r as f64 + 0.5).collect()
    }

    fn range(&self) -> Range<f64> {
        0.0..self.rows.max(1) as f64
    }
}

impl ValueFormatter<f64> for RowAxis {
    fn format(value: &f64) -> String {
        value.to_string()
    }
}

/// The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 (times a power of ten) at least `x`.
fn nice_ceiling(x: f64) -> f64 {
    if x <= 0.0 || !x.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|v| *v >= x * 0.999_999)
        .unwrap_or(10.0 * p)
}

/// An axis tick: whole numbers with separators, small ones with as many decimals as
/// they need.
fn tick_label(v: f64) -> String {
    if v.abs() >= 1.0 || v == 0.0 {
        let digits = if v.fract().abs() > 1e-9 { 1 } else { 0 };
        format_number(v, digits)
    } else {
        let digits = (-v.abs().log10()).ceil().clamp(0.0, 6.0) as usize;
        format!("{v:.digits$}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> Bars {
        Bars {
            title: "a <title> & more".into(),
            unit: "ms".into(),
            series: vec!["p50".into(), "p99".into()],
            rows: vec![
                (
                    "one".into(),
                    vec![Summary::of([1.0, 2.0, 3.0]), Summary::of([10.0])],
                ),
                ("two".into(), vec![None, Summary::of([250.0])]),
            ],
            scale: 1.0,
        }
    }

    #[test]
    fn a_well_formed_document_with_every_bar_label_and_whisker() {
        let svg = chart().render().unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("a &lt;title&gt; &amp; more"), "{svg}");
        // plotters writes each text on a line of its own.
        for text in ["one", "two", "p50", "p99", "ms"] {
            assert!(svg.lines().any(|line| line == text), "{text} missing");
        }
        // Bars are filled with the series colours: one of the first, two of the second
        // (plus each legend swatch).
        assert_eq!(svg.matches("fill=\"#2B6CB0\"").count(), 2, "{svg}");
        assert_eq!(svg.matches("fill=\"#DD6B20\"").count(), 3, "{svg}");
        // One whisker (three strokes): only the first value has several repetitions.
        assert_eq!(svg.matches("stroke=\"#222222\"").count(), 3, "{svg}");
    }

    #[test]
    fn an_empty_chart_still_draws() {
        let empty = Bars {
            rows: Vec::new(),
            ..chart()
        };
        assert!(empty.render().unwrap().contains("</svg>"));
    }

    #[test]
    fn axes() {
        assert_eq!(nice_ceiling(0.7), 0.8);
        assert_eq!(nice_ceiling(130.0), 150.0);
        assert_eq!(nice_ceiling(5.15), 6.0);
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(tick_label(0.0), "0");
        assert_eq!(tick_label(0.01), "0.01");
        assert_eq!(tick_label(2.5), "2.5");
        assert_eq!(tick_label(20_000.0), "20,000");
    }
}
