//! The `tracing` feature: a span per subscription with its resume plan, an INFO event for
//! a lag disconnect, nothing at INFO or above per delivered event.

#![cfg(feature = "tracing")]

mod common;

use std::fmt::{self, Write as _};
use std::sync::{Arc, Mutex};

use common::{last, poll_now, publish, ready_frames, subscribe, topic};
use sse_hub::{End, Hub};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// What was recorded: each span's fields as text, and each event as `LEVEL message`.
#[derive(Default)]
struct Log {
    spans: Mutex<Vec<String>>,
    events: Mutex<Vec<(Level, String)>>,
}

struct Text<'a>(&'a mut String);

impl Visit for Text<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
}

#[derive(Clone, Default)]
struct Collect(Arc<Log>);

impl Subscriber for Collect {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let mut text = attrs.metadata().name().to_owned();
        attrs.record(&mut Text(&mut text));
        let mut spans = self.0.spans.lock().unwrap();
        spans.push(text);
        Id::from_u64(spans.len() as u64)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut spans = self.0.spans.lock().unwrap();
        let index = usize::try_from(span.into_u64()).unwrap() - 1;
        values.record(&mut Text(&mut spans[index]));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut text = String::new();
        event.record(&mut Text(&mut text));
        let level = *event.metadata().level();
        self.0.events.lock().unwrap().push((level, text));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn a_span_per_subscription_and_no_info_per_delivery() {
    let collect = Collect::default();
    let log = collect.0.clone();
    tracing::subscriber::with_default(collect, || {
        let hub = Hub::builder()
            .history(20)
            .max_lag_events(Some(5))
            .build()
            .unwrap();
        let t = topic("t");
        let mut live = subscribe(&hub, [&t]);
        let first = publish(&hub, &t, "0");
        for n in 1..5 {
            publish(&hub, &t, &n.to_string());
        }
        assert_eq!(ready_frames(&mut live).len(), 5);
        let mut resumed = hub.resume([&t], Some(&last(first.as_str()))).unwrap();
        let _reset = hub.resume([&t], Some(&last("elsewhere-1"))).unwrap();
        let mut read = 0;
        for n in 5..11 {
            publish(&hub, &t, &n.to_string());
            read += ready_frames(&mut live).len();
        }
        assert_eq!(read, 6);
        assert_eq!(poll_now(&mut resumed), Some(None));
        assert_eq!(resumed.end(), Some(End::Lagged));
    });
    let spans = log.spans.lock().unwrap().clone();
    assert_eq!(spans.len(), 3, "{spans:?}");
    assert!(
        spans[0].contains("start=\"live\"") && spans[0].contains("topics=t"),
        "{}",
        spans[0]
    );
    assert!(
        spans[1].contains("start=\"resumed\"")
            && spans[1].contains("after=")
            && spans[1].contains("replay=4"),
        "{}",
        spans[1]
    );
    assert!(
        spans[2].contains("start=\"reset\"") && spans[2].contains("reason=\"unknown\""),
        "{}",
        spans[2]
    );
    let events = log.events.lock().unwrap().clone();
    let loud: Vec<_> = events
        .iter()
        .filter(|(level, _)| *level <= Level::INFO)
        .collect();
    // 11 events delivered to `live` alone; the only INFO event is the lag disconnect.
    assert_eq!(loud.len(), 1, "{events:?}");
    assert!(loud[0].1.contains("too far behind"), "{loud:?}");
}
