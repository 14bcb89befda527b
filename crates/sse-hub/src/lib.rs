//! Fan-out for Server-Sent Events: topics, encode-once delivery, a bounded replay log,
//! exact `Last-Event-ID` resume, a lag policy, presence, shutdown and stream lifetimes.
//!
//! Framework-free: a [`Subscription`] is a [`Stream`](futures_core::Stream) of
//! [`sse_core::Encoded`] events that never fails, so it goes straight into
//! [`sse_core::EventStream`] or any adapter's responder (axum, actix-web, warp).
//!
//! ```
//! use futures_util::StreamExt;
//! use sse_core::{Event, EventStream, KeepAlive};
//! use sse_hub::{Hub, Topic};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let hub = Hub::builder()
//!     .history(1000)
//!     // `presence` events with the number of `chat` subscribers, to `chat` subscribers.
//!     .on_presence(|change| (change.topic() == "chat").then(|| change.count_event("presence").ok())?)
//!     .build()?;
//! let chat = Topic::new("chat")?;
//!
//! // GET /events?topic=chat, with the client's Last-Event-ID if it sent one.
//! let last_event_id: Option<sse_core::LastEventId> = None;
//! let subscription = hub.resume([&chat], last_event_id.as_ref())?;
//! let mut body = EventStream::new(subscription).keep_alive(KeepAlive::new());
//!
//! // POST /publish
//! let id = hub.publish(&chat, Event::new().event("message")?.data("hello")).await?;
//!
//! // What the client reads:
//! let position = body.next().await.unwrap()?; // `id: <epoch>-0`: where the stream starts
//! assert!(position.starts_with(b"id: ") && position.ends_with(b"-0\n\n"));
//! assert_eq!(body.next().await.unwrap()?, "event: presence\ndata: 1\n\n");
//! assert_eq!(body.next().await.unwrap()?, format!("event: message\nid: {id}\ndata: hello\n\n"));
//!
//! // On SIGTERM: every stream ends after a jittered `retry:` hint.
//! hub.shutdown();
//! assert!(body.next().await.unwrap()?.starts_with(b"retry: "));
//! assert!(body.next().await.is_none());
//! # Ok(())
//! # }
//! ```
//!
//! # The model
//!
//! Each topic has a **log**: a ring of its newest events, bounded by count
//! ([`HubBuilder::history`]) and by bytes ([`HubBuilder::history_bytes`]). The log is at
//! once the replay history and the only queue: [`Hub::publish`] encodes the event once
//! (setting its `id:`), appends it, and wakes the topic's waiting subscribers; each
//! subscriber holds a cursor per topic and reads the same `Bytes` from the log at its own
//! pace. There is no task and no channel per subscriber, and the publisher never waits.
//!
//! An idle subscription (waiting, its waker registered) takes, measured with a counting
//! allocator (`cargo test -p sse-hub --test memory -- --nocapture`):
//!
//! | subscription | bytes |
//! |---|---|
//! | one topic | 234 |
//! | two topics | 324 |
//! | one topic, with a maximum lifetime (its timer) | 346 |
//!
//! [`Subscription::memory`] gives the same figure for a given subscription.
//!
//! # Ids
//!
//! Every event gets an [`EventId`] from the [`Backplane`], ordered hub-wide (not per
//! topic), so one `Last-Event-ID` resumes a subscription to several topics. With the
//! default [`MemoryBackplane`] ids read `<epoch>-<n>`, the epoch being 12 random hex
//! digits chosen at startup: an id from an earlier process, from another server, or
//! from the future (a number not issued yet) is recognized as never issued here.
//!
//! # Resume, and the `reset` event
//!
//! [`Hub::resume`] with the client's `Last-Event-ID`:
//!
//! * an id this hub issued, whose successors in the subscribed topics are all still in
//!   history: those events, in publish order, then live events: no gap, no duplicate,
//!   even while publishing goes on ([`Start::Resumed`]);
//! * an id older than the history, when the [`Backplane`] keeps a longer store of its
//!   own ([`Backplane::replay`]; `sse-redis`'s stream does): the events the history
//!   lacks are read from the store, then the history's, then live ones, with no gap and
//!   no duplicate ([`Start::Fetching`]); if the store cannot give them all, the `reset`
//!   below. The in-memory backplane has no such store;
//! * any other id: first a `reset` event, exactly
//!
//!   ```text
//!   event: reset
//!   id: <position>
//!   data: unknown | expired
//!   ```
//!
//!   `unknown` when the hub never issued the id (malformed, other epoch, future),
//!   `expired` when it did but events after it have left the history. Then, by default,
//!   the events the history still holds after `<position>` (the newest point from which
//!   every subscribed topic is complete, so a client that reconnects with it resumes
//!   exactly), then live events ([`Start::Reset`]). With
//!   [`replay_on_reset(false)`](HubBuilder::replay_on_reset), `<position>` is the newest
//!   event and live events follow at once.
//! * no id: live events, after an `id:`-only frame naming the current position, which
//!   sets the client's last event id without dispatching anything, so that a stream that
//!   ends before its first event still resumes exactly
//!   ([`HubBuilder::announce_position`]).
//!
//! # Lag, presence, shutdown, lifetime
//!
//! * **Lag**: a subscriber too far behind is disconnected and resumes; see
//!   [`Subscription`]'s lag policy and [`HubBuilder::max_lag_events`].
//! * **Presence**: [`Hub::subscribers`], [`Hub::total_subscribers`] and
//!   [`Hub::stats`]; [`HubBuilder::on_presence`] sees every join and leave and may
//!   return an event that the topic's subscribers receive (latest only, encoded once).
//! * **Shutdown**: [`Hub::shutdown`] ends every stream promptly, on an event boundary,
//!   after a `retry:` hint drawn from [`HubBuilder::shutdown_retry`]; later
//!   subscriptions are already ended and publishing fails.
//! * **Lifetime**: [`HubBuilder::max_lifetime`] ends each stream between 0.5× and 1.5×
//!   the lifetime, after a `retry:` hint (250 to 1000 ms by default); the client resumes.
//!
//! # Limits
//!
//! * Memory: the history of all topics together holds at most
//!   [`HubBuilder::memory_budget_bytes`] (256 MiB by default): past it, the oldest events
//!   hub-wide are dropped, whatever their topic, and an event larger than the budget is
//!   refused. Each topic also keeps at most its own history (count and bytes, plus its
//!   newest event when that alone is over the byte limit), and the hub at most
//!   [`HubBuilder::max_topics`] topics. A full hub forgets the idle topic published to
//!   least recently; a topic made again afterwards answers older ids with `reset`.
//! * Topic names: see [`Topic`] (1 to 256 bytes of `A-Z a-z 0-9 . _ : / -`).
//! * Publishing takes one lock that orders appends hub-wide. The event is encoded before
//!   it; under it the hub finds the topic, takes the id, copies the frame with its `id:`
//!   line and appends it, so publishers to different topics only partly run in parallel
//!   (`cargo bench -p sse-hub --bench hub`). Fan-out to subscribers runs outside it, on
//!   their own tasks: a subscription of one topic locks its topic once per event it
//!   takes, and waits without locking again when nothing changed.
//! * A subscription to several topics reads each topic's log on every event it takes
//!   (small sets of topics are the expected use; see
//!   [`HubBuilder::max_topics_per_subscription`]).

mod backplane;
mod builder;
mod config;
mod end;
mod envelope;
mod error;
mod fetch;
mod frames;
mod hub;
mod id;
mod inbox;
mod jitter;
mod memory;
pub mod observe;
mod presence;
mod publishing;
mod replay;
mod resume;
mod state;
mod stats;
mod subscription;
mod topic;

pub use backplane::{Backplane, CatchUp};
pub use builder::HubBuilder;
pub use config::{
    DEFAULT_HISTORY, DEFAULT_HISTORY_BYTES, DEFAULT_MAX_TOPICS,
    DEFAULT_MAX_TOPICS_PER_SUBSCRIPTION, DEFAULT_MEMORY_BUDGET,
};
pub use end::End;
pub use envelope::Envelope;
pub use error::{BackplaneError, ConfigError, PublishError, SubscribeError};
pub use hub::Hub;
pub use id::{EventId, InvalidEventId, MAX_ID_LEN};
pub use inbox::Inbox;
pub use memory::MemoryBackplane;
pub use presence::{PresenceChange, PresenceKind};
pub use publishing::Publishing;
pub use replay::{Replay, Replayed};
pub use resume::{ResetReason, Start};
pub use stats::{Stats, TopicStats};
pub use subscription::Subscription;
pub use topic::{InvalidTopic, MAX_TOPIC_LEN, Topic};
