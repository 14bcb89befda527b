//! [`Summary`]: median, minimum and maximum over repetitions.

use std::fmt;

/// Median with minimum and maximum of a set of repetitions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// The median (the mean of the middle two for an even count).
    pub median: f64,
    /// The smallest.
    pub min: f64,
    /// The largest.
    pub max: f64,
    /// How many values.
    pub n: usize,
}

impl Summary {
    /// The summary of `values` (NaNs ignored), `None` when there are none.
    #[must_use]
    pub fn of(values: impl IntoIterator<Item = f64>) -> Option<Self> {
        let mut v: Vec<f64> = values.into_iter().filter(|x| !x.is_nan()).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            f64::midpoint(v[n / 2 - 1], v[n / 2])
        };
        Some(Self {
            median,
            min: v[0],
            max: v[n - 1],
            n,
        })
    }

    /// Formats with `digits` decimals, scaled by `scale`: `12.3 [11.9–13.0]` (the
    /// range only when there are several values).
    #[must_use]
    pub fn show(&self, scale: f64, digits: usize) -> String {
        let f = |x: f64| format_number(x * scale, digits);
        if self.n > 1 {
            format!("{} [{}–{}]", f(self.median), f(self.min), f(self.max))
        } else {
            f(self.median)
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.show(1.0, 1))
    }
}

/// `x` with `digits` decimals and thousands separators (`1,234,567.8`).
#[must_use]
pub fn format_number(x: f64, digits: usize) -> String {
    let text = format!("{:.*}", digits, x.abs());
    let (int, frac) = text
        .split_once('.')
        .map_or((text.as_str(), ""), |(i, f)| (i, f));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if x < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_min_max() {
        let s = Summary::of([3.0, 1.0, 2.0]).unwrap();
        assert_eq!((s.median, s.min, s.max, s.n), (2.0, 1.0, 3.0, 3));
        assert_eq!(Summary::of([1.0, 4.0]).unwrap().median, 2.5);
        assert_eq!(Summary::of([]), None);
        assert_eq!(Summary::of([f64::NAN]), None);
    }

    #[test]
    fn shown_with_range_and_separators() {
        let s = Summary::of([1234.6, 1000.0, 2000.0]).unwrap();
        assert_eq!(s.show(1.0, 0), "1,235 [1,000–2,000]");
        assert_eq!(Summary::of([0.25]).unwrap().show(100.0, 1), "25.0");
        assert_eq!(format_number(-1234567.0, 0), "-1,234,567");
        assert_eq!(format_number(-0.0001, 1), "0.0");
    }
}
