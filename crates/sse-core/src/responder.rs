//! [`define_responder!`](crate::define_responder): the responder type every adapter has.

/// Defines a framework adapter's responder: a newtype around [`EventStream`](crate::EventStream)
/// with `new(stream)`, [`SseOptions`](crate::SseOptions) and `Debug`, so that each adapter
/// only writes its framework's response trait (it reads the private field `stream`).
///
/// For adapter crates (`sse-axum`, `sse-actix`, `sse-warp`, or your own framework's):
///
/// ```
/// sse_core::define_responder! {
///     /// An SSE response for my framework.
///     pub struct Sse;
/// }
///
/// impl<S> Sse<S> {
///     // The framework's response trait goes here; it turns `self.stream` into a body.
///     fn into_body(self) -> sse_core::EventStream<S> {
///         self.stream
///     }
/// }
///
/// let events = tokio_stream::iter([sse_core::Event::new().data("hi")]);
/// let body = Sse::new(events).into_body();
/// # drop(body);
/// ```
#[macro_export]
macro_rules! define_responder {
    ($(#[$attr:meta])* $vis:vis struct $name:ident;) => {
        $(#[$attr])*
        $vis struct $name<S> {
            stream: $crate::EventStream<S>,
        }

        impl<S> $name<S>
        where
            S: $crate::__private::Stream,
            S::Item: $crate::IntoFrame,
        {
            /// Answers with `stream`'s events, with the default settings (no keep-alive, no
            /// initial retry, errors abort the response); change them through `SseOptions`.
            pub fn new(stream: S) -> Self {
                Self { stream: $crate::EventStream::new(stream) }
            }
        }

        impl<S> $crate::SseOptions for $name<S> {
            fn config_mut(&mut self) -> &mut $crate::StreamConfig {
                $crate::SseOptions::config_mut(&mut self.stream)
            }
        }

        impl<S> ::core::fmt::Debug for $name<S> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_struct(stringify!($name)).field("stream", &self.stream).finish()
            }
        }
    };
}
