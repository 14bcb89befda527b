//! `Hub::refresh_presence`: a presence count that includes more than this hub (other
//! processes) reaches subscribers when the application asks, not only on join/leave.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{ready_frames, seen, topic};
use sse_core::Event;
use sse_hub::{Hub, PresenceKind};

#[test]
fn a_refresh_runs_the_hook_again_and_subscribers_get_the_new_frame() {
    let elsewhere = Arc::new(AtomicUsize::new(0));
    let kinds = Arc::new(std::sync::Mutex::new(Vec::new()));
    let hub = {
        let (elsewhere, kinds) = (elsewhere.clone(), kinds.clone());
        Hub::builder()
            .on_presence(move |change| {
                kinds.lock().unwrap().push(change.kind());
                let total = change.subscribers() + elsewhere.load(Ordering::Relaxed);
                Some(Event::new().event("presence").ok()?.data(total.to_string()))
            })
            .build()
            .unwrap()
    };
    let chat = topic("chat");
    let mut sub = hub.subscribe([&chat]).unwrap();
    let data = |frames: Vec<sse_core::Encoded>| -> Vec<String> {
        frames.iter().filter_map(|f| seen(f).data).collect()
    };
    assert_eq!(data(ready_frames(&mut sub)), ["1"]);
    elsewhere.store(4, Ordering::Relaxed);
    hub.refresh_presence(&chat);
    assert_eq!(data(ready_frames(&mut sub)), ["5"]);
    // A topic nobody made: nothing happens.
    hub.refresh_presence(&topic("none"));
    assert_eq!(
        *kinds.lock().unwrap(),
        [PresenceKind::Joined, PresenceKind::Refreshed]
    );
}
