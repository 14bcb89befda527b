//! [`Subscription`]: one subscriber's stream of encoded events.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll, Waker};

use futures_core::Stream;
use futures_core::stream::FusedStream;
use sse_core::Encoded;
use tokio::time::{Instant, Sleep};

use crate::Topic;
use crate::config::Config;
use crate::hub::Shared;
use crate::jitter::Rng;
use crate::log::{TopicInner, TopicLog};

/// How a subscription began.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Start {
    /// No `Last-Event-ID`: live events only, after an `id:`-only frame naming the
    /// position (unless turned off with
    /// [`HubBuilder::announce_position`](crate::HubBuilder::announce_position)).
    Live,
    /// Resumed exactly after the client's `Last-Event-ID`: `replay` missed events first.
    Resumed {
        /// How many events were published after the id and are replayed.
        replay: usize,
    },
    /// The `Last-Event-ID` could not be resumed from: the stream starts with a `reset`
    /// event, then `replay` events the history still holds, then live events.
    Reset {
        /// Why.
        reason: ResetReason,
        /// How many events the history still held and are replayed after the `reset`.
        replay: usize,
    },
    /// The hub was shut down: the stream is already ended.
    Closed,
}

/// Why a `Last-Event-ID` could not be resumed from. Its [`as_str`](Self::as_str) is the
/// `reset` event's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResetReason {
    /// `unknown`: not an id this hub issued: malformed, from another process (an
    /// earlier run, another server) or after the newest event published.
    Unknown,
    /// `expired`: issued here, but some events after it in the subscribed topics are no
    /// longer in the history.
    Expired,
}

impl ResetReason {
    /// `unknown` or `expired`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Expired => "expired",
        }
    }
}

/// Why a subscription's stream ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum End {
    /// [`Hub::shutdown`](crate::Hub::shutdown) was called.
    Shutdown,
    /// The subscriber fell too far behind (see the lag policy).
    Lagged,
    /// The stream reached its maximum lifetime.
    Expired,
}

/// A subscriber's position in one topic.
#[derive(Debug)]
pub(crate) struct Cursor {
    log: Arc<TopicLog>,
    slot: usize,
    /// The index of the next entry to deliver.
    next: u64,
    /// Where that entry starts, in the topic's bytes.
    next_offset: u64,
    /// The index of the first entry published after subscribing: the lag policy does not
    /// count what comes before.
    live_from: u64,
    live_from_offset: u64,
    presence_seen: u64,
}

impl Cursor {
    pub(crate) const fn new(
        log: Arc<TopicLog>,
        slot: usize,
        next: u64,
        next_offset: u64,
        live_from: u64,
        live_from_offset: u64,
    ) -> Self {
        Self {
            log,
            slot,
            next,
            next_offset,
            live_from,
            live_from_offset,
            presence_seen: 0,
        }
    }

    pub(crate) const fn log(&self) -> &Arc<TopicLog> {
        &self.log
    }

    pub(crate) const fn slot(&self) -> usize {
        self.slot
    }

    /// Events and bytes published after subscribing that this subscriber has not received.
    fn lag(&self, inner: &TopicInner) -> (u64, u64) {
        let events = inner.tail().saturating_sub(self.next.max(self.live_from));
        let bytes = inner
            .total_bytes()
            .saturating_sub(self.next_offset.max(self.live_from_offset));
        (events, bytes)
    }
}

#[derive(Debug)]
enum State {
    Open,
    /// Ended: this frame (if any) is the last one.
    Closing(Option<Encoded>),
    Done,
}

enum Next {
    Frame(Encoded),
    Lagged,
    Pending,
    /// Something changed while registering: look again.
    Again,
}

/// One subscriber's stream: the encoded events of its topics in hub-wide publish
/// order, ready for `sse_core::EventStream` or any adapter's responder.
///
/// It holds no task and no channel: only a cursor into each topic's log (and a waker
/// slot), so an idle subscriber costs a few hundred bytes (see the crate docs). Each
/// item is one whole event; the stream only ever ends between events.
///
/// # What a stream yields, in order
///
/// 1. after an unresumable `Last-Event-ID`, a `reset` event (see [`Start::Reset`]); on
///    a live stream, an `id:`-only frame naming where it starts (see
///    [`HubBuilder::announce_position`](crate::HubBuilder::announce_position));
/// 2. whenever a topic's presence event changed since the last read, the newest one;
/// 3. the events published to its topics, in publish order: first those it resumes
///    from, then live ones;
/// 4. at the end, when the end has one, a `retry:` hint: after [`Hub::shutdown`](crate::Hub::shutdown)
///    and at the maximum lifetime.
///
/// # Lag policy
///
/// The publisher never waits for subscribers and memory stays bounded: a subscriber
/// reads the shared history at its own pace, and only it notices that it fell behind.
/// When it reads and finds that it has not received more than `max_lag_events` events,
/// or (being at least two events behind) more than `max_lag_bytes` bytes, of those
/// published after it subscribed, or that events it still needs have left the history,
/// its stream ends (with no final frame), between two events. The client reconnects
/// with `Last-Event-ID` and, the limits being below the history's, resumes exactly;
/// a client that comes back too late gets a `reset`. Events replayed on resume do not
/// count as lag, so a client resuming far back is not disconnected at once.
///
/// A connection that the server cannot write to is not read from, so its stream ends
/// when it is next read; meanwhile it holds no more than its cursor.
#[must_use = "streams do nothing unless polled"]
pub struct Subscription {
    shared: Arc<Shared>,
    cursors: Box<[Cursor]>,
    /// The `reset` or position frame, until sent.
    first: Option<Encoded>,
    start: Start,
    deadline: Option<Instant>,
    sleep: Option<Pin<Box<Sleep>>>,
    rng: Rng,
    number: u64,
    state: State,
    end: Option<End>,
    joined: bool,
}

impl Subscription {
    pub(crate) const fn new(
        shared: Arc<Shared>,
        cursors: Box<[Cursor]>,
        start: Start,
        first: Option<Encoded>,
        deadline: Option<Instant>,
        rng: Rng,
        number: u64,
    ) -> Self {
        Self {
            shared,
            cursors,
            first,
            start,
            deadline,
            sleep: None,
            rng,
            number,
            state: State::Open,
            end: None,
            joined: true,
        }
    }

    /// A subscription made after shutdown: already ended.
    pub(crate) fn closed(shared: Arc<Shared>, number: u64) -> Self {
        Self {
            shared,
            cursors: Box::new([]),
            first: None,
            start: Start::Closed,
            deadline: None,
            sleep: None,
            rng: Rng::new(number),
            number,
            state: State::Done,
            end: Some(End::Shutdown),
            joined: false,
        }
    }

    /// How the subscription began.
    #[must_use]
    pub const fn start(&self) -> Start {
        self.start
    }

    /// Why the stream ended, once it has.
    #[must_use]
    pub const fn end(&self) -> Option<End> {
        self.end
    }

    /// The topics followed, sorted, without duplicates (none after shutdown).
    pub fn topics(&self) -> impl ExactSizeIterator<Item = &Topic> {
        self.cursors.iter().map(|c| &c.log.name)
    }

    /// When the stream will end for its maximum lifetime, if one is set.
    #[must_use]
    pub const fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// The memory this subscription takes, in bytes: the struct, its cursors, its waker
    /// slots in the topics, and its lifetime timer once armed. Not counted: the wakers'
    /// tasks, which belong to the server.
    #[must_use]
    pub fn memory(&self) -> usize {
        size_of::<Self>()
            + self.cursors.len() * (size_of::<Cursor>() + crate::waiters::Waiters::SLOT_BYTES)
            + self.deadline.map_or(0, |_| size_of::<Sleep>())
    }

    /// Ends the stream: it leaves its topics now and yields `frame` (if any) last.
    fn close(&mut self, end: End) {
        self.leave();
        let frame = match end {
            End::Shutdown => self
                .shared
                .config
                .shutdown_retry
                .as_ref()
                .map(|range| Encoded::retry(self.rng.between(range))),
            End::Expired => {
                self.shared.counters.expired.fetch_add(1, Ordering::Relaxed);
                Some(Encoded::retry(
                    self.rng.between(&self.shared.config.lifetime_retry),
                ))
            }
            End::Lagged => {
                self.shared
                    .counters
                    .lag_disconnects
                    .fetch_add(1, Ordering::Relaxed);
                None
            }
        };
        self.end = Some(end);
        self.state = State::Closing(frame);
    }

    fn leave(&mut self) {
        if std::mem::replace(&mut self.joined, false) {
            self.shared.leave(&self.cursors);
            self.sleep = None;
        }
    }

    /// Whether the lifetime is over. With a waker (when about to wait), also arms the
    /// timer, so that an idle stream is woken at its deadline.
    fn expired(&mut self, waker: Option<&Waker>) -> bool {
        let Some(deadline) = self.deadline else {
            return false;
        };
        if Instant::now() >= deadline {
            return true;
        }
        let Some(waker) = waker else {
            return false;
        };
        let sleep = self
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        sleep
            .as_mut()
            .poll(&mut Context::from_waker(waker))
            .is_ready()
    }

    /// The newest presence frame of a topic whose presence changed since the last read.
    fn presence(&mut self) -> Option<Encoded> {
        for cursor in &mut self.cursors {
            if cursor.log.presence_version.load(Ordering::Acquire) == cursor.presence_seen {
                continue;
            }
            let inner = cursor.log.lock();
            if let Some((version, frame)) = inner.presence() {
                cursor.presence_seen = *version;
                return Some(frame.clone());
            }
        }
        None
    }

    fn delivered(&self, replayed: bool) {
        let counters = &self.shared.counters;
        counters.delivered.add(self.number, 1);
        if replayed {
            counters.replayed.add(self.number, 1);
        }
    }

    /// The next event of a single-topic subscription: the topic's order is the order.
    fn next_single(&mut self, waker: &Waker) -> Next {
        let [cursor] = &mut *self.cursors else {
            return Next::Pending;
        };
        let mut inner = cursor.log.lock();
        if cursor.next < inner.head() {
            return Next::Lagged;
        }
        let (events, bytes) = cursor.lag(&inner);
        if over_limit(&self.shared.config, events, bytes) {
            return Next::Lagged;
        }
        let Some(entry) = inner.get(cursor.next) else {
            inner.waiters.register(cursor.slot, waker);
            return Next::Pending;
        };
        let frame = entry.frame.clone();
        let replayed = cursor.next < cursor.live_from;
        cursor.next += 1;
        cursor.next_offset = entry.end;
        drop(inner);
        self.delivered(replayed);
        Next::Frame(frame)
    }

    /// The next event of a multi-topic subscription: the smallest sequence number among
    /// the topics' next entries, considering only entries up to the committed one (an
    /// entry with a smaller number may still be on its way into another topic).
    fn next_merged(&mut self, waker: &Waker) -> Next {
        let committed = self.shared.committed.load(Ordering::Acquire);
        let mut best: Option<(usize, u64, Encoded, u64)> = None;
        let (mut events, mut bytes) = (0, 0);
        for (index, cursor) in self.cursors.iter().enumerate() {
            let mut inner = cursor.log.lock();
            if cursor.next < inner.head() {
                return Next::Lagged;
            }
            let (e, b) = cursor.lag(&inner);
            events += e;
            bytes += b;
            match inner.get(cursor.next) {
                Some(entry) if entry.seq <= committed => {
                    if best.as_ref().is_none_or(|(_, seq, _, _)| entry.seq < *seq) {
                        best = Some((index, entry.seq, entry.frame.clone(), entry.end));
                    }
                }
                _ => inner.waiters.register(cursor.slot, waker),
            }
        }
        if over_limit(&self.shared.config, events, bytes) {
            return Next::Lagged;
        }
        let Some((index, _, frame, end)) = best else {
            // Registered everywhere; an append committed meanwhile may have found no waker.
            return if self.shared.committed.load(Ordering::Acquire) == committed {
                Next::Pending
            } else {
                Next::Again
            };
        };
        let cursor = &mut self.cursors[index];
        let replayed = cursor.next < cursor.live_from;
        cursor.next += 1;
        cursor.next_offset = end;
        self.delivered(replayed);
        Next::Frame(frame)
    }
}

/// Whether a subscriber this far behind (counting events published since it subscribed)
/// is disconnected.
fn over_limit(config: &Config, events: u64, bytes: u64) -> bool {
    config.lag_events.is_some_and(|max| events > max as u64)
        || (events >= 2 && config.lag_bytes.is_some_and(|max| bytes > max as u64))
}

impl Stream for Subscription {
    type Item = Encoded;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Encoded>> {
        let this = self.get_mut();
        loop {
            match &mut this.state {
                State::Done => return Poll::Ready(None),
                State::Closing(frame) => {
                    let frame = frame.take();
                    this.state = State::Done;
                    return Poll::Ready(frame);
                }
                State::Open => {}
            }
            if this.shared.closed.load(Ordering::Acquire) {
                this.close(End::Shutdown);
                continue;
            }
            if this.expired(None) {
                this.close(End::Expired);
                continue;
            }
            if let Some(frame) = this.first.take() {
                return Poll::Ready(Some(frame));
            }
            if let Some(frame) = this.presence() {
                return Poll::Ready(Some(frame));
            }
            let next = if this.cursors.len() == 1 {
                this.next_single(cx.waker())
            } else {
                this.next_merged(cx.waker())
            };
            match next {
                Next::Frame(frame) => return Poll::Ready(Some(frame)),
                Next::Lagged => this.close(End::Lagged),
                Next::Again => {}
                Next::Pending => {
                    // Registered: look once more at what wakes through the same slots.
                    let changed = this.shared.closed.load(Ordering::SeqCst)
                        || this.cursors.iter().any(|c| {
                            c.log.presence_version.load(Ordering::Acquire) != c.presence_seen
                        })
                        || this.expired(Some(cx.waker()));
                    if !changed {
                        return Poll::Pending;
                    }
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self.state {
            State::Done => (0, Some(0)),
            _ => (0, None),
        }
    }
}

impl FusedStream for Subscription {
    fn is_terminated(&self) -> bool {
        matches!(self.state, State::Done)
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.leave();
    }
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription")
            .field("topics", &self.topics().collect::<Vec<_>>())
            .field("start", &self.start)
            .field("state", &self.state)
            .field("end", &self.end)
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}
