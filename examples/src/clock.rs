//! The ticking clock: one event named `tick` per second, numbered by `id`.

use std::time::{Duration, SystemTime};

use sse_core::{Event, EventName, InvalidField, LastEventId};
use tokio_stream::{Stream, StreamExt};

/// The flags of every clock example.
#[derive(Debug, clap::Parser)]
pub struct Args {
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:3000")]
    pub addr: std::net::SocketAddr,
}

/// A page that shows the clock with `EventSource`.
pub const PAGE: &str = r#"<!doctype html>
<meta charset="utf-8">
<title>clock</title>
<p>The server's time: <output id="now">…</output></p>
<script>
  const source = new EventSource('/clock');
  source.addEventListener('tick', (e) => { document.getElementById('now').value = e.data; });
</script>
"#;

/// The clock's event type.
const TICK: EventName = EventName::from_static("tick");

/// `tick` events, one a second, with the server's time (HTTP date) as data and a count
/// as id, starting after `last_id` when the client is resuming.
pub fn ticks(
    last: Option<&LastEventId>,
) -> impl Stream<Item = Result<Event, InvalidField>> + use<> {
    let start = last
        .and_then(|id| id.as_str().parse::<u64>().ok())
        .map_or(0, |n| n + 1);
    tokio_stream::iter(start..)
        .throttle(Duration::from_secs(1))
        .map(|n| {
            let now = httpdate::fmt_http_date(SystemTime::now());
            Ok(Event::new().with_event(TICK).id(n.to_string())?.data(now))
        })
}
