//! Live event feeds: a test pushes events (or an error) into the stream a server is
//! answering with, and learns when the server dropped that stream.

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError, mpsc as std_mpsc};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::Stream;
use sse_core::{Event, KeepAlive, OnError};
use tokio::sync::mpsc;

use crate::stream_config::StreamConfig;

/// The error a test makes a feed yield.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedError;

impl fmt::Display for FeedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the test made the feed fail")
    }
}

impl std::error::Error for FeedError {}

/// What a feed yields.
pub type FeedItem = Result<Event, FeedError>;

/// The stream a server answers `/live` or `/compressed` with. Dropping it tells the test.
#[derive(Debug)]
pub struct Feed {
    events: mpsc::UnboundedReceiver<FeedItem>,
    dropped: std_mpsc::Sender<()>,
}

impl Stream for Feed {
    type Item = FeedItem;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<FeedItem>> {
        self.events.poll_recv(cx)
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        let _ = self.dropped.send(());
    }
}

/// The test's end of a feed.
#[derive(Debug)]
pub struct FeedHandle {
    events: Option<mpsc::UnboundedSender<FeedItem>>,
    dropped: std_mpsc::Receiver<()>,
}

impl FeedHandle {
    /// Sends an event down the stream.
    ///
    /// # Panics
    ///
    /// When the feed was ended with [`FeedHandle::end`] (a bug in the test).
    pub fn send(&self, event: Event) {
        self.push(Ok(event));
    }

    /// Makes the stream yield an error.
    pub fn fail(&self) {
        self.push(Err(FeedError));
    }

    fn push(&self, item: FeedItem) {
        let sender = self.events.as_ref().expect("the feed was ended");
        // The server may already have dropped the stream; the test then sees that.
        let _ = sender.send(item);
    }

    /// Ends the stream (the source yields `None`).
    pub fn end(&mut self) {
        self.events = None;
    }

    /// Waits up to `timeout` for the server to drop the stream.
    #[must_use]
    pub fn dropped_within(&self, timeout: Duration) -> bool {
        self.dropped.recv_timeout(timeout).is_ok()
    }
}

/// The feeds the next `/live` and `/compressed` requests will answer with, in order,
/// each with its stream settings.
#[derive(Debug, Clone, Default)]
pub struct Feeds {
    queue: Arc<Mutex<VecDeque<(Feed, StreamConfig)>>>,
}

/// How a test wants its feed's stream to behave.
#[derive(Debug, Clone)]
pub struct FeedOptions {
    /// Keep-alive interval; `None` sends none.
    pub keep_alive: Option<Duration>,
    /// What an error from the feed does.
    pub on_error: OnError,
}

impl Default for FeedOptions {
    fn default() -> Self {
        Self {
            keep_alive: None,
            on_error: OnError::Abort,
        }
    }
}

impl Feeds {
    /// Queues a feed for the next request; the server adds its shutdown token.
    #[must_use]
    pub fn push(&self, options: FeedOptions) -> FeedHandle {
        let (tx, rx) = mpsc::unbounded_channel();
        let (dropped_tx, dropped_rx) = std_mpsc::channel();
        let config = StreamConfig {
            keep_alive: options.keep_alive.map(|interval| {
                KeepAlive::new()
                    .interval(interval)
                    .text(crate::fixture::KEEP_ALIVE_TEXT)
            }),
            on_error: options.on_error,
            ..StreamConfig::default()
        };
        let feed = Feed {
            events: rx,
            dropped: dropped_tx,
        };
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_back((feed, config));
        FeedHandle {
            events: Some(tx),
            dropped: dropped_rx,
        }
    }

    /// The next queued feed, or a feed that ends at once when none is queued.
    #[must_use]
    pub fn take(&self) -> (Feed, StreamConfig) {
        let next = self
            .queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front();
        next.unwrap_or_else(|| {
            let (_, rx) = mpsc::unbounded_channel();
            let (dropped, _) = std_mpsc::channel();
            (
                Feed {
                    events: rx,
                    dropped,
                },
                StreamConfig::default(),
            )
        })
    }
}
