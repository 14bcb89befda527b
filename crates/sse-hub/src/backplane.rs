//! The [`Backplane`]: how events travel between the hubs of several processes, and who
//! decides their order and ids.
//!
//! A hub never sequences events itself. [`Hub::publish`](crate::Hub::publish) hands an
//! [`Envelope`] to its backplane; the backplane gives the event its [`EventId`] and hands
//! it back, in id order, to the [`Inbox`] of every hub attached to it (the publishing hub
//! included), which encodes it once and appends it to the topic's log.
//!
//! * [`MemoryBackplane`](crate::MemoryBackplane), the default, serves one hub in one
//!   process: it numbers events as it delivers them, synchronously, so publishing
//!   completes at once.
//! * `sse-redis`'s `RedisBackplane` `XADD`s the envelope (resolving the publish with the
//!   id Redis gave), runs one reader task per process that reads the stream and calls
//!   [`Inbox::deliver`] with each entry in stream order, parses Redis ids (`<ms>-<seq>`)
//!   in [`Backplane::parse_id`], reports [`Backplane::health`], waits in
//!   [`Backplane::caught_up`] until it has read an id another process gave, turns a
//!   break in the stream's continuity into [`Inbox::discontinuity`], and reads back from
//!   the stream ([`Backplane::replay`], `XRANGE`) the events a resuming client missed
//!   that this process's history no longer holds. A client may then resume on any
//!   process with the id another one gave it.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::{BackplaneError, Envelope, EventId, Inbox, Publishing, Replay, Topic};

/// Carries events between the hubs attached to it, in one order, with ids it chooses.
///
/// Implementations must deliver every event to every attached [`Inbox`] in increasing
/// id order (an inbox refuses an id that is not after the last one it took).
pub trait Backplane: Send + Sync + fmt::Debug + 'static {
    /// Attaches a hub: from now on, events published through this backplane go to
    /// `inbox` too. Called once by [`HubBuilder::build`](crate::HubBuilder::build).
    ///
    /// # Errors
    ///
    /// A backplane that cannot serve this hub (for example, one that serves a single
    /// hub and already has one) says why.
    fn attach(&self, inbox: Inbox) -> Result<(), BackplaneError>;

    /// Publishes an event to every attached hub. The result resolves to the event's id
    /// once the backplane has ordered it (at once for an in-process backplane).
    fn publish(&self, envelope: Envelope) -> Publishing;

    /// Reads an id that a client sends back as `Last-Event-ID`, or `None` when this
    /// backplane cannot have issued it (malformed, or from another process or epoch).
    ///
    /// The hub checks the rest: an id after the newest event it holds is treated as
    /// unknown too.
    fn parse_id(&self, text: &str) -> Option<EventId>;

    /// The id of the position before the first event (sorting before every id this
    /// backplane issues), if it has one: `<epoch>-0` for the memory backplane, `0-0`
    /// for Redis. The hub names it when there is no event to name (a live stream on a
    /// hub that has published nothing yet, a reset replaying from the start), so that
    /// the client still has a `Last-Event-ID` to come back with. The default: none.
    fn origin(&self) -> Option<EventId> {
        None
    }

    /// Waits until this process's hub holds every event up to `id`, when `id` may be an
    /// event that the backplane ordered and has not delivered here yet (an id another
    /// process gave a client that now resumes here). Implementations bound the wait;
    /// the hub then decides as usual (an id still unknown gets `reset`). The default:
    /// nothing to wait for.
    fn caught_up(&self, id: EventId) -> CatchUp {
        let _ = id;
        CatchUp::ready()
    }

    /// Whether publishing can work now: `Err` with the reason while it cannot (a
    /// backplane that lost its server, or is still loading history at start-up).
    /// Servers answer their health check with it. The default: always healthy.
    ///
    /// # Errors
    ///
    /// Why publishing cannot work now.
    fn health(&self) -> Result<(), BackplaneError> {
        Ok(())
    }

    /// Reads back from the backplane's own store (when it keeps one longer than the
    /// hub's history) the events of `topics` with ids after `after` and up to `through`
    /// included, in increasing id order, for a subscriber whose `Last-Event-ID`
    /// (`after`) is older than what the hub's history holds of `topics`. `through` is
    /// the newest id that may have left that history: the hub itself replays what comes
    /// after it, then live events.
    ///
    /// The future fails when the store cannot give every such event (it no longer holds
    /// `after`, or there are more than the backplane reads for one resume): the
    /// subscriber then gets `reset`. Implementations bound the time it takes.
    ///
    /// The default, `None`: no store beyond the hub's history, so such an id gets
    /// `reset` at once.
    fn replay(&self, after: EventId, through: EventId, topics: &[Topic]) -> Option<Replay> {
        let _ = (after, through, topics);
        None
    }
}

/// A wait until a process has caught up with the backplane (see [`Backplane::caught_up`]).
#[must_use = "futures do nothing unless polled"]
pub struct CatchUp(Option<Pin<Box<dyn Future<Output = ()> + Send>>>);

impl CatchUp {
    /// Nothing to wait for.
    pub const fn ready() -> Self {
        Self(None)
    }

    /// Done when `future` is.
    pub fn new(future: impl Future<Output = ()> + Send + 'static) -> Self {
        Self(Some(Box::pin(future)))
    }
}

impl Future for CatchUp {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match &mut self.get_mut().0 {
            None => Poll::Ready(()),
            Some(future) => future.as_mut().poll(cx),
        }
    }
}

impl fmt::Debug for CatchUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "CatchUp(<waiting>)"
        } else {
            "CatchUp(ready)"
        })
    }
}
