//! A break in a backplane's continuity (its store emptied or trimmed past this hub) reaches
//! every subscriber as a `reset`, and old ids resume with a `reset`, never across a gap.

mod common;

use std::sync::{Arc, OnceLock};

use common::{last, ready_frames, seen, topic};
use sse_core::Event;
use sse_hub::{
    Backplane, BackplaneError, Envelope, EventId, Hub, Inbox, PublishError, Publishing, Start,
};

/// A backplane whose ids the test gives, delivering at once.
#[derive(Debug, Default, Clone)]
struct Manual {
    inbox: Arc<OnceLock<Inbox>>,
}

fn id(ms: u64, seq: u64) -> EventId {
    EventId::new([ms, seq], &format!("{ms}-{seq}")).unwrap()
}

impl Manual {
    fn inbox(&self) -> &Inbox {
        self.inbox.get().expect("attached")
    }

    fn deliver(&self, name: &str, ms: u64, data: &str) {
        let envelope = Envelope::new(topic(name), Event::new().data(data.to_owned()));
        self.inbox()
            .deliver(id(ms, 0), envelope)
            .expect("delivered");
    }
}

impl Backplane for Manual {
    fn attach(&self, inbox: Inbox) -> Result<(), BackplaneError> {
        self.inbox
            .set(inbox)
            .map_err(|_| BackplaneError::new("attached twice"))
    }

    fn publish(&self, _envelope: Envelope) -> Publishing {
        Publishing::ready(Err(PublishError::Backplane(BackplaneError::new(
            "the test delivers by hand",
        ))))
    }

    fn parse_id(&self, text: &str) -> Option<EventId> {
        let (ms, seq) = text.split_once('-')?;
        Some(id(ms.parse().ok()?, seq.parse().ok()?))
    }

    fn origin(&self) -> Option<EventId> {
        Some(id(0, 0))
    }
}

fn hub() -> (Hub, Manual) {
    let backplane = Manual::default();
    let hub = Hub::builder()
        .backplane(backplane.clone())
        .build()
        .expect("built");
    (hub, backplane)
}

fn described(frames: &[sse_core::Encoded]) -> Vec<String> {
    frames
        .iter()
        .map(|f| {
            let s = seen(f);
            format!(
                "{}|{}|{}",
                s.event.unwrap_or_default(),
                s.id.unwrap_or_default(),
                s.data.unwrap_or_default()
            )
        })
        .collect()
}

#[test]
fn live_subscribers_read_what_they_hold_then_a_reset_then_new_events() {
    let (hub, bp) = hub();
    bp.deliver("a", 10, "one");
    let mut sub = hub.resume([&topic("a")], Some(&last("10-0"))).unwrap();
    let mut other = hub.resume([&topic("b")], Some(&last("10-0"))).unwrap();
    bp.deliver("a", 20, "two");
    bp.inbox().discontinuity(id(99, 0)).unwrap();
    bp.deliver("a", 100, "three");
    bp.deliver("b", 101, "four");
    assert_eq!(
        described(&ready_frames(&mut sub)),
        ["|20-0|two", "reset|99-0|expired", "|100-0|three"]
    );
    assert_eq!(
        described(&ready_frames(&mut other)),
        ["reset|99-0|expired", "|101-0|four"]
    );
}

#[test]
fn ids_before_the_break_get_a_reset_and_the_break_itself_resumes() {
    let (hub, bp) = hub();
    bp.deliver("a", 10, "one");
    bp.deliver("a", 20, "two");
    bp.inbox().discontinuity(id(99, 0)).unwrap();
    bp.deliver("a", 100, "three");
    let mut old = hub.resume([&topic("a")], Some(&last("20-0"))).unwrap();
    assert!(
        matches!(old.start(), Start::Reset { .. }),
        "{:?}",
        old.start()
    );
    assert_eq!(
        described(&ready_frames(&mut old)),
        ["reset|99-0|expired", "|100-0|three"]
    );
    let mut at = hub.resume([&topic("a")], Some(&last("99-0"))).unwrap();
    assert_eq!(at.start(), Start::Resumed { replay: 1 });
    assert_eq!(described(&ready_frames(&mut at)), ["|100-0|three"]);
    // A topic made after the break does not look complete before it either.
    let fresh = hub.resume([&topic("new")], Some(&last("20-0"))).unwrap();
    assert!(matches!(fresh.start(), Start::Reset { .. }));
}

#[test]
fn ids_that_go_back_drop_the_history_and_are_accepted_after_the_break() {
    let (hub, bp) = hub();
    bp.deliver("a", 500, "old");
    let mut behind = hub.resume([&topic("a")], Some(&last("0-0"))).unwrap();
    let mut caught_up = hub.resume([&topic("a")], Some(&last("500-0"))).unwrap();
    bp.inbox().discontinuity(id(5, 0)).unwrap();
    bp.deliver("a", 6, "new");
    // The subscriber that had not read `old` lost it: its stream ends (it resumes).
    assert!(matches!(common::poll_now(&mut behind), Some(None)), "ended");
    assert_eq!(behind.end(), Some(sse_hub::End::Lagged));
    assert_eq!(
        described(&ready_frames(&mut caught_up)),
        ["reset|5-0|expired", "|6-0|new"]
    );
    let mut again = hub.resume([&topic("a")], Some(&last("5-0"))).unwrap();
    assert_eq!(described(&ready_frames(&mut again)), ["|6-0|new"]);
}
