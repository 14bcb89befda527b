//! [`Inbox`]: where a backplane delivers events for one hub.

use std::fmt;
use std::sync::{Arc, Weak};

use crate::state::State;
use crate::{Envelope, EventId, PublishError};

/// Where a backplane delivers events for one hub. Cheap to clone; it does not keep the
/// hub alive (once the hub is gone, deliveries fail with [`PublishError::Closed`]).
#[derive(Clone)]
pub struct Inbox {
    state: Weak<State>,
}

impl Inbox {
    pub(crate) fn new(state: &Arc<State>) -> Self {
        Self {
            state: Arc::downgrade(state),
        }
    }

    /// Delivers an event that the backplane has given `id`: encodes it once (with
    /// `id: <id>`) and appends it to its topic's log, waking the topic's subscribers.
    ///
    /// # Errors
    ///
    /// * [`PublishError::OutOfOrder`] when `id` is not after the last id delivered;
    /// * [`PublishError::TooManyTopics`] when the topic cannot be created;
    /// * [`PublishError::Closed`] when the hub is shut down or gone.
    pub fn deliver(&self, id: EventId, envelope: Envelope) -> Result<(), PublishError> {
        self.deliver_next(envelope, || id).map(|_| ())
    }

    /// Like [`deliver`](Self::deliver), for a backplane that numbers events in-process:
    /// `next_id` is called with the hub's log locked, after the topic is known to
    /// accept the event, so ids are given in the order events are appended and none is
    /// spent on a refused event.
    ///
    /// # Errors
    ///
    /// As [`deliver`](Self::deliver).
    pub fn deliver_next(
        &self,
        envelope: Envelope,
        next_id: impl FnOnce() -> EventId,
    ) -> Result<EventId, PublishError> {
        let state = self.state.upgrade().ok_or(PublishError::Closed)?;
        let (topic, event, counted) = envelope.into_parts();
        state.append(&topic, &event, counted, next_id)
    }

    /// Reports a break in the backplane's continuity: events between the newest one
    /// delivered and `at` may be lost (the backplane's store was emptied, or trimmed
    /// past this hub's position). Every topic gets a `reset` event with the id `at`
    /// (`data: expired`), which its live subscribers receive next, after the events
    /// they had not read yet; a `Last-Event-ID` before `at` is answered with `reset`
    /// from now on, and `at` itself resumes with the events delivered after it.
    ///
    /// Events delivered later must have ids after `at`. When `at` is not after the
    /// newest id delivered (the backplane's ids went back), the history is dropped
    /// (subscribers still reading it are disconnected, and resume with a `reset`) and
    /// an id of the old history is answered as any other: `reset` while it is after the
    /// newest id (it looks unknown), so a backplane whose ids can go back should keep
    /// them apart by other means (Redis ids go back only with the server's clock).
    ///
    /// # Errors
    ///
    /// [`PublishError::Closed`] when the hub is shut down or gone.
    pub fn discontinuity(&self, at: EventId) -> Result<(), PublishError> {
        let state = self.state.upgrade().ok_or(PublishError::Closed)?;
        state.discontinuity(at)
    }

    /// The id of the newest event delivered, if any.
    #[must_use]
    pub fn last_id(&self) -> Option<EventId> {
        self.state.upgrade().and_then(|state| state.last_id())
    }
}

impl fmt::Debug for Inbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inbox")
            .field("attached", &(self.state.strong_count() > 0))
            .finish()
    }
}
