//! [`Replay`]: events a backplane reads back from its own store for a subscriber whose
//! `Last-Event-ID` is older than the hub's history (see [`Backplane::replay`]).
//!
//! [`Backplane::replay`]: crate::Backplane::replay

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll};

use crate::{BackplaneError, Envelope, EventId};

/// The events read back, each with its id, in increasing id order.
pub type Replayed = Vec<(EventId, Envelope)>;

type Boxed = Pin<Box<dyn Future<Output = Result<Replayed, BackplaneError>> + Send>>;

/// A read of missed events from a backplane's store, in progress: a future of the
/// events, or of why they cannot be had (the store no longer holds them, there are more
/// than the backplane reads for one resume, the store is unreachable). On an error the
/// subscriber gets `reset`, as when the backplane has no store.
///
/// It is `Sync` (a [`Subscription`](crate::Subscription) that holds it is) without asking
/// the future to be: it is only ever reached through `&mut`.
#[must_use = "futures do nothing unless polled"]
pub struct Replay(Mutex<Boxed>);

impl Replay {
    /// Done when `future` is.
    pub fn new(
        future: impl Future<Output = Result<Replayed, BackplaneError>> + Send + 'static,
    ) -> Self {
        Self(Mutex::new(Box::pin(future)))
    }
}

impl Future for Replay {
    type Output = Result<Replayed, BackplaneError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // `get_mut` takes no lock: `&mut self` is exclusive already.
        let future = self.get_mut().0.get_mut();
        future
            .unwrap_or_else(PoisonError::into_inner)
            .as_mut()
            .poll(cx)
    }
}

impl fmt::Debug for Replay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Replay(<reading>)")
    }
}
