//! What the load client counts: events per stream, order, latencies, and for each event
//! the latency of the last stream to receive it.

use std::collections::HashMap;

use hdrhistogram::Histogram;

use crate::proto::Percentiles;

/// Counters since the last reset (one thread: kept in a `RefCell`).
#[derive(Debug)]
pub struct Record {
    latency: Histogram<u64>,
    /// Per sequence number: how many healthy streams received it, and the largest latency.
    per_event: HashMap<u64, (u32, u64)>,
    /// Events received by all streams.
    pub events: u64,
    /// First and last arrival (ns since the epoch).
    pub first_ns: u64,
    /// See `first_ns`.
    pub last_ns: u64,
    /// Events skipped.
    pub gaps: u64,
    /// Events repeated or out of order.
    pub repeats: u64,
    /// Streams ended by the server or failed.
    pub ended: u64,
}

impl Default for Record {
    fn default() -> Self {
        Self {
            latency: Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("valid bounds"),
            per_event: HashMap::new(),
            events: 0,
            first_ns: 0,
            last_ns: 0,
            gaps: 0,
            repeats: 0,
            ended: 0,
        }
    }
}

impl Record {
    /// Forgets everything.
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// An event `seq`, due at `due_ns`, received at `now_ns` by a stream whose previous
    /// event was `previous`; `healthy` streams' latencies are recorded.
    pub fn event(
        &mut self,
        seq: u64,
        due_ns: u64,
        now_ns: u64,
        previous: Option<u64>,
        healthy: bool,
    ) {
        self.events += 1;
        if self.first_ns == 0 {
            self.first_ns = now_ns;
        }
        self.last_ns = self.last_ns.max(now_ns);
        match previous {
            Some(p) if seq <= p => self.repeats += 1,
            Some(p) => self.gaps += seq - p - 1,
            None => {}
        }
        if healthy {
            let micros = (now_ns.saturating_sub(due_ns) / 1000).max(1);
            self.latency.saturating_record(micros);
            let entry = self.per_event.entry(seq).or_insert((0, 0));
            entry.0 += 1;
            entry.1 = entry.1.max(micros);
        }
    }

    /// Latency percentiles over every healthy delivery.
    #[must_use]
    pub fn latency(&self) -> Percentiles {
        percentiles_of(&self.latency)
    }

    /// Per event received by all `healthy` streams: the latency of the last one.
    #[must_use]
    pub fn last_subscriber(&self, healthy: usize) -> Percentiles {
        let mut histogram: Histogram<u64> =
            Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("valid bounds");
        for &(count, max) in self.per_event.values() {
            if count as usize >= healthy && healthy > 0 {
                histogram.saturating_record(max);
            }
        }
        percentiles_of(&histogram)
    }
}

fn percentiles_of(histogram: &Histogram<u64>) -> Percentiles {
    if histogram.is_empty() {
        return Percentiles::default();
    }
    let at = |q: f64| histogram.value_at_quantile(q) as f64;
    Percentiles {
        count: histogram.len(),
        p50: at(0.5),
        p99: at(0.99),
        p999: at(0.999),
        max: histogram.max() as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_faults_are_counted() {
        let mut record = Record::default();
        record.event(5, 0, 1_000_000, None, true);
        record.event(6, 0, 1_000_000, Some(5), true);
        record.event(9, 0, 1_000_000, Some(6), true);
        record.event(9, 0, 1_000_000, Some(9), true);
        assert_eq!((record.events, record.gaps, record.repeats), (4, 2, 1));
    }

    #[test]
    fn latencies_from_the_due_time_and_the_last_subscriber() {
        let mut record = Record::default();
        // Event 1 reaches two streams after 1 ms and 3 ms; event 2 only one of them.
        record.event(1, 0, 1_000_000, None, true);
        record.event(1, 0, 3_000_000, None, true);
        record.event(2, 0, 2_000_000, Some(1), true);
        // A slow stream's latency is not recorded.
        record.event(2, 0, 9_000_000, Some(1), false);
        let latency = record.latency();
        assert_eq!(latency.count, 3);
        assert!((latency.max - 3000.0).abs() < 5.0);
        let last = record.last_subscriber(2);
        assert_eq!(last.count, 1, "only event 1 reached both healthy streams");
        assert!((last.p50 - 3000.0).abs() < 5.0);
        assert_eq!(record.events, 4);
    }
}
