//! The hub-wide memory budget: the oldest events hub-wide go first, the publisher never
//! waits, an event over the budget is refused, and an evicted id resumes with `reset`.

mod common;

use common::{last, publish, ready_data, subscribe, topic};
use sse_core::Event;
use sse_hub::{End, Hub, PublishError, ResetReason, Start, Stats};

fn held(stats: &Stats) -> usize {
    stats.topics.iter().map(|t| t.history_bytes).sum()
}

#[test]
fn the_oldest_events_hub_wide_go_first_and_resume_from_them_resets() {
    const EVENTS: usize = 30;
    let data = "x".repeat(1000);
    let size = Event::new().data(data.clone()).encode().len() + "id: <epoch>-NN\n".len();
    let budget = size * 10;
    let hub = Hub::builder().memory_budget_bytes(budget).build().unwrap();
    let topics: Vec<_> = (0..4).map(|n| topic(&format!("t{n}"))).collect();
    let mut reader = subscribe(&hub, [&topics[3]]);

    let mut slow = subscribe(&hub, [&topics[3]]);
    let (mut ids, mut read) = (Vec::new(), 0);
    for n in 0..EVENTS {
        ids.push(publish(&hub, &topics[n % 4], &data));
        read += ready_data(&mut reader).len();
        let stats = hub.stats();
        assert!(held(&stats) <= budget, "after {n}: {} bytes", held(&stats));
    }
    // What is held is the newest events hub-wide, whatever their topic: as many as fit.
    let stats = hub.stats();
    let kept: usize = stats.topics.iter().map(|t| t.history).sum();
    assert!((9..=10).contains(&kept), "{kept} events kept");
    assert!(held(&stats) + size > budget, "no more dropped than needed");
    let newest = EVENTS - kept..EVENTS;
    let per_topic: Vec<_> = (0..4)
        .map(|t| newest.clone().filter(|n| n % 4 == t).count())
        .collect();
    let counts: Vec<_> = stats.topics.iter().map(|t| t.history).collect();
    assert_eq!(counts, per_topic);
    assert_eq!(stats.published, EVENTS as u64);

    // A reader that kept up is untouched; one whose next event was dropped is
    // disconnected; events before the newest resume with reset.
    assert_eq!(read, EVENTS / 4);
    assert!(ready_data(&mut slow).is_empty());
    assert_eq!(slow.end(), Some(End::Lagged));
    // In `t0`: resuming after its newest dropped event is exact, from before it is not.
    let dropped = (0..newest.start).filter(|n| n % 4 == 0).max().unwrap();
    let held_after = |n: usize| (n + 1..EVENTS).filter(|m| m % 4 == 0).count();
    let expired = Start::Reset {
        reason: ResetReason::Expired,
        replay: held_after(dropped),
    };
    for (from, start) in [
        (0, expired),
        (dropped - 4, expired),
        (
            dropped,
            Start::Resumed {
                replay: held_after(dropped),
            },
        ),
        (EVENTS - 1, Start::Resumed { replay: 0 }),
    ] {
        let back = hub
            .resume([&topics[0]], Some(&last(ids[from].as_str())))
            .unwrap();
        assert_eq!(back.start(), start, "from event {from}");
    }
}

#[test]
fn an_event_over_the_budget_is_refused_and_spends_no_id() {
    let hub = Hub::builder().memory_budget_bytes(4096).build().unwrap();
    let t = topic("t");
    let mut sub = subscribe(&hub, [&t]);
    let before = publish(&hub, &t, "small");
    let err = hub
        .publish(&t, Event::new().data("y".repeat(5000)))
        .into_ready()
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(err, PublishError::TooLarge { size, budget: 4096 } if size > 5000),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("over the hub's memory budget of 4096 bytes"),
        "{err}"
    );
    let after = publish(&hub, &t, "next");
    assert_eq!(
        ready_data(&mut sub),
        ["small", "next"],
        "nothing of the refused event"
    );
    assert_eq!(hub.stats().published, 2);
    let number = |id: &sse_hub::EventId| id.key()[1];
    assert_eq!(number(&after), number(&before) + 1, "no id spent on it");
}

#[test]
fn a_zero_budget_is_a_config_error() {
    let err = Hub::builder().memory_budget_bytes(0).build().unwrap_err();
    assert_eq!(err.to_string(), "memory_budget_bytes must be at least 1");
}
