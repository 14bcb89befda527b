//! The hub's tracing (feature `tracing`): a span per subscription, events at the ends of
//! streams and at shutdown. Nothing per delivered event.

use std::fmt;

use tracing::{Span, field};

use crate::resume::Asked;
use crate::{End, Start, Topic};

/// A subscription's span: `subscription{id topics start after reason replay}`.
#[derive(Debug)]
pub(crate) struct SubscriptionSpan(Span);

impl SubscriptionSpan {
    /// The span of subscription `number` to `topics`, which asked for `asked` and starts
    /// as `start`; emits `subscribed` (DEBUG) in it.
    pub(crate) fn open(number: u64, topics: &[Topic], asked: Asked, start: Start) -> Self {
        let span = tracing::debug_span!(
            "subscription",
            id = number,
            topics = %Names(topics),
            start = start_name(start),
            after = field::Empty,
            reason = field::Empty,
            replay = field::Empty,
        );
        if span.is_disabled() {
            return Self(span);
        }
        match asked {
            Asked::After(id) => {
                span.record("after", field::display(id));
            }
            Asked::Foreign => {
                span.record("after", "(not issued here)");
            }
            Asked::Nothing => {}
        }
        match start {
            Start::Resumed { replay } => {
                span.record("replay", replay);
            }
            Start::Reset { reason, replay } => {
                span.record("reason", reason.as_str());
                span.record("replay", replay);
            }
            Start::Fetching { replay } => {
                span.record("replay", replay);
            }
            Start::Live | Start::Closed => {}
        }
        tracing::debug!(parent: &span, "subscribed");
        Self(span)
    }

    /// The hub ended the stream.
    pub(crate) fn ended(&self, end: End) {
        match end {
            End::Lagged => {
                tracing::info!(
                    parent: &self.0,
                    "subscriber too far behind: stream ended (it resumes with Last-Event-ID)"
                );
            }
            End::Expired => {
                tracing::debug!(parent: &self.0, "maximum lifetime reached: stream ended");
            }
            End::Shutdown => {
                tracing::debug!(parent: &self.0, "hub shut down: stream ended");
            }
        }
    }

    /// The subscription was dropped while open: the client went away.
    pub(crate) fn disconnected(&self) {
        tracing::debug!(parent: &self.0, "client went away");
    }
}

/// The hub is shutting down with `subscriptions` open.
pub(crate) fn shutdown(subscriptions: usize) {
    tracing::info!(subscriptions, "hub shutting down: ending every stream");
}

const fn start_name(start: Start) -> &'static str {
    match start {
        Start::Live => "live",
        Start::Resumed { .. } => "resumed",
        Start::Reset { .. } => "reset",
        Start::Fetching { .. } => "fetching",
        Start::Closed => "closed",
    }
}

/// Topic names joined with `,`, written only if the span is recorded.
struct Names<'a>(&'a [Topic]);

impl fmt::Display for Names<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, topic) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(topic.as_str())?;
        }
        Ok(())
    }
}
