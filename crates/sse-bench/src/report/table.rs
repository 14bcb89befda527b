//! [`Table`]: one benchmark's runs as a Markdown table, a row per peer side by side,
//! each column described by how it reads a peer's runs, and the target lines the
//! benchmark checks per peer.

use std::fmt::Write as _;

use super::summary::Summary;
use crate::peer::Peer;

/// The runs of one benchmark, looked up by peer.
#[derive(Debug)]
pub struct Runs<'r, R> {
    all: &'r [R],
    peer_of: fn(&R) -> Peer,
}

impl<R> Clone for Runs<'_, R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R> Copy for Runs<'_, R> {}

impl<'r, R> Runs<'r, R> {
    /// `all`, each run of the peer `peer_of` says.
    #[must_use]
    pub const fn new(all: &'r [R], peer_of: fn(&R) -> Peer) -> Self {
        Self { all, peer_of }
    }

    /// The peers that ran, in report order.
    #[must_use]
    pub fn peers(&self) -> Vec<Peer> {
        Peer::ALL
            .into_iter()
            .filter(|p| self.all.iter().any(|r| (self.peer_of)(r) == *p))
            .collect()
    }

    /// `peer`'s runs.
    pub fn of(&self, peer: Peer) -> impl Iterator<Item = &'r R> {
        let peer_of = self.peer_of;
        self.all.iter().filter(move |r| peer_of(r) == peer)
    }

    /// Median, minimum and maximum of `metric` over `peer`'s runs.
    #[must_use]
    pub fn summary(&self, peer: Peer, metric: impl Fn(&R) -> Option<f64>) -> Option<Summary> {
        Summary::of(self.of(peer).filter_map(metric))
    }

    /// `a`'s median of `metric` over `b`'s.
    #[must_use]
    pub fn ratio(&self, a: Peer, b: Peer, metric: impl Fn(&R) -> Option<f64>) -> Option<f64> {
        ratio(self.summary(a, &metric), self.summary(b, &metric))
    }

    /// `peer`'s median of `numerator` over its median of `denominator`.
    #[must_use]
    pub fn ratio_within(
        &self,
        peer: Peer,
        numerator: impl Fn(&R) -> Option<f64>,
        denominator: impl Fn(&R) -> Option<f64>,
    ) -> Option<f64> {
        ratio(
            self.summary(peer, numerator),
            self.summary(peer, denominator),
        )
    }
}

/// `a / b` of medians.
#[must_use]
pub fn ratio(a: Option<Summary>, b: Option<Summary>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b.median > 0.0 => Some(a.median / b.median),
        _ => None,
    }
}

/// How a column shows a [`Summary`]: values times `scale`, `digits` decimals, then
/// `suffix`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Format {
    scale: f64,
    digits: usize,
    suffix: &'static str,
}

impl Format {
    /// `digits` decimals, unscaled.
    #[must_use]
    pub const fn digits(digits: usize) -> Self {
        Self::scaled(1.0, digits)
    }

    /// Values times `scale`, `digits` decimals.
    #[must_use]
    pub const fn scaled(scale: f64, digits: usize) -> Self {
        Self {
            scale,
            digits,
            suffix: "",
        }
    }

    /// The same, followed by `suffix` (`" %"`, `"×"`).
    #[must_use]
    pub const fn then(self, suffix: &'static str) -> Self {
        Self { suffix, ..self }
    }

    /// `12.3 [11.9–13.0]` and the suffix, or `–` (still with the suffix) when absent.
    #[must_use]
    pub fn show(&self, summary: Option<Summary>) -> String {
        let value = summary.map_or_else(|| "–".to_owned(), |s| s.show(self.scale, self.digits));
        value + self.suffix
    }
}

/// A ratio as `1.23×`, or `–`.
#[must_use]
pub fn show_ratio(r: Option<f64>) -> String {
    r.map_or_else(|| "–".to_owned(), |r| format!("{r:.2}×"))
}

/// A line of the report's targets table.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// What is promised.
    pub what: String,
    /// What was measured.
    pub measured: String,
    /// Whether the promise holds.
    pub met: bool,
}

impl Target {
    /// A target on a ratio `r` that must be at least `bound` (`None`: not measured).
    #[must_use]
    pub fn at_least(what: String, r: Option<f64>, bound: f64) -> Option<Self> {
        r.map(|r| Self::new(what, format!("{r:.2}×"), r >= bound))
    }

    /// A target on a ratio `r` that must be at most `bound`.
    #[must_use]
    pub fn at_most(what: String, r: Option<f64>, bound: f64) -> Option<Self> {
        r.map(|r| Self::new(what, format!("{r:.2}×"), r <= bound))
    }

    /// Any target.
    #[must_use]
    pub const fn new(what: String, measured: String, met: bool) -> Self {
        Self {
            what,
            measured,
            met,
        }
    }
}

type Cell<'a, R> = Box<dyn Fn(&Runs<'_, R>, Peer) -> String + 'a>;
type TargetsOf<'a, R> = Box<dyn Fn(&Runs<'_, R>, Peer) -> Vec<Target> + 'a>;

/// A Markdown table: one row per peer that ran, a column per [`Table::column`] (or one of
/// its shorthands: [`Table::value`], [`Table::ratio`]); per peer,
/// the [`Target`]s of [`Table::targets`].
pub struct Table<'a, R> {
    runs: Runs<'a, R>,
    headers: Vec<String>,
    cells: Vec<Cell<'a, R>>,
    targets: Vec<TargetsOf<'a, R>>,
}

impl<R> std::fmt::Debug for Table<'_, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Table")
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

impl<'a, R> Table<'a, R> {
    /// A table of `runs` with only the `peer` column.
    #[must_use]
    pub fn new(runs: Runs<'a, R>) -> Self {
        Self {
            runs,
            headers: Vec::new(),
            cells: Vec::new(),
            targets: Vec::new(),
        }
    }

    /// A column whose cell for a peer is `cell(runs, peer)`.
    #[must_use]
    pub fn column(
        mut self,
        header: impl Into<String>,
        cell: impl Fn(&Runs<'_, R>, Peer) -> String + 'a,
    ) -> Self {
        self.headers.push(header.into());
        self.cells.push(Box::new(cell));
        self
    }

    /// The median [min–max] of `metric` over the peer's runs.
    #[must_use]
    pub fn value(
        self,
        header: impl Into<String>,
        format: Format,
        metric: impl Fn(&R) -> Option<f64> + 'a,
    ) -> Self {
        self.column(header, move |runs, peer| {
            format.show(runs.summary(peer, &metric))
        })
    }

    /// A ratio shown as `1.23×`: `of(runs, peer)`, e.g. from [`Runs::ratio`] or
    /// [`Runs::ratio_within`].
    #[must_use]
    pub fn ratio(
        self,
        header: impl Into<String>,
        of: impl Fn(&Runs<'_, R>, Peer) -> Option<f64> + 'a,
    ) -> Self {
        self.column(header, move |runs, peer| show_ratio(of(runs, peer)))
    }

    /// Target lines for each peer in the table (none for a peer they do not concern).
    #[must_use]
    pub fn targets(mut self, of: impl Fn(&Runs<'_, R>, Peer) -> Vec<Target> + 'a) -> Self {
        self.targets.push(Box::new(of));
        self
    }

    /// Appends the table (and a blank line) to `md`, its target lines to `targets`.
    pub fn render(&self, md: &mut String, targets: &mut Vec<Target>) {
        let _ = writeln!(
            md,
            "| peer | {} |\n|---|{}",
            self.headers.join(" | "),
            "---|".repeat(self.headers.len())
        );
        for peer in self.runs.peers() {
            let cells: Vec<String> = self.cells.iter().map(|c| c(&self.runs, peer)).collect();
            let _ = writeln!(md, "| `{peer}` | {} |", cells.join(" | "));
            for of in &self.targets {
                targets.extend(of(&self.runs, peer));
            }
        }
        let _ = writeln!(md);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::IdleRun;

    fn run(peer: Peer, rep: usize, subscribers: usize) -> IdleRun {
        IdleRun {
            peer,
            rep,
            points: Vec::new(),
            hub_bytes: Some(subscribers as u64),
            listen_overflows: 0,
        }
    }

    #[test]
    fn peers_in_report_order_with_values_ratios_and_targets() {
        let runs = [
            run(Peer::Raw, 0, 100),
            run(Peer::OursAxumHub, 0, 300),
            run(Peer::Raw, 1, 200),
            run(Peer::OursAxumHub, 1, 500),
        ];
        let bytes = |r: &IdleRun| r.hub_bytes.map(|b| b as f64);
        let mut md = String::new();
        let mut targets = Vec::new();
        Table::new(Runs::new(&runs, |r| r.peer))
            .value("bytes", Format::digits(0).then(" B"), bytes)
            .ratio("× raw", move |runs, peer| {
                runs.ratio(peer, Peer::Raw, bytes)
            })
            .ratio("raw ÷", move |runs, peer| {
                runs.ratio(Peer::Raw, peer, bytes)
            })
            .ratio("self", move |runs, peer| {
                runs.ratio_within(peer, bytes, bytes)
            })
            .column("reps", |runs, peer| runs.of(peer).count().to_string())
            .targets(|runs, peer| {
                Target::at_most(
                    format!("`{peer}` ≤ 2× raw"),
                    runs.ratio(peer, Peer::Raw, bytes),
                    2.0,
                )
                .into_iter()
                .collect()
            })
            .render(&mut md, &mut targets);
        assert_eq!(
            md,
            "| peer | bytes | × raw | raw ÷ | self | reps |\n|---|---|---|---|---|---|\n\
             | `ours-axum-hub` | 400 [300–500] B | 2.67× | 0.38× | 1.00× | 2 |\n\
             | `raw` | 150 [100–200] B | 1.00× | 1.00× | 1.00× | 2 |\n\n"
        );
        assert_eq!(
            targets,
            [
                Target::new("`ours-axum-hub` ≤ 2× raw".into(), "2.67×".into(), false),
                Target::new("`raw` ≤ 2× raw".into(), "1.00×".into(), true),
            ]
        );
    }

    #[test]
    fn absent_values_show_a_dash() {
        let runs = [run(Peer::Hyper, 0, 0)];
        assert_eq!(Format::scaled(100.0, 1).then(" %").show(None), "– %");
        assert_eq!(show_ratio(None), "–");
        let runs = Runs::new(&runs, |r| r.peer);
        assert_eq!(runs.ratio(Peer::Hyper, Peer::Hyper, |_| Some(0.0)), None);
        assert_eq!(runs.summary(Peer::Raw, |_| Some(1.0)), None);
    }
}
