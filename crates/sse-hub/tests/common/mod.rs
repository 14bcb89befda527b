//! Helpers shared by the integration tests.

#![allow(dead_code, unreachable_pub)]

use futures_util::{FutureExt, StreamExt};
use sse_core::{Decoder, Encoded, Event, Frame, LastEventId};
use sse_hub::{EventId, Hub, Subscription, Topic};

/// The fields of one encoded frame, read back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    pub event: Option<String>,
    pub id: Option<String>,
    pub data: Option<String>,
    pub retry: Option<u64>,
}

/// Reads one frame the hub produced as a client does (with `sse_core::Decoder`): the
/// frame must be exactly one whole event, and is read on a fresh stream so that `id`
/// is this frame's own.
pub fn seen(frame: &Encoded) -> Seen {
    let text = std::str::from_utf8(frame.as_bytes()).expect("frames are UTF-8");
    assert!(
        text.ends_with("\n\n") && !text[..text.len() - 1].contains("\n\n"),
        "one whole event: {text:?}"
    );
    let mut decoder = Decoder::new();
    decoder.push(frame.as_bytes());
    let mut out = Seen::default();
    while let Some(next) = decoder.next_frame() {
        match next {
            Frame::Message(message) => {
                out.event = (message.event != "message").then_some(message.event);
                out.data = Some(message.data);
            }
            Frame::Retry(ms) => out.retry = Some(ms),
            other => panic!("unexpected {other:?} in {text:?}"),
        }
    }
    out.id = Some(decoder.last_event_id().to_owned()).filter(|id| !id.is_empty());
    out
}

pub fn text(frame: &Encoded) -> String {
    String::from_utf8(frame.as_bytes().to_vec()).expect("frames are UTF-8")
}

/// A `Last-Event-ID` as a client sends it.
pub fn last(text: &str) -> LastEventId {
    LastEventId::parse(text).expect("a usable Last-Event-ID")
}

/// The `Last-Event-ID` of a client that may not have one.
pub fn last_opt(text: Option<&str>) -> Option<LastEventId> {
    text.map(last)
}

pub fn topic(name: &str) -> Topic {
    Topic::new(name).expect("a valid topic")
}

/// Publishes `data` to `topic` with the in-process backplane (complete at once).
pub fn publish(hub: &Hub, topic: &Topic, data: &str) -> EventId {
    hub.publish(topic, Event::new().data(data.to_owned()))
        .into_ready()
        .expect("the memory backplane completes at once")
        .expect("published")
}

/// The next item if one is ready now: `Some(Some(frame))`, `Some(None)` at the end,
/// `None` when the stream would wait.
pub fn poll_now(sub: &mut Subscription) -> Option<Option<Encoded>> {
    sub.next().now_or_never()
}

/// Every frame ready now, stopping when the stream would wait or ends.
pub fn ready_frames(sub: &mut Subscription) -> Vec<Encoded> {
    let mut out = Vec::new();
    while let Some(Some(frame)) = poll_now(sub) {
        out.push(frame);
    }
    out
}

/// Whether a frame is a position frame (`id:` alone, which dispatches nothing).
pub fn is_position(frame: &Encoded) -> bool {
    let fields = seen(frame);
    fields.id.is_some() && fields.data.is_none() && fields.event.is_none() && fields.retry.is_none()
}

/// The data of every frame ready now, position frames left out.
pub fn ready_data(sub: &mut Subscription) -> Vec<String> {
    ready_frames(sub)
        .iter()
        .filter(|f| !is_position(f))
        .map(|f| seen(f).data.unwrap_or_default())
        .collect()
}

/// Subscribes live and takes the position frame the stream starts with.
pub fn subscribe<I>(hub: &Hub, topics: I) -> Subscription
where
    I: IntoIterator,
    I::Item: std::borrow::Borrow<Topic>,
{
    let mut sub = hub.subscribe(topics).expect("subscribed");
    let first = poll_now(&mut sub)
        .expect("a position frame is ready")
        .expect("not ended");
    assert!(is_position(&first), "{:?}", text(&first));
    sub
}
