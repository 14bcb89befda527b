//! The Backplane trait carries a multi-process design without changing the hub's API: a
//! stand-in for Redis Streams (one shared, ordered stream; ids `<ms>-<seq>` given by the
//! stream; one reader task per hub) behind two hubs, as two processes would have.

mod common;

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use common::{last, ready_data, seen, topic};
use futures_util::StreamExt;
use sse_core::Event;
use sse_hub::{
    Backplane, BackplaneError, Envelope, EventId, Hub, Inbox, PublishError, Publishing, Start,
};
use tokio::sync::watch;

/// The shared stream, as a Redis server would hold it.
#[derive(Debug)]
struct Stream {
    entries: Mutex<Vec<(EventId, Envelope)>>,
    length: watch::Sender<usize>,
}

/// One process's connection to it.
#[derive(Debug)]
struct FakeRedis {
    stream: Arc<Stream>,
    inbox: OnceLock<Inbox>,
}

impl FakeRedis {
    fn pair() -> (Self, Self) {
        let stream = Arc::new(Stream {
            entries: Mutex::new(Vec::new()),
            length: watch::Sender::new(0),
        });
        let connect = || Self {
            stream: stream.clone(),
            inbox: OnceLock::new(),
        };
        (connect(), connect())
    }
}

fn redis_id(ms: u64, seq: u64) -> EventId {
    EventId::new([ms, seq], &format!("{ms}-{seq}")).unwrap()
}

impl Backplane for FakeRedis {
    fn attach(&self, inbox: Inbox) -> Result<(), BackplaneError> {
        self.inbox
            .set(inbox.clone())
            .map_err(|_| BackplaneError::new("attached twice"))?;
        // XREAD loop: deliver every entry, in stream order, to this process's hub.
        let stream = self.stream.clone();
        let mut length = stream.length.subscribe();
        tokio::spawn(async move {
            let mut next = 0;
            loop {
                let batch: Vec<_> = stream.entries.lock().unwrap()[next..].to_vec();
                for (id, envelope) in batch {
                    next += 1;
                    if let Err(PublishError::Closed) = inbox.deliver(id, envelope) {
                        return;
                    }
                }
                if length.changed().await.is_err() {
                    return;
                }
            }
        });
        Ok(())
    }

    fn publish(&self, envelope: Envelope) -> Publishing {
        let stream = self.stream.clone();
        // XADD: the id comes back from the server, later.
        Publishing::new(async move {
            tokio::task::yield_now().await;
            let mut entries = stream.entries.lock().unwrap();
            let n = entries.len() as u64;
            let id = redis_id(1_700_000_000_000 + n / 3, n % 3);
            entries.push((id, envelope));
            stream.length.send_replace(entries.len());
            Ok(id)
        })
    }

    fn parse_id(&self, text: &str) -> Option<EventId> {
        let (ms, seq) = text.split_once('-')?;
        Some(redis_id(ms.parse().ok()?, seq.parse().ok()?))
    }

    fn origin(&self) -> Option<EventId> {
        Some(redis_id(0, 0))
    }
}

/// A backplane that hands everything to a shared `B` (so that two hubs can be given the
/// same one) and keeps the inbox its hub attaches (so that a test can deliver to that hub
/// as a backplane would). `origin` stays the default (none).
#[derive(Debug)]
struct Relay<B> {
    inner: Arc<B>,
    attached: Arc<Mutex<Option<Inbox>>>,
}

impl<B> Relay<B> {
    fn new(inner: Arc<B>) -> Self {
        Self {
            inner,
            attached: Arc::default(),
        }
    }
}

impl<B: Backplane> Backplane for Relay<B> {
    fn attach(&self, inbox: Inbox) -> Result<(), BackplaneError> {
        *self.attached.lock().unwrap() = Some(inbox.clone());
        self.inner.attach(inbox)
    }

    fn publish(&self, envelope: Envelope) -> Publishing {
        self.inner.publish(envelope)
    }

    fn parse_id(&self, text: &str) -> Option<EventId> {
        self.inner.parse_id(text)
    }
}

#[tokio::test]
async fn two_hubs_share_one_ordered_stream_and_resume_on_each_other() {
    let (one, two) = FakeRedis::pair();
    let hub_a = Hub::builder().backplane(one).build().unwrap();
    let hub_b = Hub::builder().backplane(two).build().unwrap();
    let t = topic("t");
    let mut on_b = hub_b.subscribe([&t]).unwrap();
    assert_eq!(
        seen(&on_b.next().await.unwrap()).id.as_deref(),
        Some("0-0"),
        "the origin"
    );

    // Publishing waits for the backplane's id.
    let pending = hub_a.publish(&t, Event::new().data("one"));
    let pending = pending
        .into_ready()
        .expect_err("not complete before the server answers");
    let first = pending.await.unwrap();
    assert_eq!(first.as_str(), "1700000000000-0");
    for n in 1..5 {
        hub_b
            .publish(&t, Event::new().data(format!("{n}")))
            .await
            .unwrap();
    }

    // Every hub delivers every event, in the stream's order, with the stream's ids.
    let mut got = Vec::new();
    while got.len() < 5 {
        let frame = tokio::time::timeout(Duration::from_secs(10), on_b.next())
            .await
            .unwrap()
            .unwrap();
        let fields = seen(&frame);
        got.push((fields.id.unwrap(), fields.data.unwrap()));
    }
    assert_eq!(got[0], ("1700000000000-0".to_owned(), "one".to_owned()));
    assert_eq!(got[4].0, "1700000000001-1");

    // A client that saw the first event on hub B resumes on hub A.
    let newest = Some(got[4].0.clone());
    let caught_up = async {
        while hub_a.last_id().map(|id| id.to_string()) != newest {
            tokio::task::yield_now().await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), caught_up)
        .await
        .expect("hub A receives every event of the stream");
    let mut on_a = hub_a.resume([&t], Some(&last(&got[0].0))).unwrap();
    assert_eq!(on_a.start(), Start::Resumed { replay: 4 });
    assert_eq!(ready_data(&mut on_a), ["1", "2", "3", "4"]);
    let stats = hub_a.stats();
    assert_eq!((stats.published, stats.topics[0].published), (5, 5));
}

#[tokio::test]
async fn an_inbox_refuses_ids_out_of_order() {
    let (one, _two) = FakeRedis::pair();
    let relay = Relay::new(Arc::new(one));
    let attached = relay.attached.clone();
    let hub = Hub::builder().backplane(relay).build().unwrap();
    let inbox = attached.lock().unwrap().clone().unwrap();
    let t = topic("t");
    inbox
        .deliver(
            redis_id(5, 0),
            Envelope::new(t.clone(), Event::new().data("a")),
        )
        .unwrap();
    let err = inbox
        .deliver(
            redis_id(4, 9),
            Envelope::new(t.clone(), Event::new().data("b")),
        )
        .unwrap_err();
    assert!(
        matches!(&err, PublishError::OutOfOrder { last, given } if last == "5-0" && given == "4-9")
    );
    assert_eq!(
        err.to_string(),
        "event id 4-9 is not after the last id delivered (5-0)"
    );
    assert_eq!(inbox.last_id(), Some(redis_id(5, 0)));
    drop(hub);
    let err = inbox
        .deliver(redis_id(6, 0), Envelope::new(t, Event::new().data("c")))
        .unwrap_err();
    assert!(matches!(err, PublishError::Closed), "the hub is gone");
}

#[test]
fn a_memory_backplane_serves_one_hub() {
    let memory = Arc::new(sse_hub::MemoryBackplane::new());
    let _first = Hub::builder()
        .backplane(Relay::new(memory.clone()))
        .build()
        .unwrap();
    let err = Hub::builder()
        .backplane(Relay::new(memory))
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "backplane: a MemoryBackplane serves one hub only"
    );
}

/// A backplane whose server refuses every publish (as Redis would when it is away).
#[derive(Debug, Default)]
struct Refusing {
    inbox: OnceLock<Inbox>,
}

impl Backplane for Refusing {
    fn attach(&self, inbox: Inbox) -> Result<(), BackplaneError> {
        self.inbox
            .set(inbox)
            .map_err(|_| BackplaneError::new("one hub only"))
    }

    fn publish(&self, _envelope: Envelope) -> Publishing {
        Publishing::new(async {
            tokio::task::yield_now().await;
            Err(PublishError::Backplane(BackplaneError::new(
                "connection refused",
            )))
        })
    }

    fn parse_id(&self, text: &str) -> Option<EventId> {
        EventId::new([0, text.parse().ok()?], text).ok()
    }
}

#[tokio::test]
async fn a_publish_the_backplane_refuses_delivers_nothing_and_is_a_backplane_error() {
    let hub = Hub::builder()
        .backplane(Refusing::default())
        .build()
        .unwrap();
    let t = topic("t");
    let mut sub = hub.subscribe([&t]).unwrap();
    assert_eq!(sub.start(), Start::Live);
    let err = hub
        .publish(&t, Event::new().data("lost"))
        .await
        .unwrap_err();
    assert!(matches!(err, PublishError::Backplane(_)), "{err:?}");
    assert_eq!(err.to_string(), "backplane: connection refused");
    assert_eq!(
        std::error::Error::source(&err).map(ToString::to_string),
        Some("connection refused".to_owned())
    );
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert!(
        common::poll_now(&mut sub).is_none(),
        "nothing delivered, not even a position (none was issued)"
    );
    let stats = hub.stats();
    assert_eq!((stats.published, stats.delivered), (0, 0));
    assert_eq!((stats.topics[0].history, stats.topics[0].published), (0, 0));
    assert_eq!(hub.last_id(), None);
}

#[tokio::test]
async fn an_uncounted_envelope_travels_the_backplane_and_is_not_counted() {
    let (one, two) = FakeRedis::pair();
    let hub_a = Hub::builder().backplane(one).build().unwrap();
    let hub_b = Hub::builder().backplane(two).build().unwrap();
    let t = topic("t");
    let mut on_b = hub_b.subscribe([&t]).unwrap();
    let tick = hub_a
        .publish_uncounted(&t, Event::new().data("tick"))
        .await
        .unwrap();
    let id = hub_a
        .publish(&t, Event::new().data("message"))
        .await
        .unwrap();
    let mut got = Vec::new();
    while got.len() < 2 {
        let frame = tokio::time::timeout(Duration::from_secs(10), on_b.next())
            .await
            .unwrap()
            .unwrap();
        let fields = seen(&frame);
        if let Some(data) = fields.data {
            got.push((fields.id.unwrap(), data));
        }
    }
    assert_eq!(
        got,
        [
            (tick.to_string(), "tick".to_owned()),
            (id.to_string(), "message".to_owned())
        ]
    );
    for hub in [&hub_a, &hub_b] {
        let newest = Some(id);
        tokio::time::timeout(Duration::from_secs(10), async {
            while hub.last_id() != newest {
                tokio::task::yield_now().await;
            }
        })
        .await
        .expect("every hub receives both events");
        let stats = hub.stats();
        assert_eq!(stats.published, 1, "the tick is not counted");
        assert_eq!((stats.topics[0].published, stats.topics[0].history), (1, 2));
    }
}
