//! [`Source`]: where a peer's events come from, and how the publisher feeds it.

use std::future::{Ready, ready};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use bytestring::ByteString;
use futures_util::StreamExt;
use futures_util::stream::FilterMap;
use sse_core::{Encoded, Event};
use sse_hub::{Hub, SubscribeError, Subscription, Topic};
use tokio::sync::broadcast;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

use super::raw::Fanout;
use super::{BACKLOG_EVENTS, Counted};
use crate::peer::Peer;

/// The events of one peer: a hub, a broadcast channel of what that peer's API takes, or
/// the raw baseline's socket list. Also counts the open streams.
#[derive(Debug)]
pub struct Source {
    kind: Kind,
    keep_alive: Duration,
    conns: Arc<AtomicU64>,
    next_seq: AtomicU64,
    /// `Subscription::memory` of the newest hub subscription.
    hub_bytes: AtomicU64,
}

#[derive(Debug)]
enum Kind {
    /// Our adapters with the hub.
    Hub { hub: Hub, topic: Topic },
    /// Our adapters without the hub: events encoded once by the publisher.
    Encoded(broadcast::Sender<Encoded>),
    /// axum's and warp's `Sse`: the data, cheap to clone; each stream builds its event.
    Text(broadcast::Sender<Arc<str>>),
    /// actix-web-lab's `Sse`: the data as `ByteString` (a `Bytes`, cheap to clone).
    ByteStr(broadcast::Sender<ByteString>),
    /// hyper alone: the event's bytes, encoded once.
    Bytes(broadcast::Sender<Bytes>),
    /// The raw baseline: the publisher writes to the sockets itself.
    Raw(Arc<Fanout>),
}

/// A broadcast receiver as a stream that skips what it lagged behind on.
pub type Skipping<T> = FilterMap<
    BroadcastStream<T>,
    Ready<Option<T>>,
    fn(Result<T, BroadcastStreamRecvError>) -> Ready<Option<T>>,
>;

fn skipping<T: Clone + Send + 'static>(tx: &broadcast::Sender<T>) -> Skipping<T> {
    fn keep<T>(item: Result<T, BroadcastStreamRecvError>) -> Ready<Option<T>> {
        ready(item.ok())
    }
    BroadcastStream::new(tx.subscribe()).filter_map(keep as fn(_) -> _)
}

impl Source {
    /// The source `peer` uses; its streams send a keep-alive after `keep_alive` of silence.
    #[must_use]
    pub fn new(peer: Peer, keep_alive: Duration) -> Arc<Self> {
        let kind = match peer {
            Peer::OursAxumHub
            | Peer::OursAxumHubMetrics
            | Peer::OursAxumHubHttp1
            | Peer::OursActixHub
            | Peer::OursWarpHub => Kind::Hub {
                hub: Hub::builder()
                    .history(BACKLOG_EVENTS)
                    .metrics(peer == Peer::OursAxumHubMetrics)
                    .build()
                    .expect("valid hub settings"),
                topic: Topic::from_static("bench"),
            },
            Peer::OursAxum | Peer::OursActix | Peer::OursWarp => {
                Kind::Encoded(broadcast::channel(BACKLOG_EVENTS).0)
            }
            Peer::AxumSse | Peer::WarpSse => Kind::Text(broadcast::channel(BACKLOG_EVENTS).0),
            Peer::ActixLab => Kind::ByteStr(broadcast::channel(BACKLOG_EVENTS).0),
            Peer::Hyper => Kind::Bytes(broadcast::channel(BACKLOG_EVENTS).0),
            Peer::Raw => Kind::Raw(Arc::new(Fanout::new())),
        };
        Arc::new(Self {
            kind,
            keep_alive,
            conns: Arc::new(AtomicU64::new(0)),
            next_seq: AtomicU64::new(0),
            hub_bytes: AtomicU64::new(0),
        })
    }

    /// The keep-alive interval of every stream.
    #[must_use]
    pub const fn keep_alive(&self) -> Duration {
        self.keep_alive
    }

    /// The open-stream counter.
    #[must_use]
    pub fn conns(&self) -> &Arc<AtomicU64> {
        &self.conns
    }

    /// Open event streams now.
    #[must_use]
    pub fn open_streams(&self) -> u64 {
        match &self.kind {
            Kind::Raw(fanout) => fanout.len() as u64,
            _ => self.conns.load(Ordering::Relaxed),
        }
    }

    /// What the hub says one subscription takes (`Subscription::memory`), for hub peers
    /// once a stream was opened.
    #[must_use]
    pub fn hub_bytes(&self) -> Option<u64> {
        Some(self.hub_bytes.load(Ordering::Relaxed)).filter(|&b| b > 0)
    }

    /// Takes the next `count` sequence numbers; returns the first.
    pub fn take_seqs(&self, count: u64) -> u64 {
        self.next_seq.fetch_add(count, Ordering::Relaxed)
    }

    /// Brings the hub's delivery series up to date (what an exporter does before it
    /// renders); nothing for peers without a hub.
    pub fn update_metrics(&self) {
        if let Kind::Hub { hub, .. } = &self.kind {
            hub.update_metrics();
        }
    }

    /// Publishes one event with `data`.
    pub fn publish(&self, data: String) {
        match &self.kind {
            Kind::Hub { hub, topic } => {
                let _id = hub.publish(topic, Event::new().data(data)).into_ready();
            }
            Kind::Encoded(tx) => {
                let _receivers = tx.send(Event::new().data(data).encode());
            }
            Kind::Text(tx) => {
                let _receivers = tx.send(Arc::from(data));
            }
            Kind::ByteStr(tx) => {
                let _receivers = tx.send(ByteString::from(data));
            }
            Kind::Bytes(tx) => {
                let _receivers = tx.send(Event::new().data(data).encode().into_bytes());
            }
            Kind::Raw(fanout) => fanout.publish(Event::new().data(data).encode().as_bytes()),
        }
    }

    /// A counted stream of pre-encoded events (our adapters without the hub).
    ///
    /// # Panics
    ///
    /// When the source is not of that kind (a bug in the server's wiring).
    #[must_use]
    pub fn encoded(&self) -> Counted<Skipping<Encoded>> {
        match &self.kind {
            Kind::Encoded(tx) => Counted::new(skipping(tx), self.conns.clone()),
            _ => unreachable!("not an encoded source"),
        }
    }

    /// A counted stream of data (axum's and warp's `Sse`).
    ///
    /// # Panics
    ///
    /// When the source is not of that kind.
    #[must_use]
    pub fn text(&self) -> Counted<Skipping<Arc<str>>> {
        match &self.kind {
            Kind::Text(tx) => Counted::new(skipping(tx), self.conns.clone()),
            _ => unreachable!("not a text source"),
        }
    }

    /// A counted stream of data (actix-web-lab's `Sse`).
    ///
    /// # Panics
    ///
    /// When the source is not of that kind.
    #[must_use]
    pub fn byte_str(&self) -> Counted<Skipping<ByteString>> {
        match &self.kind {
            Kind::ByteStr(tx) => Counted::new(skipping(tx), self.conns.clone()),
            _ => unreachable!("not a byte-string source"),
        }
    }

    /// A counted stream of encoded bytes (hyper alone).
    ///
    /// # Panics
    ///
    /// When the source is not of that kind.
    #[must_use]
    pub fn bytes(&self) -> Counted<Skipping<Bytes>> {
        match &self.kind {
            Kind::Bytes(tx) => Counted::new(skipping(tx), self.conns.clone()),
            _ => unreachable!("not a bytes source"),
        }
    }

    /// A counted hub subscription, resumed from `last_event_id` when given.
    ///
    /// # Errors
    ///
    /// What the hub says.
    ///
    /// # Panics
    ///
    /// When the source is not a hub.
    pub fn subscribe(
        &self,
        last_event_id: Option<&str>,
    ) -> Result<Counted<Subscription>, SubscribeError> {
        match &self.kind {
            Kind::Hub { hub, topic } => {
                let subscription = hub.resume(
                    [topic],
                    last_event_id
                        .and_then(sse_core::LastEventId::parse)
                        .as_ref(),
                )?;
                self.hub_bytes
                    .store(subscription.memory() as u64, Ordering::Relaxed);
                Ok(Counted::new(subscription, self.conns.clone()))
            }
            _ => unreachable!("not a hub source"),
        }
    }

    /// The raw baseline's socket list.
    ///
    /// # Panics
    ///
    /// When the source is not the raw baseline's.
    #[must_use]
    pub fn fanout(&self) -> &Arc<Fanout> {
        match &self.kind {
            Kind::Raw(fanout) => fanout,
            _ => unreachable!("not a raw source"),
        }
    }
}
