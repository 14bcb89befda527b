//! [`Counted`]: a stream that counts itself among the server's open streams.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use futures_util::Stream;

/// Wraps a response's event stream: the counter is one higher while it lives.
#[derive(Debug)]
pub struct Counted<S> {
    inner: S,
    counter: Arc<AtomicU64>,
}

impl<S> Counted<S> {
    /// Counts `inner` in `counter` until it is dropped.
    pub fn new(inner: S, counter: Arc<AtomicU64>) -> Self {
        counter.fetch_add(1, Ordering::Relaxed);
        Self { inner, counter }
    }
}

impl<S> Drop for Counted<S> {
    fn drop(&mut self) {
        self.counter.fetch_sub(1, Ordering::Relaxed);
    }
}

impl<S: Stream + Unpin> Stream for Counted<S> {
    type Item = S::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        Pin::new(&mut self.inner).poll_next(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt;

    use super::*;

    #[tokio::test]
    async fn counts_while_alive_and_passes_items_through() {
        let counter = Arc::new(AtomicU64::new(0));
        let mut stream = Counted::new(futures_util::stream::iter([1, 2]), counter.clone());
        assert_eq!(counter.load(Ordering::Relaxed), 1);
        assert_eq!(stream.next().await, Some(1));
        drop(stream);
        assert_eq!(counter.load(Ordering::Relaxed), 0);
    }
}
