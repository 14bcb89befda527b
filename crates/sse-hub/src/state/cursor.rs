//! [`Cursor`]: a subscriber's position in one topic's log.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::Waker;

use sse_core::Encoded;

use super::State;
use super::log::{TopicInner, TopicLog};
use super::waiters::Waiters;
use crate::Topic;
use crate::config::Config;
use crate::resume::StartAt;

/// A subscriber's position in one topic, and its waker slot there.
#[derive(Debug)]
pub(crate) struct Cursor {
    log: Arc<TopicLog>,
    slot: usize,
    /// The index of the next entry to deliver.
    next: u64,
    /// Where that entry starts, in the topic's bytes.
    next_offset: u64,
    /// The index of the first entry published after subscribing: the lag policy does
    /// not count what comes before.
    live_from: u64,
    live_from_offset: u64,
    /// The version of the last presence frame delivered.
    presence_seen: u64,
    /// The topic's count of wake-ups when the waker was last registered.
    wakes_seen: u64,
}

impl Cursor {
    /// Joins the topic (under its lock): a waker slot, and the first entry to deliver.
    pub(super) fn join(log: Arc<TopicLog>, inner: &mut TopicInner, start_at: StartAt) -> Self {
        let tail = inner.tail();
        let next = match start_at {
            StartAt::Tail => tail,
            StartAt::Oldest => inner.first_after(None),
            StartAt::After(id) => inner.first_after(Some(&id)),
        };
        let slot = inner.waiters.insert();
        log.count(inner, true);
        Self {
            next_offset: inner.offset_of(next),
            live_from: tail,
            live_from_offset: inner.total_bytes(),
            log,
            slot,
            next,
            presence_seen: 0,
            wakes_seen: 0,
        }
    }

    /// Leaves the topic (under its lock).
    pub(super) fn leave(&self, inner: &mut TopicInner) {
        self.log.unregister(inner, self.slot);
        self.log.count(inner, false);
    }

    pub(super) const fn log(&self) -> &Arc<TopicLog> {
        &self.log
    }

    /// The topic.
    pub(crate) fn topic(&self) -> &Topic {
        &self.log.name
    }

    /// Bytes a cursor takes, with its waker slot in the topic (for the memory report).
    pub(crate) const MEMORY: usize = size_of::<Self>() + Waiters::SLOT_BYTES;

    /// How many events published before subscribing are still to be delivered.
    pub(super) fn replay(&self) -> usize {
        usize::try_from(self.live_from.saturating_sub(self.next)).unwrap_or(usize::MAX)
    }

    /// The next frame to deliver, if it is there and the subscriber is not too far
    /// behind. When it is not there, or when it is the last one there, `waker` is
    /// registered in the same critical section (`armed`), to be woken at the next change.
    fn take(&mut self, config: &Config, waker: &Waker) -> Take {
        let mut inner = self.log.lock();
        let (events, bytes) = self.lag(&inner);
        if self.next < inner.head() || config.too_far_behind(events, bytes) {
            return Take::Lagged;
        }
        let taken = inner
            .get(self.next)
            .map(|entry| (entry.frame.clone(), entry.end));
        let armed = match &taken {
            Some(_) => self.next + 1 == inner.tail(),
            None => true,
        };
        if armed {
            // The fields, not `self`: `inner` borrows `self.log`.
            self.log.register(&mut inner, self.slot, waker);
            self.wakes_seen = self.log.wakes.load(Ordering::Relaxed);
        }
        drop(inner);
        match taken {
            Some((frame, end)) => Take::Frame {
                frame,
                replayed: self.advance(end),
                armed,
            },
            None => Take::Empty,
        }
    }

    /// Whether the waker registered by the last [`take`](Self::take) is still there and
    /// there is still nothing to take: nothing appended, nobody woken since. Lock-free.
    fn still_armed(&self) -> bool {
        self.log.tail.load(Ordering::Acquire) == self.next
            && self.log.wakes.load(Ordering::Acquire) == self.wakes_seen
    }

    /// What a subscriber of several topics needs to know of this one: whether events it
    /// still needs left the history, how far behind it is, and the next entry if it is
    /// committed (else `waker` is registered).
    fn look(&self, committed: u64, waker: &Waker) -> Look {
        let mut inner = self.log.lock();
        let fell_out = self.next < inner.head();
        let lag = self.lag(&inner);
        let next = match inner.get(self.next) {
            Some(entry) if entry.seq <= committed => Some(Ready {
                seq: entry.seq,
                frame: entry.frame.clone(),
                end: entry.end,
            }),
            _ => {
                self.log.register(&mut inner, self.slot, waker);
                None
            }
        };
        Look {
            fell_out,
            lag,
            next,
        }
    }

    /// The topic's presence frame, if it changed since the last one delivered.
    pub(crate) fn presence(&mut self) -> Option<Encoded> {
        if !self.presence_changed() {
            return None;
        }
        let inner = self.log.lock();
        let (version, frame) = inner.presence()?;
        self.presence_seen = *version;
        Some(frame.clone())
    }

    /// Whether the topic's presence frame changed since the last one delivered.
    pub(crate) fn presence_changed(&self) -> bool {
        self.log.presence_version.load(Ordering::SeqCst) != self.presence_seen
    }

    /// Events and bytes published after subscribing that this subscriber has not received.
    fn lag(&self, inner: &TopicInner) -> (u64, u64) {
        let events = inner.tail().saturating_sub(self.next.max(self.live_from));
        let bytes = inner
            .total_bytes()
            .saturating_sub(self.next_offset.max(self.live_from_offset));
        (events, bytes)
    }

    /// Moves past the entry just delivered, which ended at `end`. Returns whether it was
    /// a replayed one (published before subscribing).
    const fn advance(&mut self, end: u64) -> bool {
        let replayed = self.next < self.live_from;
        self.next += 1;
        self.next_offset = end;
        replayed
    }
}

/// What [`Cursor::take`] found.
#[derive(Debug)]
enum Take {
    Frame {
        frame: Encoded,
        replayed: bool,
        armed: bool,
    },
    Lagged,
    Empty,
}

/// What [`Cursor::look`] found.
#[derive(Debug)]
struct Look {
    fell_out: bool,
    lag: (u64, u64),
    next: Option<Ready>,
}

/// A topic's next committed entry.
#[derive(Debug)]
struct Ready {
    seq: u64,
    frame: Encoded,
    end: u64,
}

/// What reading a subscription's topics found.
#[derive(Debug)]
pub(crate) enum Read {
    /// The next event, and whether it was published before subscribing.
    Frame { frame: Encoded, replayed: bool },
    /// Too far behind, or events it needs left the history.
    Lagged,
    /// Nothing yet: the waker is registered in every topic.
    Pending,
    /// Something changed while registering: look again.
    Again,
}

/// The next event of a single-topic subscription: the topic's order is the order.
///
/// One lock per event: taking the last event there registers the waker in the same
/// critical section (`armed` keeps which waker), and the next read, when nothing was
/// appended and nothing woken since and the waker is the same, is `Pending` without the
/// lock.
pub(crate) fn read_one(
    cursor: &mut Cursor,
    state: &State,
    armed: &mut (usize, usize),
    waker: &Waker,
) -> Read {
    if *armed == key(waker) && cursor.still_armed() {
        return Read::Pending;
    }
    match cursor.take(&state.config, waker) {
        Take::Frame {
            frame,
            replayed,
            armed: now,
        } => {
            *armed = if now { key(waker) } else { (0, 0) };
            Read::Frame { frame, replayed }
        }
        Take::Lagged => Read::Lagged,
        Take::Empty => {
            *armed = key(waker);
            Read::Pending
        }
    }
}

/// The next event of a multi-topic subscription: the smallest sequence number among the
/// topics' next entries, considering only entries up to the committed one (an entry with
/// a smaller number may still be on its way into another topic).
pub(crate) fn read_merged(cursors: &mut [Cursor], state: &State, waker: &Waker) -> Read {
    let committed = state.committed();
    let mut best: Option<(usize, Ready)> = None;
    let (mut events, mut bytes) = (0, 0);
    for (index, cursor) in cursors.iter().enumerate() {
        let look = cursor.look(committed, waker);
        if look.fell_out {
            return Read::Lagged;
        }
        events += look.lag.0;
        bytes += look.lag.1;
        if let Some(next) = look.next
            && best.as_ref().is_none_or(|(_, best)| next.seq < best.seq)
        {
            best = Some((index, next));
        }
    }
    if state.config.too_far_behind(events, bytes) {
        return Read::Lagged;
    }
    let Some((index, next)) = best else {
        // Registered everywhere; an append committed meanwhile may have found no waker.
        return if state.committed_after_registering() == committed {
            Read::Pending
        } else {
            Read::Again
        };
    };
    let replayed = cursors[index].advance(next.end);
    Read::Frame {
        frame: next.frame,
        replayed,
    }
}

/// What identifies a waker (what [`Waker::will_wake`] compares).
fn key(waker: &Waker) -> (usize, usize) {
    (
        waker.data().addr(),
        std::ptr::from_ref(waker.vtable()).addr(),
    )
}
