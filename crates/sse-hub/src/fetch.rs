//! [`Fetch`]: the part of a resume that a backplane's store fills in, when the client's
//! `Last-Event-ID` is older than the hub's history.
//!
//! The subscription's cursors start right after `through` (the newest id that may have
//! left the history of its topics), as for a `reset` that replays: what the history holds
//! after it, and every event published meanwhile, waits there. The store gives what
//! comes before: the events after the client's id and up to `through`. Every id of
//! the one part is before every id of the other, so the stream has no gap and no
//! duplicate, whatever is published while the store is read.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use sse_core::Encoded;

use crate::{EventId, Replay, Replayed, Topic};

/// A subscription's read from its backplane's store: first the read, then its frames.
#[derive(Debug)]
pub(crate) struct Fetch {
    /// The read, until it completes.
    replay: Option<Replay>,
    after: EventId,
    through: EventId,
    /// The frames read and not yet yielded, in id order.
    frames: VecDeque<Encoded>,
    /// The `reset` frame the stream starts with if the read fails.
    reset: Encoded,
}

impl Fetch {
    pub(crate) fn new(replay: Replay, after: EventId, through: EventId, reset: Encoded) -> Self {
        Self {
            replay: Some(replay),
            after,
            through,
            frames: VecDeque::new(),
            reset,
        }
    }

    /// Waits for the read: `Ok` with the number of events it gave (their frames are
    /// then yielded by [`next`](Self::next)), or `Err` with the `reset` frame when the
    /// store could not give them all, or gave what was not asked (`topics` are the
    /// subscription's, sorted). Ready at once after it completed.
    pub(crate) fn poll_read(
        &mut self,
        cx: &mut Context<'_>,
        topics: &[&Topic],
    ) -> Poll<Result<usize, Encoded>> {
        let Some(replay) = &mut self.replay else {
            return Poll::Ready(Ok(self.frames.len()));
        };
        let read = match Pin::new(replay).poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(read) => read,
        };
        self.replay = None;
        match read.ok().and_then(|events| self.encode(events, topics)) {
            Some(frames) => {
                self.frames = frames;
                Poll::Ready(Ok(self.frames.len()))
            }
            None => Poll::Ready(Err(self.reset.clone())),
        }
    }

    /// The frames of `events`, each encoded as the hub encodes a published event;
    /// `None` unless every id is after the previous one, between `after` and `through`,
    /// and every topic one of `topics`.
    fn encode(&self, events: Replayed, topics: &[&Topic]) -> Option<VecDeque<Encoded>> {
        let mut last = self.after;
        let mut frames = VecDeque::with_capacity(events.len());
        for (id, envelope) in events {
            let followed = topics.binary_search(&envelope.topic()).is_ok();
            if id <= last || id > self.through || !followed {
                return None;
            }
            last = id;
            frames.push_back(id.stamp(&envelope.event().encode()));
        }
        Some(frames)
    }

    /// The next frame read, once the read completed.
    pub(crate) fn next(&mut self) -> Option<Encoded> {
        self.frames.pop_front()
    }
}
