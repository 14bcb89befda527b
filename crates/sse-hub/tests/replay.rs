//! `Backplane::replay`: a backplane that keeps a store longer than the hub's history
//! fills in a resume the history alone would answer with `reset expired`. A stand-in
//! store here (every event kept in order); the Redis one is tested in `sse-redis`.

mod common;

use std::sync::{Arc, Mutex, OnceLock};

use common::{last, seen, topic};
use futures_util::StreamExt;
use sse_core::Event;
use sse_hub::{
    Backplane, BackplaneError, Envelope, EventId, Hub, Inbox, Publishing, Replay, ResetReason,
    Start, Topic,
};

/// What the store answers a read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    /// Every event asked for.
    Truly,
    /// One event more than asked for (past `through`): the hub must not trust it.
    OneTooMany,
    /// That it no longer holds them.
    Gone,
}

/// One process and its store: publishing numbers events `1-<n>`, keeps them, and
/// delivers them at once.
#[derive(Debug)]
struct Stored {
    inbox: OnceLock<Inbox>,
    kept: Arc<Mutex<Vec<(EventId, Envelope)>>>,
    answer: Answer,
}

impl Stored {
    fn new(answer: Answer) -> Self {
        Self {
            inbox: OnceLock::new(),
            kept: Arc::default(),
            answer,
        }
    }
}

impl Backplane for Stored {
    fn attach(&self, inbox: Inbox) -> Result<(), BackplaneError> {
        self.inbox
            .set(inbox)
            .map_err(|_| BackplaneError::new("attached twice"))
    }

    fn publish(&self, envelope: Envelope) -> Publishing {
        let mut kept = self.kept.lock().unwrap();
        let n = kept.len() as u64 + 1;
        let id = EventId::new([1, n], &format!("1-{n}")).unwrap();
        kept.push((id, envelope.clone()));
        let inbox = self.inbox.get().expect("attached");
        Publishing::ready(inbox.deliver(id, envelope).map(|()| id))
    }

    fn parse_id(&self, text: &str) -> Option<EventId> {
        let n = text.strip_prefix("1-")?.parse().ok()?;
        Some(EventId::new([1, n], text).unwrap())
    }

    fn replay(&self, after: EventId, through: EventId, topics: &[Topic]) -> Option<Replay> {
        let (kept, topics, answer) = (self.kept.clone(), topics.to_vec(), self.answer);
        Some(Replay::new(async move {
            // The read takes a while: publishing goes on meanwhile.
            tokio::task::yield_now().await;
            if answer == Answer::Gone {
                return Err(BackplaneError::new("trimmed"));
            }
            let kept = kept.lock().unwrap();
            let wanted = kept
                .iter()
                .filter(|(id, e)| *id > after && topics.contains(e.topic()));
            Ok(match answer {
                Answer::OneTooMany => wanted.cloned().collect(),
                _ => wanted.filter(|(id, _)| *id <= through).cloned().collect(),
            })
        }))
    }
}

fn hub(answer: Answer, replay_on_reset: bool, history: usize) -> Hub {
    Hub::builder()
        .backplane(Stored::new(answer))
        .history(history)
        .replay_on_reset(replay_on_reset)
        .announce_position(false)
        .build()
        .unwrap()
}

/// Publishes `count` events alternately to `a` and `b`; their ids.
fn publish(hub: &Hub, from: usize, count: usize) -> Vec<(String, &'static str)> {
    publish_to(hub, from, count, &["a", "b"])
}

/// Publishes `count` events to `names` in turn; their ids and topics.
fn publish_to(
    hub: &Hub,
    from: usize,
    count: usize,
    names: &[&'static str],
) -> Vec<(String, &'static str)> {
    (from..from + count)
        .map(|i| {
            let name = names[i % names.len()];
            let id = hub
                .publish(&topic(name), Event::new().data(i.to_string()))
                .into_ready()
                .unwrap()
                .unwrap();
            (id.to_string(), name)
        })
        .collect()
}

async fn ids(sub: &mut sse_hub::Subscription, count: usize) -> Vec<String> {
    let mut out = Vec::new();
    for _ in 0..count {
        let frame = sub.next().await.expect("the stream goes on");
        out.push(seen(&frame).id.expect("an id"));
    }
    out
}

#[tokio::test]
async fn an_expired_id_is_filled_in_from_the_store_then_the_history_then_live() {
    let hub = hub(Answer::Truly, true, 5);
    let (a, b) = (topic("a"), topic("b"));
    // `a` gets 1-1 to 1-10 and keeps the last 5; `b` gets 1-11 and 1-12.
    let mut all = publish_to(&hub, 0, 10, &["a"]);
    all.extend(publish_to(&hub, 10, 2, &["b"]));
    let mut sub = hub.resume([&a, &b], Some(&last("1-2"))).unwrap();
    // The history replays after 1-5 (7 events); the store has 1-3 to 1-5.
    assert_eq!(sub.start(), Start::Fetching { replay: 7 });
    // Published after the subscription opened, before the store is read.
    all.extend(publish_to(&hub, 12, 2, &["b"]));
    let want: Vec<String> = all[2..].iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(ids(&mut sub, want.len()).await, want);
    assert_eq!(sub.start(), Start::Resumed { replay: 10 });
    assert_eq!(hub.stats().resets, 0);
    // One topic: its own events only.
    let mut only_a = hub.resume([&a], Some(&last("1-1"))).unwrap();
    let want: Vec<String> = all[1..]
        .iter()
        .filter(|(_, t)| *t == "a")
        .map(|(id, _)| id.clone())
        .collect();
    assert_eq!(ids(&mut only_a, want.len()).await, want);
    assert_eq!(only_a.start(), Start::Resumed { replay: 9 });
}

#[tokio::test]
async fn a_store_that_cannot_give_them_or_gives_more_ends_in_the_usual_reset() {
    for answer in [Answer::Gone, Answer::OneTooMany] {
        let hub = hub(answer, true, 3);
        let a = topic("a");
        publish(&hub, 0, 20);
        let mut sub = hub.resume([&a], Some(&last("1-2"))).unwrap();
        assert_eq!(sub.start(), Start::Fetching { replay: 3 });
        let reset = seen(&sub.next().await.unwrap());
        assert_eq!(
            (
                reset.event.as_deref(),
                reset.id.as_deref(),
                reset.data.as_deref()
            ),
            (Some("reset"), Some("1-13"), Some("expired")),
            "{answer:?}"
        );
        assert_eq!(
            sub.start(),
            Start::Reset {
                reason: ResetReason::Expired,
                replay: 3
            }
        );
        assert_eq!(ids(&mut sub, 3).await, ["1-15", "1-17", "1-19"]);
        assert_eq!(hub.stats().resets, 1);
    }
}

#[tokio::test]
async fn without_replay_on_reset_the_store_is_not_asked() {
    let hub = hub(Answer::Truly, false, 3);
    publish(&hub, 0, 20);
    let mut sub = hub.resume([&topic("a")], Some(&last("1-2"))).unwrap();
    assert_eq!(
        sub.start(),
        Start::Reset {
            reason: ResetReason::Expired,
            replay: 0
        }
    );
    let reset = seen(&sub.next().await.unwrap());
    assert_eq!(
        (reset.event.as_deref(), reset.id.as_deref()),
        (Some("reset"), Some("1-20"))
    );
    assert_eq!(hub.stats().resets, 1);
}
