//! [`Publishing`]: a publish in progress, as a backplane returns it.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::{EventId, PublishError};

type Boxed = Pin<Box<dyn Future<Output = Result<EventId, PublishError>> + Send>>;

enum State {
    Ready(Option<Result<EventId, PublishError>>),
    Waiting(Boxed),
}

/// A publish in progress: a future of the event's id.
///
/// With the in-process backplane it is complete when returned (the event is already
/// delivered); [`into_ready`](Self::into_ready) then gives the result without awaiting.
#[must_use = "it holds the event's id, or why it was not published"]
pub struct Publishing(State);

impl Publishing {
    /// A publish that is already complete.
    pub const fn ready(result: Result<EventId, PublishError>) -> Self {
        Self(State::Ready(Some(result)))
    }

    /// A publish that completes when `future` does.
    pub fn new(
        future: impl Future<Output = Result<EventId, PublishError>> + Send + 'static,
    ) -> Self {
        Self(State::Waiting(Box::pin(future)))
    }

    /// The result, if the publish is already complete; otherwise the publish itself, to
    /// be awaited.
    ///
    /// # Errors
    ///
    /// `Err(self)` when the publish is not complete yet.
    pub fn into_ready(self) -> Result<Result<EventId, PublishError>, Self> {
        match self.0 {
            State::Ready(Some(result)) => Ok(result),
            other => Err(Self(other)),
        }
    }
}

impl Future for Publishing {
    type Output = Result<EventId, PublishError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().0 {
            // Polled again after completing: a caller's mistake; it never completes twice.
            State::Ready(result) => result.take().map_or(Poll::Pending, Poll::Ready),
            State::Waiting(future) => future.as_mut().poll(cx),
        }
    }
}

impl fmt::Debug for Publishing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            State::Ready(result) => f.debug_tuple("Publishing").field(result).finish(),
            State::Waiting(_) => f.write_str("Publishing(<waiting>)"),
        }
    }
}
