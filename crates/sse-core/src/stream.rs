//! [`EventStream`]: events in, framed bytes out, with keep-alive, retry and shutdown.

use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use futures_core::stream::FusedStream;
use pin_project_lite::pin_project;
use tokio::time::{Instant, Sleep};
use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};

use crate::options::StreamConfig;
use crate::{Encoded, IntoFrame, KeepAlive, OnError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Not polled yet: the initial `retry:` frame may still be due.
    Start,
    Running,
    Done,
}

pin_project! {
    /// Turns a stream of events into the bytes of a `text/event-stream` body.
    ///
    /// * first, a `retry:` frame when one is configured;
    /// * then each event as one `Bytes` (one encoded frame, never split or merged);
    /// * a keep-alive frame after every silence of the keep-alive interval (the timer
    ///   restarts after every frame sent);
    /// * when the source ends, the stream ends;
    /// * when the source yields an error, the stream acts by its [`OnError`] and ends;
    /// * when the shutdown token is cancelled, the stream sends its shutdown frame, if
    ///   any, and ends, always between two events.
    ///
    /// The stream adds no `Send` or `Sync` bound of its own: it is `Send` when the source is.
    ///
    /// ```
    /// use std::time::Duration;
    /// use sse_core::{Event, EventStream};
    /// use tokio_stream::StreamExt;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let events = tokio_stream::iter([Event::new().data("one"), Event::new().data("two")]);
    /// let mut body = EventStream::new(events).retry(Duration::from_millis(500));
    /// let mut out = Vec::new();
    /// while let Some(chunk) = body.next().await {
    ///     out.extend_from_slice(&chunk.unwrap());
    /// }
    /// assert_eq!(out, b"retry: 500\n\ndata: one\n\ndata: two\n\n");
    /// # }
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct EventStream<S> {
        #[pin]
        source: S,
        // Boxed so that the stream is `Unpin` whenever its source is.
        sleep: Option<Pin<Box<Sleep>>>,
        shutdown: Option<Pin<Box<WaitForCancellationFutureOwned>>>,
        // The task waker the timer and the shutdown future last registered: while the
        // same task polls again, they need not be polled again (each poll costs atomics
        // and, for the shutdown future, a lock): a cheap state check tells whether they fired.
        registered: Option<Waker>,
        config: StreamConfig,
        last_sent: Option<Instant>,
        state: State,
    }
}

impl<S> std::fmt::Debug for EventStream<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("config", &self.config)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl<S> EventStream<S>
where
    S: Stream,
    S::Item: IntoFrame,
{
    /// Wraps `source` with the default settings: no keep-alive, no initial retry,
    /// errors abort, no shutdown token.
    pub fn new(source: S) -> Self {
        Self {
            source,
            sleep: None,
            shutdown: None,
            config: StreamConfig::default(),
            last_sent: None,
            registered: None,
            state: State::Start,
        }
    }
}

/// The builder methods. Each adapter's `Sse` has the same methods, delegating to these.
impl<S> EventStream<S> {
    /// Sends `keep_alive`'s frame after each silence of its interval.
    ///
    /// A zero interval turns keep-alive off: the stream then sends no keep-alive frames,
    /// as without this call (a frame after "no silence at all" would be a flood).
    #[must_use = "the setting is in the returned stream"]
    pub fn keep_alive(mut self, keep_alive: KeepAlive) -> Self {
        self.config.keep_alive = Some(keep_alive).filter(|k| !k.get_interval().is_zero());
        self
    }

    /// Sends `retry: <ms>` before the first event, setting the client's reconnection delay.
    #[must_use = "the setting is in the returned stream"]
    pub fn retry(mut self, delay: Duration) -> Self {
        self.config.retry = Some(delay);
        self
    }

    /// Chooses what happens when the source yields an error (by default
    /// [`OnError::Abort`]).
    #[must_use = "the setting is in the returned stream"]
    pub fn on_error(mut self, on_error: OnError) -> Self {
        self.config.on_error = on_error;
        self
    }

    /// Ends the stream promptly, on an event boundary, when `token` is cancelled, so
    /// that the server's graceful shutdown does not wait on open streams.
    #[must_use = "the setting is in the returned stream"]
    pub fn shutdown(mut self, token: CancellationToken) -> Self {
        self.config.shutdown = Some(token);
        self
    }

    /// Sends `frame` as the last frame when the stream ends by shutdown (for example a
    /// `retry:` hint so that clients do not all reconnect at the same instant).
    #[must_use = "the setting is in the returned stream"]
    pub fn shutdown_frame(mut self, frame: impl Into<Encoded>) -> Self {
        self.config.shutdown_frame = Some(frame.into());
        self
    }
}

impl<S> Stream for EventStream<S>
where
    S: Stream,
    S::Item: IntoFrame,
{
    type Item = Result<Bytes, <S::Item as IntoFrame>::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        match *this.state {
            State::Done => return Poll::Ready(None),
            State::Start => {
                *this.state = State::Running;
                if let Some(token) = &this.config.shutdown {
                    *this.shutdown = Some(Box::pin(token.clone().cancelled_owned()));
                }
                if let Some(delay) = this.config.retry {
                    *this.last_sent = this.config.keep_alive.as_ref().map(|_| Instant::now());
                    let frame = Encoded::retry(delay);
                    return Poll::Ready(Some(Ok(frame.into_bytes())));
                }
            }
            State::Running => {}
        }

        let same_task = this
            .registered
            .as_ref()
            .is_some_and(|w| w.will_wake(cx.waker()));
        if !same_task {
            *this.registered = None; // the timer and the shutdown future are polled below
        }
        let shut_down = match (this.shutdown.as_mut(), &this.config.shutdown) {
            (Some(_), Some(token)) if same_task => token.is_cancelled(),
            (Some(shutdown), _) => shutdown.as_mut().poll(cx).is_ready(),
            (None, _) => false,
        };
        if shut_down {
            *this.state = State::Done;
            return Poll::Ready(
                this.config
                    .shutdown_frame
                    .take()
                    .map(|f| Ok(f.into_bytes())),
            );
        }

        match this.source.poll_next(cx) {
            Poll::Ready(Some(item)) => match item.into_frame() {
                Ok(frame) => {
                    if this.config.keep_alive.is_some() {
                        *this.last_sent = Some(Instant::now());
                    }
                    Poll::Ready(Some(Ok(frame.into_bytes())))
                }
                Err(error) => {
                    *this.state = State::Done;
                    match std::mem::take(&mut this.config.on_error) {
                        OnError::Abort => Poll::Ready(Some(Err(error))),
                        OnError::Close => Poll::Ready(None),
                        OnError::CloseWith(frame) => Poll::Ready(Some(Ok(frame.into_bytes()))),
                    }
                }
            },
            Poll::Ready(None) => {
                *this.state = State::Done;
                Poll::Ready(None)
            }
            Poll::Pending => {
                let Some(keep_alive) = &this.config.keep_alive else {
                    *this.registered = Some(cx.waker().clone());
                    return Poll::Pending;
                };
                let interval = keep_alive.get_interval();
                let last = *this.last_sent.get_or_insert_with(Instant::now);
                let sleep = this
                    .sleep
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(last + interval)));
                if this.registered.is_some() && !sleep.is_elapsed() {
                    return Poll::Pending; // the timer holds this task's waker already
                }
                // Events do not touch the timer (that would cost a timer-wheel update
                // per event); when it fires early because events were sent since it was
                // armed, it is re-armed for the true end of the silence.
                loop {
                    if sleep.as_mut().poll(cx).is_pending() {
                        *this.registered = Some(cx.waker().clone());
                        return Poll::Pending;
                    }
                    let now = Instant::now();
                    let due = this.last_sent.unwrap_or(now) + interval;
                    if now >= due {
                        *this.last_sent = Some(now);
                        sleep.as_mut().reset(now + interval);
                        *this.registered = None; // the reset timer is polled (registered) next time
                        return Poll::Ready(Some(Ok(keep_alive.frame().as_bytes().clone())));
                    }
                    sleep.as_mut().reset(due);
                }
            }
        }
    }
}

impl<S> FusedStream for EventStream<S>
where
    S: Stream,
    S::Item: IntoFrame,
{
    fn is_terminated(&self) -> bool {
        self.state == State::Done
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use futures_util::StreamExt;
    use tokio::sync::mpsc;
    use tokio_stream::wrappers::UnboundedReceiverStream;

    use super::*;
    use crate::Event;

    fn text(chunk: &Bytes) -> &str {
        std::str::from_utf8(chunk).unwrap_or("<not utf-8>")
    }

    type Source = UnboundedReceiverStream<Event>;

    /// A source we push events into, with the stream under test (made by `configure`) in
    /// a task that records when each chunk arrived (in paused time).
    fn recorded(
        configure: impl FnOnce(EventStream<Source>) -> EventStream<Source>,
    ) -> (
        mpsc::UnboundedSender<Event>,
        mpsc::UnboundedReceiver<(Duration, String)>,
    ) {
        let (tx, rx) = mpsc::unbounded_channel();
        let (out_tx, out_rx) = mpsc::unbounded_channel();
        let stream = configure(EventStream::new(UnboundedReceiverStream::new(rx)));
        let start = Instant::now();
        tokio::spawn(async move {
            let mut stream = std::pin::pin!(stream);
            while let Some(Ok(chunk)) = stream.next().await {
                if out_tx
                    .send((start.elapsed(), text(&chunk).to_owned()))
                    .is_err()
                {
                    break;
                }
            }
        });
        (tx, out_rx)
    }

    /// [`recorded`] with a `: ka` keep-alive comment after `keep_alive` of silence.
    fn channel_stream(
        keep_alive: Duration,
    ) -> (
        mpsc::UnboundedSender<Event>,
        mpsc::UnboundedReceiver<(Duration, String)>,
    ) {
        recorded(|stream| stream.keep_alive(KeepAlive::new().interval(keep_alive).text("ka")))
    }

    #[tokio::test(start_paused = true)]
    async fn keep_alive_after_each_silence() {
        let (_tx, mut out) = channel_stream(Duration::from_secs(10));
        for n in 1..=3 {
            let (at, frame) = out.recv().await.unwrap();
            assert_eq!(frame, ": ka\n\n");
            assert_eq!(at, Duration::from_secs(10 * n));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn keep_alive_timer_restarts_after_an_event() {
        let (tx, mut out) = channel_stream(Duration::from_secs(10));
        tokio::time::sleep(Duration::from_secs(7)).await;
        tx.send(Event::new().data("e")).unwrap();
        assert_eq!(
            out.recv().await.unwrap(),
            (Duration::from_secs(7), "data: e\n\n".into())
        );
        // The next keep-alive is 10 s after the event, not 10 s after the start.
        assert_eq!(
            out.recv().await.unwrap(),
            (Duration::from_secs(17), ": ka\n\n".into())
        );
        assert_eq!(
            out.recv().await.unwrap(),
            (Duration::from_secs(27), ": ka\n\n".into())
        );
    }

    #[tokio::test(start_paused = true)]
    async fn steady_events_suppress_keep_alives() {
        let (tx, mut out) = channel_stream(Duration::from_secs(10));
        for _ in 0..5 {
            tokio::time::sleep(Duration::from_secs(6)).await;
            tx.send(Event::new().data("e")).unwrap();
        }
        for n in 1..=5 {
            assert_eq!(
                out.recv().await.unwrap(),
                (Duration::from_secs(6 * n), "data: e\n\n".into())
            );
        }
        assert_eq!(
            out.recv().await.unwrap(),
            (Duration::from_secs(40), ": ka\n\n".into())
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_stream_moved_to_another_task_still_gets_its_keep_alive() {
        let (_tx, rx) = mpsc::unbounded_channel::<Event>();
        let token = CancellationToken::new();
        let mut stream = EventStream::new(UnboundedReceiverStream::new(rx))
            .keep_alive(
                KeepAlive::new()
                    .interval(Duration::from_secs(10))
                    .text("ka"),
            )
            .shutdown(token.clone());
        // First polled by a context whose waker goes nowhere: the timer and the shutdown
        // future register that waker.
        let mut cx = Context::from_waker(Waker::noop());
        assert!(Pin::new(&mut stream).poll_next(&mut cx).is_pending());
        // Then awaited by a task: it must register its own waker, or it would never wake.
        let start = Instant::now();
        let next = tokio::time::timeout(Duration::from_secs(60), stream.next()).await;
        let chunk = next
            .expect("the keep-alive woke the new task")
            .unwrap()
            .unwrap();
        assert_eq!(text(&chunk), ": ka\n\n");
        assert_eq!(start.elapsed(), Duration::from_secs(10));
        // Same for the shutdown token, from yet another context.
        assert!(Pin::new(&mut stream).poll_next(&mut cx).is_pending());
        let end = tokio::spawn(async move { stream.next().await.is_none() });
        tokio::task::yield_now().await;
        token.cancel();
        let ended = tokio::time::timeout(Duration::from_secs(1), end).await;
        assert!(ended.expect("shutdown woke the new task").unwrap());
    }

    #[tokio::test]
    async fn retry_comes_first_and_the_end_ends() {
        let events = tokio_stream::iter([Event::new().data("a")]);
        let chunks: Vec<_> = EventStream::new(events)
            .retry(Duration::from_millis(2500))
            .map(|c| text(&c.unwrap()).to_owned())
            .collect()
            .await;
        assert_eq!(chunks, ["retry: 2500\n\n", "data: a\n\n"]);
    }

    #[tokio::test]
    async fn encoded_and_fallible_sources() {
        let shared = Event::new().data("s").encode();
        let events = tokio_stream::iter([shared.clone(), shared]);
        let n = EventStream::new(events).count().await;
        assert_eq!(n, 2);

        let events = tokio_stream::iter([Ok::<_, Infallible>(Event::new().data("x"))]);
        let chunks: Vec<_> = EventStream::new(events).collect().await;
        assert_eq!(chunks.len(), 1);
    }

    fn failing() -> impl Stream<Item = Result<Event, &'static str>> {
        tokio_stream::iter([
            Ok(Event::new().data("ok")),
            Err("boom"),
            Ok(Event::new().data("never")),
        ])
    }

    #[tokio::test]
    async fn error_aborts_by_default() {
        let out: Vec<_> = EventStream::new(failing()).collect().await;
        assert_eq!(out, [Ok(Bytes::from_static(b"data: ok\n\n")), Err("boom")]);
    }

    #[tokio::test]
    async fn error_can_close_cleanly_or_with_a_final_event() {
        let out: Vec<_> = EventStream::new(failing())
            .on_error(OnError::Close)
            .collect()
            .await;
        assert_eq!(out, [Ok(Bytes::from_static(b"data: ok\n\n"))]);

        let last = Event::new()
            .event("error")
            .unwrap()
            .data("internal")
            .encode();
        let out: Vec<_> = EventStream::new(failing())
            .on_error(OnError::CloseWith(last))
            .collect()
            .await;
        assert_eq!(
            out,
            [
                Ok(Bytes::from_static(b"data: ok\n\n")),
                Ok(Bytes::from_static(b"event: error\ndata: internal\n\n"))
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn shutdown_ends_an_idle_stream_with_its_final_frame() {
        let token = CancellationToken::new();
        let (_tx, rx) = mpsc::unbounded_channel::<Event>();
        let stream = EventStream::new(UnboundedReceiverStream::new(rx))
            .keep_alive(KeepAlive::new())
            .shutdown(token.clone())
            .shutdown_frame(Encoded::retry(Duration::from_millis(700)));
        let task = tokio::spawn(stream.collect::<Vec<_>>());
        tokio::time::sleep(Duration::from_secs(1)).await;
        token.cancel();
        let out = task.await.unwrap();
        assert_eq!(out, [Ok(Bytes::from_static(b"retry: 700\n\n"))]);
    }

    #[tokio::test(start_paused = true)]
    async fn retry_first_then_keep_alives_timed_from_it() {
        let (tx, mut out) = recorded(|stream| {
            stream.retry(Duration::from_millis(2500)).keep_alive(
                KeepAlive::new()
                    .interval(Duration::from_secs(10))
                    .text("ka"),
            )
        });
        let secs = Duration::from_secs;
        assert_eq!(
            out.recv().await.unwrap(),
            (secs(0), "retry: 2500\n\n".into())
        );
        assert_eq!(out.recv().await.unwrap(), (secs(10), ": ka\n\n".into()));
        tokio::time::sleep(secs(4)).await;
        tx.send(Event::new().data("e")).unwrap();
        assert_eq!(out.recv().await.unwrap(), (secs(14), "data: e\n\n".into()));
        assert_eq!(out.recv().await.unwrap(), (secs(24), ": ka\n\n".into()));
    }

    #[tokio::test(start_paused = true)]
    async fn a_keep_alive_event_goes_out_as_that_event() {
        let heartbeat = Event::new()
            .with_event(crate::EventName::from_static("heartbeat"))
            .data("");
        let (_tx, mut out) = recorded(|stream| {
            stream.keep_alive(
                KeepAlive::new()
                    .interval(Duration::from_secs(5))
                    .event(&heartbeat),
            )
        });
        for n in 1..=2 {
            assert_eq!(
                out.recv().await.unwrap(),
                (
                    Duration::from_secs(5 * n),
                    "event: heartbeat\ndata: \n\n".into()
                )
            );
        }
    }

    /// Counts the wake-ups of the task polling a stream.
    #[derive(Default)]
    struct WakeCount(std::sync::atomic::AtomicUsize);

    impl std::task::Wake for WakeCount {
        fn wake(self: std::sync::Arc<Self>) {
            self.wake_by_ref();
        }

        fn wake_by_ref(self: &std::sync::Arc<Self>) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_zero_keep_alive_interval_sends_none_and_never_wakes_the_task() {
        let (tx, rx) = mpsc::unbounded_channel::<Event>();
        let mut stream = EventStream::new(UnboundedReceiverStream::new(rx))
            .keep_alive(KeepAlive::new().interval(Duration::ZERO));
        let wakes = std::sync::Arc::new(WakeCount::default());
        let waker = Waker::from(std::sync::Arc::clone(&wakes));
        let mut cx = Context::from_waker(&waker);
        assert!(Pin::new(&mut stream).poll_next(&mut cx).is_pending());
        // An hour of silence: no frame, and not a single wake-up (no timer, no spinning).
        tokio::time::sleep(Duration::from_secs(3600)).await;
        let count = |w: &WakeCount| w.0.load(std::sync::atomic::Ordering::SeqCst);
        assert_eq!(count(&wakes), 0);
        assert!(Pin::new(&mut stream).poll_next(&mut cx).is_pending());
        // Events still flow.
        tx.send(Event::new().data("e")).unwrap();
        assert_eq!(count(&wakes), 1);
        let chunk = Pin::new(&mut stream).poll_next(&mut cx);
        assert_eq!(
            chunk,
            Poll::Ready(Some(Ok(Bytes::from_static(b"data: e\n\n"))))
        );
    }

    #[tokio::test]
    async fn shutdown_while_the_source_is_busy_ends_between_two_events() {
        let token = CancellationToken::new();
        // A source that always has the next event ready.
        let busy = tokio_stream::iter(std::iter::repeat_with(|| {
            Event::new().with_id(crate::Id::from(7)).data("a\nb\nc")
        }));
        let mut stream = EventStream::new(busy)
            .shutdown(token.clone())
            .shutdown_frame(Encoded::retry(Duration::from_millis(700)));
        let whole = Bytes::from_static(b"id: 7\ndata: a\ndata: b\ndata: c\n\n");
        for _ in 0..3 {
            assert_eq!(stream.next().await, Some(Ok(whole.clone())));
        }
        token.cancel();
        // At once: no more events however many the source has ready, the shutdown
        // frame, the end. Every chunk before it was a whole event.
        assert_eq!(
            stream.next().await,
            Some(Ok(Bytes::from_static(b"retry: 700\n\n")))
        );
        assert_eq!(stream.next().await, None);
        assert!(stream.is_terminated());
    }

    #[test]
    fn event_stream_is_send_and_unpin_when_its_source_is() {
        fn assert_send_unpin<T: Send + Unpin>(_: &T) {}
        let stream = EventStream::new(tokio_stream::iter([Event::new()]));
        assert_send_unpin(&stream);
    }
}
