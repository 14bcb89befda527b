//! Prints the bytes of a small event stream: what a server using `sse-core` sends.
//!
//! `cargo run -p sse-core --example print_stream`

use std::time::Duration;

use sse_core::{Event, EventStream, InvalidField, KeepAlive, decode_all};
use tokio_stream::StreamExt;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), InvalidField> {
    let events = vec![
        Event::new()
            .event("greeting")?
            .id("1")?
            .data("hello, world"),
        Event::new().id("2")?.data("two lines\r\nCRLF is one break"),
        Event::new().comment("comments keep the connection open"),
        Event::new().id("3")?.data(""),
    ];
    // A slow source: one event every 300 ms, so a keep-alive shows up in between.
    let source = tokio_stream::iter(events).throttle(Duration::from_millis(300));
    let mut stream = std::pin::pin!(
        EventStream::new(source)
            .retry(Duration::from_secs(3))
            .keep_alive(KeepAlive::new().interval(Duration::from_millis(200)))
    );

    let mut all = Vec::new();
    println!("--- bytes on the wire ---");
    while let Some(Ok(chunk)) = stream.next().await {
        print!("{}", String::from_utf8_lossy(&chunk));
        all.extend_from_slice(&chunk);
    }
    println!("--- what EventSource dispatches ---");
    for frame in decode_all(&all) {
        println!("{frame:?}");
    }
    Ok(())
}
