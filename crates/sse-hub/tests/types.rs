//! What the public types promise to a server: they cross threads and tasks freely.

use std::error::Error;

use sse_hub::{
    BackplaneError, ConfigError, Envelope, EventId, Hub, HubBuilder, Inbox, MemoryBackplane,
    PublishError, Publishing, Stats, SubscribeError, Subscription, Topic,
};

fn send_sync<T: Send + Sync + 'static>() {}
fn send_unpin<T: Send + Unpin + 'static>() {}
fn error<T: Error + Send + Sync + 'static>() {}

#[test]
fn handles_and_values_are_send_and_sync() {
    send_sync::<Hub>();
    send_sync::<HubBuilder>();
    send_sync::<Topic>();
    send_sync::<EventId>();
    send_sync::<Envelope>();
    send_sync::<Inbox>();
    send_sync::<MemoryBackplane>();
    send_sync::<Stats>();
    send_sync::<Subscription>();
}

#[test]
fn streams_and_futures_are_send_and_unpin() {
    // A Subscription goes straight into a response body; a Publishing is awaited in a handler.
    send_unpin::<Subscription>();
    send_unpin::<Publishing>();
}

#[test]
fn errors_are_std_errors() {
    error::<PublishError>();
    error::<SubscribeError>();
    error::<ConfigError>();
    error::<BackplaneError>();
    error::<sse_hub::InvalidTopic>();
    error::<sse_hub::InvalidEventId>();
}
