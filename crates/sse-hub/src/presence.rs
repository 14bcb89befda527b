//! Presence: who is subscribed to what, and the hook that turns changes into events.

use std::fmt;
use std::sync::Arc;

use sse_core::{Encoded, Event, InvalidField};

use crate::Topic;

/// Whether a subscriber came or went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PresenceKind {
    /// A subscription to the topic started.
    Joined,
    /// A subscription to the topic ended (its stream ended or it was dropped).
    Left,
    /// Nothing changed here: the application asked for the presence event again with
    /// [`Hub::refresh_presence`](crate::Hub::refresh_presence) (for instance because
    /// its count includes other processes, whose counts changed).
    Refreshed,
}

/// A change in a topic's subscriber count, given to the hook set with
/// [`HubBuilder::on_presence`](crate::HubBuilder::on_presence).
#[derive(Debug, Clone, Copy)]
pub struct PresenceChange<'a> {
    topic: &'a Topic,
    subscribers: usize,
    kind: PresenceKind,
}

impl PresenceChange<'_> {
    /// The topic.
    #[must_use]
    pub const fn topic(&self) -> &Topic {
        self.topic
    }

    /// The topic's subscriber count after the change.
    #[must_use]
    pub const fn subscribers(&self) -> usize {
        self.subscribers
    }

    /// Whether a subscriber came or went.
    #[must_use]
    pub const fn kind(&self) -> PresenceKind {
        self.kind
    }

    /// An event named `name` whose data is the subscriber count in decimal: the usual
    /// presence event (`event: presence`, `data: 3`).
    ///
    /// # Errors
    ///
    /// [`InvalidField`] when `name` contains a line break.
    pub fn count_event(&self, name: &'static str) -> Result<Event, InvalidField> {
        Ok(Event::new().event(name)?.data(self.subscribers.to_string()))
    }
}

type Hook = dyn Fn(&PresenceChange<'_>) -> Option<Event> + Send + Sync;

/// The hook set with [`HubBuilder::on_presence`](crate::HubBuilder::on_presence).
#[derive(Clone)]
pub(crate) struct PresenceHook(Arc<Hook>);

impl PresenceHook {
    pub(crate) fn new<F>(hook: F) -> Self
    where
        F: Fn(&PresenceChange<'_>) -> Option<Event> + Send + Sync + 'static,
    {
        Self(Arc::new(hook))
    }

    /// The frame for `topic`'s subscribers after a change to `subscribers`, if the hook
    /// makes one.
    pub(crate) fn frame(
        &self,
        topic: &Topic,
        subscribers: usize,
        kind: PresenceKind,
    ) -> Option<Encoded> {
        let change = PresenceChange {
            topic,
            subscribers,
            kind,
        };
        (self.0)(&change).map(|event| event.encode())
    }
}

impl fmt::Debug for PresenceHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PresenceHook(<fn>)")
    }
}
