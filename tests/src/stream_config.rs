//! [`StreamConfig`]: the settings a test gives the stream a server answers with.

use std::time::Duration;

use futures_util::Stream;
use sse_core::{CancellationToken, EventStream, IntoFrame, KeepAlive, OnError};

/// The settings of a served stream, applied by [`StreamConfig::stream`] through
/// [`EventStream`]'s builder methods; each framework's server turns the result into its
/// adapter's `Sse` with `Sse::from`.
#[derive(Debug, Clone, Default)]
pub struct StreamConfig {
    /// Keep-alive frames after a silence; `None` sends none.
    pub keep_alive: Option<KeepAlive>,
    /// A `retry:` frame sent first.
    pub retry: Option<Duration>,
    /// What an error of the source does.
    pub on_error: OnError,
    /// Ends the stream when cancelled.
    pub shutdown: Option<CancellationToken>,
}

impl StreamConfig {
    /// `source` as an event stream with these settings.
    pub fn stream<S>(self, source: S) -> EventStream<S>
    where
        S: Stream,
        S::Item: IntoFrame,
    {
        let mut stream = EventStream::new(source).on_error(self.on_error);
        if let Some(keep_alive) = self.keep_alive {
            stream = stream.keep_alive(keep_alive);
        }
        if let Some(delay) = self.retry {
            stream = stream.retry(delay);
        }
        if let Some(token) = self.shutdown {
            stream = stream.shutdown(token);
        }
        stream
    }
}
