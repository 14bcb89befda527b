//! [`Envelope`]: an event on its way through a backplane.

use sse_core::Event;

use crate::Topic;

/// An event on its way through a backplane: its topic, the event (its `id` is set by
/// the backplane), and whether it counts in the hub's `published` statistics.
#[derive(Debug, Clone)]
pub struct Envelope {
    topic: Topic,
    event: Event,
    counted: bool,
}

impl Envelope {
    /// An event for `topic`, counted in the statistics.
    #[must_use]
    pub const fn new(topic: Topic, event: Event) -> Self {
        Self {
            topic,
            event,
            counted: true,
        }
    }

    /// Not counted in the `published` statistics (events the server makes itself).
    #[must_use]
    pub const fn uncounted(mut self) -> Self {
        self.counted = false;
        self
    }

    /// The topic.
    #[must_use]
    pub const fn topic(&self) -> &Topic {
        &self.topic
    }

    /// The event, without its id.
    pub const fn event(&self) -> &Event {
        &self.event
    }

    /// Whether it counts in the `published` statistics.
    #[must_use]
    pub const fn is_counted(&self) -> bool {
        self.counted
    }

    /// The topic, the event and whether it counts.
    pub fn into_parts(self) -> (Topic, Event, bool) {
        (self.topic, self.event, self.counted)
    }
}
