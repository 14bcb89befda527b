//! [`IntoFrame`]: what an event stream may yield.

use std::convert::Infallible;

use crate::{Encoded, Event};

/// An item of a stream given to [`EventStream`](crate::EventStream): an [`Event`], an
/// [`Encoded`] event, or a `Result` of either for fallible streams.
///
/// Raw bytes are deliberately not accepted: every frame on the wire is made by the
/// encoder, so no caller can put a half event on a connection.
pub trait IntoFrame {
    /// The stream's error type ([`Infallible`] for plain events).
    type Error;

    /// The encoded frame, or the stream's error.
    ///
    /// # Errors
    ///
    /// The error the stream yielded.
    fn into_frame(self) -> Result<Encoded, Self::Error>;
}

impl IntoFrame for Event {
    type Error = Infallible;

    fn into_frame(self) -> Result<Encoded, Infallible> {
        Ok(self.encode())
    }
}

impl IntoFrame for Encoded {
    type Error = Infallible;

    fn into_frame(self) -> Result<Encoded, Infallible> {
        Ok(self)
    }
}

impl<T: Into<Encoded>, E> IntoFrame for Result<T, E> {
    type Error = E;

    fn into_frame(self) -> Result<Encoded, E> {
        self.map(Into::into)
    }
}
