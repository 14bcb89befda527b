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

use crate::fetch::Fetch;
use crate::jitter::Rng;
use crate::observe::SubscriptionSpan;
use crate::resume::Asked;
use crate::state::{Cursor, Joined, Read, State, read_merged, read_one};
use crate::{Backplane, End, ResetReason, Start, SubscribeError, Topic};

#[derive(Debug)]
enum Stage {
    /// The `reset` or position frame the stream starts with, until sent.
    First(Encoded),
    /// Reading from the backplane's store what the history lacks, then yielding it.
    Fetching(Box<Fetch>),
    Open,
    /// Ended: this frame (if any) is the last one.
    Closing(Option<Encoded>),
    Done,
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
    shared: Arc<State>,
    cursors: Box<[Cursor]>,
    start: Start,
    /// The waker registered in the topic (single-topic subscriptions), as
    /// `(data, vtable)` addresses; `(0, 0)` when none is known to be there.
    armed: (usize, usize),
    deadline: Option<Instant>,
    sleep: Option<Pin<Box<Sleep>>>,
    rng: Rng,
    number: u64,
    state: Stage,
    end: Option<End>,
    joined: bool,
    span: SubscriptionSpan,
}

impl Subscription {
    /// Subscribes to `names` where `asked` says: checks the set of topics, joins them
    /// (unless the hub is shut down: then the stream is already ended), asks the
    /// backplane's store for what the history lacks when it may have it, and draws the
    /// stream's lifetime.
    pub(crate) fn open(
        state: &Arc<State>,
        mut names: Vec<Topic>,
        asked: Asked,
        backplane: &dyn Backplane,
    ) -> Result<Self, SubscribeError> {
        names.sort_unstable();
        names.dedup();
        if names.is_empty() {
            return Err(SubscribeError::NoTopics);
        }
        let limit = state.config.max_per_subscription;
        if names.len() > limit {
            return Err(SubscribeError::TooManyForOne {
                given: names.len(),
                limit,
            });
        }
        let (number, mut rng) = state.next_subscriber();
        let joined = if state.is_closed() {
            None
        } else {
            state.join(&names, asked, backplane.origin())?
        };
        let Some(Joined {
            cursors,
            mut start,
            first,
            fetch,
        }) = joined
        else {
            return Ok(Self::closed(state.clone(), rng, number));
        };
        let mut stage = first.map_or(Stage::Open, Stage::First);
        if let Some((after, through)) = fetch {
            match (backplane.replay(after, through, &names), stage) {
                (Some(replay), Stage::First(reset)) => {
                    if let Start::Reset { replay, .. } = start {
                        start = Start::Fetching { replay };
                    }
                    stage = Stage::Fetching(Box::new(Fetch::new(replay, after, through, reset)));
                }
                (_, other) => {
                    state.count_reset();
                    state.metrics.started(&start);
                    stage = other;
                }
            }
        }
        let span = SubscriptionSpan::open(number, &names, asked, start);
        let deadline = state
            .config
            .max_lifetime
            .map(|lifetime| Instant::now() + lifetime.mul_f64(0.5 + rng.unit()));
        Ok(Self {
            shared: state.clone(),
            cursors,
            start,
            armed: (0, 0),
            deadline,
            sleep: None,
            rng,
            number,
            state: stage,
            end: None,
            joined: true,
            span,
        })
    }

    /// A subscription made after shutdown: already ended.
    fn closed(shared: Arc<State>, rng: Rng, number: u64) -> Self {
        Self {
            shared,
            cursors: Box::new([]),
            start: Start::Closed,
            armed: (0, 0),
            deadline: None,
            sleep: None,
            rng,
            number,
            state: Stage::Done,
            end: Some(End::Shutdown),
            joined: false,
            span: SubscriptionSpan::open(number, &[], Asked::Nothing, Start::Closed),
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
        self.cursors.iter().map(Cursor::topic)
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
            + self.cursors.len() * Cursor::MEMORY
            + self.deadline.map_or(0, |_| size_of::<Sleep>())
    }

    /// Ends the stream: it leaves its topics now and yields `frame` (if any) last.
    fn close(&mut self, end: End) {
        self.leave();
        self.shared.metrics.ended(end);
        self.span.ended(end);
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
        self.state = Stage::Closing(frame);
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
        self.cursors.iter_mut().find_map(Cursor::presence)
    }

    fn delivered(&self, frame: &Encoded, replayed: bool) {
        self.shared.metrics.delivered(self.number, frame.len());
        let counters = &self.shared.counters;
        counters.delivered.add(self.number, 1);
        if replayed {
            counters.replayed.add(self.number, 1);
        }
    }
}

impl Stream for Subscription {
    type Item = Encoded;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Encoded>> {
        let this = self.get_mut();
        loop {
            match &mut this.state {
                Stage::Done => return Poll::Ready(None),
                Stage::Closing(frame) => {
                    let frame = frame.take();
                    this.state = Stage::Done;
                    return Poll::Ready(frame);
                }
                Stage::First(_) | Stage::Fetching(_) | Stage::Open => {}
            }
            if this.shared.is_closed() {
                this.close(End::Shutdown);
                continue;
            }
            if this.expired(None) {
                this.close(End::Expired);
                continue;
            }
            if matches!(this.state, Stage::First(_))
                && let Stage::First(frame) = std::mem::replace(&mut this.state, Stage::Open)
            {
                return Poll::Ready(Some(frame));
            }
            if let Stage::Fetching(fetch) = &mut this.state {
                let topics: Vec<&Topic> = this.cursors.iter().map(Cursor::topic).collect();
                match fetch.poll_read(cx, &topics) {
                    // The store's read bounds its own time; shutdown and the lifetime
                    // are looked at when it completes.
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Ok(fetched)) => {
                        if let Start::Fetching { replay } = this.start {
                            this.start = Start::Resumed {
                                replay: replay + fetched,
                            };
                        }
                        this.shared.metrics.started(&this.start);
                    }
                    Poll::Ready(Err(reset)) => {
                        if let Start::Fetching { replay } = this.start {
                            this.start = Start::Reset {
                                reason: ResetReason::Expired,
                                replay,
                            };
                        }
                        this.shared.count_reset();
                        this.shared.metrics.started(&this.start);
                        this.state = Stage::Open;
                        return Poll::Ready(Some(reset));
                    }
                }
                if let Some(frame) = fetch.next() {
                    this.delivered(&frame, true);
                    return Poll::Ready(Some(frame));
                }
                this.state = Stage::Open;
            }
            if let Some(frame) = this.presence() {
                // Its change woke the topic's waiters: ours is no longer there.
                this.armed = (0, 0);
                return Poll::Ready(Some(frame));
            }
            let read = match &mut *this.cursors {
                [cursor] => read_one(cursor, &this.shared, &mut this.armed, cx.waker()),
                cursors => read_merged(cursors, &this.shared, cx.waker()),
            };
            match read {
                Read::Frame { frame, replayed } => {
                    this.delivered(&frame, replayed);
                    return Poll::Ready(Some(frame));
                }
                Read::Lagged => this.close(End::Lagged),
                Read::Again => {}
                Read::Pending => {
                    // Registered: look once more at what wakes through the same slots.
                    let changed = this.shared.closed_after_registering()
                        || this.cursors.iter().any(Cursor::presence_changed)
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
            Stage::Done => (0, Some(0)),
            _ => (0, None),
        }
    }
}

impl FusedStream for Subscription {
    fn is_terminated(&self) -> bool {
        matches!(self.state, Stage::Done)
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if self.joined {
            self.shared.metrics.disconnected();
            self.span.disconnected();
        }
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
