//! [`Health`]: whether the backplane can publish now, and the counters it keeps.

use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::watch;

use crate::id::StreamId;

/// What the backplane can do now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Status {
    /// Loading history at start-up.
    Loading,
    /// Connected and caught up.
    Up,
    /// Redis cannot be reached, with the reason.
    Down(String),
}

/// Shared by the backplane's handle, its publishes and its reader.
#[derive(Debug)]
pub(crate) struct Health {
    status: watch::Sender<Status>,
    /// The newest entry the reader has handed to the hub (or skipped).
    read: watch::Sender<StreamId>,
    pub(crate) skipped: AtomicU64,
    pub(crate) breaks: AtomicU64,
    pub(crate) reconnects: AtomicU64,
    pub(crate) publish_failures: AtomicU64,
    pub(crate) replays: AtomicU64,
    pub(crate) replay_refusals: AtomicU64,
}

impl Health {
    pub(crate) fn new() -> Self {
        Self {
            status: watch::Sender::new(Status::Loading),
            read: watch::Sender::new(StreamId::ZERO),
            skipped: AtomicU64::new(0),
            breaks: AtomicU64::new(0),
            reconnects: AtomicU64::new(0),
            publish_failures: AtomicU64::new(0),
            replays: AtomicU64::new(0),
            replay_refusals: AtomicU64::new(0),
        }
    }

    pub(crate) fn status(&self) -> Status {
        self.status.borrow().clone()
    }

    pub(crate) fn set(&self, status: Status) {
        self.status.send_if_modified(|now| {
            let changed = *now != status;
            if changed {
                match &status {
                    // The hub's hooks: the `sse_hub_backplane_up` gauge (with the hub's
                    // `metrics` feature) and an INFO / WARN event.
                    Status::Up => sse_hub::observe::backplane_connected(),
                    Status::Down(why) => sse_hub::observe::backplane_disconnected(why),
                    Status::Loading => {}
                }
                *now = status;
            }
            changed
        });
    }

    pub(crate) fn down(&self, why: String) {
        self.set(Status::Down(why));
    }

    pub(crate) fn count(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Waits until the status is `Up`.
    pub(crate) async fn up(&self) {
        let mut rx = self.status.subscribe();
        let _ = rx.wait_for(|s| *s == Status::Up).await;
    }

    pub(crate) fn mark_read(&self, id: StreamId) {
        self.read.send_if_modified(|now| {
            let newer = id > *now;
            if newer {
                *now = id;
            }
            newer
        });
    }

    /// After a break: the reader goes on from `id`, which may be before what it read.
    pub(crate) fn rewind(&self, id: StreamId) {
        self.read.send_replace(id);
    }

    /// Waits until the reader has handed `id` (or a later entry) to the hub.
    pub(crate) async fn read_past(&self, id: StreamId) {
        let mut rx = self.read.subscribe();
        let _ = rx.wait_for(|read| *read >= id).await;
    }
}
