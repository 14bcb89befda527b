//! The hub's metrics through the `metrics` facade (feature `metrics`): handles registered
//! once (when the hub is built, when it makes a topic) and bumped where things happen.

use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use metrics::{
    Counter, Gauge, Histogram, Unit, counter, describe_counter, describe_gauge, describe_histogram,
    gauge, histogram,
};

use super::{
    DELIVERED_BYTES, DELIVERIES, EVENTS_PUBLISHED, HISTORY_BYTES, HISTORY_EVENTS, OTHER_TOPICS,
    PUBLISH_ERRORS, PUBLISH_SECONDS, REPLAYED, RESETS, SUBSCRIPTIONS, SUBSCRIPTIONS_ENDED,
    SUBSCRIPTIONS_OPENED, TOPIC_SUBSCRIBERS, TOPICS,
};
use crate::stats::{Counters, Sharded};
use crate::{End, PublishError, Publishing, ResetReason, Start, Topic};

/// The hub-wide series, and which topics have a label value of their own.
#[derive(Debug)]
pub(crate) struct HubMetrics {
    /// `false` for a hub built with `metrics(false)`: every handle is a no-op one and
    /// nothing is counted or timed.
    enabled: bool,
    labelled: Mutex<HashSet<Topic>>,
    label_limit: usize,
    subscriptions: Gauge,
    topics: Gauge,
    deliveries: Counter,
    delivered_bytes: Counter,
    replayed: Counter,
    /// Bytes delivered, counted like the hub's own delivery counters (sharded, no
    /// recorder call per delivery); the three go to the recorder in [`update`](Self::update).
    bytes: Sharded,
    opened: [Counter; 3],
    resets: [Counter; 2],
    ended: [Counter; 4],
    publish: Publish,
}

/// What a publish reports when it completes (cloned into an asynchronous publish).
#[derive(Debug, Clone)]
struct Publish {
    seconds: Histogram,
    errors: [Counter; 5],
}

impl HubMetrics {
    /// Describes the series and registers the hub-wide ones with the current recorder;
    /// not `enabled`, series that go nowhere.
    pub(crate) fn new(label_limit: usize, enabled: bool) -> Self {
        if !enabled {
            return Self::off();
        }
        describe();
        let opened = ["live", "resumed", "reset"]
            .map(|start| counter!(SUBSCRIPTIONS_OPENED, "start" => start));
        let resets = [ResetReason::Unknown, ResetReason::Expired]
            .map(|reason| counter!(RESETS, "reason" => reason.as_str()));
        let ended = ["lag", "lifetime", "shutdown", "disconnect"]
            .map(|reason| counter!(SUBSCRIPTIONS_ENDED, "reason" => reason));
        let errors = [
            "closed",
            "too_many_topics",
            "out_of_order",
            "backplane",
            "too_large",
        ]
        .map(|kind| counter!(PUBLISH_ERRORS, "kind" => kind));
        Self {
            enabled: true,
            labelled: Mutex::default(),
            label_limit,
            subscriptions: gauge!(SUBSCRIPTIONS),
            topics: gauge!(TOPICS),
            deliveries: counter!(DELIVERIES),
            delivered_bytes: counter!(DELIVERED_BYTES),
            replayed: counter!(REPLAYED),
            bytes: Sharded::default(),
            opened,
            resets,
            ended,
            publish: Publish {
                seconds: histogram!(PUBLISH_SECONDS),
                errors,
            },
        }
    }

    /// Series that go nowhere, registered with no recorder.
    fn off() -> Self {
        Self {
            enabled: false,
            labelled: Mutex::default(),
            label_limit: 0,
            subscriptions: Gauge::noop(),
            topics: Gauge::noop(),
            deliveries: Counter::noop(),
            delivered_bytes: Counter::noop(),
            replayed: Counter::noop(),
            bytes: Sharded::default(),
            opened: std::array::from_fn(|_| Counter::noop()),
            resets: std::array::from_fn(|_| Counter::noop()),
            ended: std::array::from_fn(|_| Counter::noop()),
            publish: Publish {
                seconds: Histogram::noop(),
                errors: std::array::from_fn(|_| Counter::noop()),
            },
        }
    }

    /// The series of a topic the hub just made: its own label value while fewer than
    /// the limit have one (a topic made again keeps its value), else [`OTHER_TOPICS`].
    pub(crate) fn topic(&self, topic: &Topic) -> TopicMetrics {
        if !self.enabled {
            return TopicMetrics::default();
        }
        let label = {
            let mut labelled = self.labelled.lock().unwrap_or_else(PoisonError::into_inner);
            if labelled.contains(topic) || labelled.len() < self.label_limit {
                labelled.insert(topic.clone());
                topic.to_string()
            } else {
                OTHER_TOPICS.to_owned()
            }
        };
        self.topics.increment(1);
        TopicMetrics {
            subscribers: gauge!(TOPIC_SUBSCRIBERS, "topic" => label.clone()),
            published: counter!(EVENTS_PUBLISHED, "topic" => label.clone()),
            history_events: gauge!(HISTORY_EVENTS, "topic" => label.clone()),
            history_bytes: gauge!(HISTORY_BYTES, "topic" => label),
            topics: self.topics.clone(),
            events: 0,
            bytes: 0,
        }
    }

    /// A subscription was opened.
    pub(crate) fn opened(&self) {
        self.subscriptions.increment(1);
    }

    /// How a subscription started, once that is known: at once, or for one that reads
    /// from the backplane's store first, when the read settles.
    pub(crate) fn started(&self, start: &Start) {
        let index = match start {
            Start::Live | Start::Closed => 0,
            Start::Resumed { .. } => 1,
            Start::Reset { reason, .. } => {
                self.resets[usize::from(*reason == ResetReason::Expired)].increment(1);
                2
            }
            Start::Fetching { .. } => return,
        };
        self.opened[index].increment(1);
    }

    /// A subscription left its topics.
    pub(crate) fn left(&self) {
        self.subscriptions.decrement(1);
    }

    /// The hub ended a subscription's stream.
    pub(crate) fn ended(&self, end: End) {
        let index = match end {
            End::Lagged => 0,
            End::Expired => 1,
            End::Shutdown => 2,
        };
        self.ended[index].increment(1);
    }

    /// A subscription was dropped while open: the client went away.
    pub(crate) fn disconnected(&self) {
        self.ended[3].increment(1);
    }

    /// Subscriber `shard` was handed an event of `bytes` bytes.
    #[inline]
    pub(crate) fn delivered(&self, shard: u64, bytes: usize) {
        if self.enabled {
            self.bytes.add(shard, bytes as u64);
        }
    }

    /// Brings the delivery series up to date with the hub's counters.
    pub(crate) fn update(&self, counters: &Counters) {
        self.deliveries.absolute(counters.delivered.sum());
        self.replayed.absolute(counters.replayed.sum());
        self.delivered_bytes.absolute(self.bytes.sum());
    }

    /// Starts timing a publish.
    pub(crate) fn publish_timer(&self) -> PublishTimer {
        PublishTimer {
            started: self.enabled.then(Instant::now),
            publish: self.publish.clone(),
        }
    }
}

/// A publish being timed; [`finish`](Self::finish) records it when it completes.
#[derive(Debug)]
pub(crate) struct PublishTimer {
    /// `None` when the hub reports no metrics.
    started: Option<Instant>,
    publish: Publish,
}

impl PublishTimer {
    /// Records the publish now if it is complete, else when it completes.
    pub(crate) fn finish(self, publishing: Publishing) -> Publishing {
        let Some(started) = self.started else {
            return publishing;
        };
        let publish = self.publish;
        match publishing.into_ready() {
            Ok(result) => {
                publish.record(started, &result);
                Publishing::ready(result)
            }
            Err(waiting) => Publishing::new(async move {
                let result = waiting.await;
                publish.record(started, &result);
                result
            }),
        }
    }
}

impl Publish {
    fn record(&self, started: Instant, result: &Result<crate::EventId, PublishError>) {
        match result {
            Ok(_) => self.seconds.record(started.elapsed()),
            Err(error) => {
                let index = match error {
                    PublishError::Closed => 0,
                    PublishError::TooManyTopics { .. } => 1,
                    PublishError::OutOfOrder { .. } => 2,
                    PublishError::Backplane(_) => 3,
                    PublishError::TooLarge { .. } => 4,
                };
                self.errors[index].increment(1);
            }
        }
    }
}

/// A topic's series. Kept under the topic's lock; when the topic is forgotten, what it
/// added to the shared gauges is taken back.
#[derive(Debug)]
pub(crate) struct TopicMetrics {
    subscribers: Gauge,
    published: Counter,
    history_events: Gauge,
    history_bytes: Gauge,
    topics: Gauge,
    /// The history last reported.
    events: usize,
    bytes: usize,
}

impl Default for TopicMetrics {
    /// Series that go nowhere (a log made outside a hub, in tests).
    fn default() -> Self {
        Self {
            subscribers: Gauge::noop(),
            published: Counter::noop(),
            history_events: Gauge::noop(),
            history_bytes: Gauge::noop(),
            topics: Gauge::noop(),
            events: 0,
            bytes: 0,
        }
    }
}

impl TopicMetrics {
    /// A subscriber came (`true`) or went.
    pub(crate) fn subscriber(&self, joined: bool) {
        if joined {
            self.subscribers.increment(1);
        } else {
            self.subscribers.decrement(1);
        }
    }

    /// An event was appended; the history now holds `events` events of `bytes` bytes.
    pub(crate) fn appended(&mut self, events: usize, bytes: usize) {
        self.published.increment(1);
        self.history(events, bytes);
    }

    /// The history now holds `events` events of `bytes` bytes.
    pub(crate) fn history(&mut self, events: usize, bytes: usize) {
        // Gauges shared by several topics (`(other)`) move by differences.
        move_by(&self.history_events, self.events, events);
        move_by(&self.history_bytes, self.bytes, bytes);
        (self.events, self.bytes) = (events, bytes);
    }
}

impl Drop for TopicMetrics {
    fn drop(&mut self) {
        self.history(0, 0);
        self.topics.decrement(1);
    }
}

#[allow(clippy::cast_precision_loss)] // gauges are f64; history sizes are far below 2^53
fn move_by(gauge: &Gauge, from: usize, to: usize) {
    if to > from {
        gauge.increment((to - from) as f64);
    } else if from > to {
        gauge.decrement((from - to) as f64);
    }
}

fn describe() {
    describe_gauge!(SUBSCRIPTIONS, "Subscriptions open now");
    describe_gauge!(TOPIC_SUBSCRIBERS, "Subscriptions to each topic open now");
    describe_gauge!(TOPICS, "Topics the hub holds");
    describe_counter!(
        SUBSCRIPTIONS_OPENED,
        "Subscriptions opened, by how they started"
    );
    describe_counter!(SUBSCRIPTIONS_ENDED, "Subscriptions ended, by why");
    describe_counter!(RESETS, "Streams that began with a reset event, by reason");
    describe_counter!(EVENTS_PUBLISHED, "Events appended to each topic's log");
    describe_counter!(PUBLISH_ERRORS, "Publishes that failed, by kind");
    describe_counter!(
        DELIVERIES,
        "Events handed to subscribers, live and replayed"
    );
    describe_counter!(
        DELIVERED_BYTES,
        Unit::Bytes,
        "Bytes of the events handed to subscribers"
    );
    describe_counter!(
        REPLAYED,
        "Deliveries of events published before the subscriber subscribed"
    );
    describe_gauge!(HISTORY_EVENTS, "Events each topic's history holds");
    describe_gauge!(
        HISTORY_BYTES,
        Unit::Bytes,
        "Bytes each topic's history holds"
    );
    describe_histogram!(
        PUBLISH_SECONDS,
        Unit::Seconds,
        "From Hub::publish until the backplane ordered the event"
    );
    describe_gauge!(super::BACKPLANE_UP, "1 while the backplane is connected");
    describe_histogram!(
        super::BACKPLANE_ROUND_TRIP_SECONDS,
        Unit::Seconds,
        "One request to the backplane's server and back"
    );
    describe_histogram!(
        super::BACKPLANE_READER_LAG_SECONDS,
        Unit::Seconds,
        "From the backplane server's acceptance of an event to its delivery here"
    );
}
