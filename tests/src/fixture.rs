//! The fixed event sequence served at `/fixed`, and what a client must make of it.

use std::time::Duration;

use sse_core::{Encoded, Event, InvalidField};

use crate::stream_config::StreamConfig;

/// The `retry:` sent first on `/fixed`.
pub const INITIAL_RETRY: Duration = Duration::from_millis(1500);

/// The origin the test CORS policy allows (with credentials).
pub const ALLOWED_ORIGIN: &str = "http://allowed.example";

/// The keep-alive comment text of live feeds.
pub const KEEP_ALIVE_TEXT: &str = "ka";

/// The tricky events of `/fixed`, in order: comments, CRLF / lone CR / LF in data,
/// leading spaces, empty data, unicode, named events, ids that persist and an id that
/// clears, `retry` fields, and a final `done` event.
///
/// # Errors
///
/// Never in practice: every `event` and `id` here is valid.
pub fn fixed_events() -> Result<Vec<Event>, InvalidField> {
    Ok(vec![
        Event::new().comment("hello"),
        Event::new().data("line1\r\nline2\rline3\nline4"),
        Event::new()
            .event("named")?
            .id("1")?
            .data("  two leading spaces"),
        Event::new().data(""),
        Event::new().data("ünïcödé ✓ 😀 — 日本語"),
        Event::new()
            .id("2")?
            .retry(Duration::from_millis(2000))
            .data("trailing CRLF\r\n"),
        Event::new()
            .retry(Duration::from_millis(2500))
            .data(" retry first"),
        Event::new().comment("multi\nline comment"),
        Event::new().event("named")?.id("")?.data("id cleared\r\rx"),
        Event::new().event("done")?.data("end"),
    ])
}

/// The settings of `/fixed`: only the initial retry.
#[must_use]
pub fn fixed_config() -> StreamConfig {
    StreamConfig {
        retry: Some(INITIAL_RETRY),
        ..StreamConfig::default()
    }
}

/// The frames of `/fixed` as sse-core encodes them, in order (the initial retry first).
///
/// # Errors
///
/// As [`fixed_events`].
pub fn fixed_frames() -> Result<Vec<Encoded>, InvalidField> {
    let mut frames = vec![Encoded::retry(INITIAL_RETRY)];
    frames.extend(fixed_events()?.iter().map(Event::encode));
    Ok(frames)
}

/// What a spec-faithful client (a browser's `EventSource`) dispatches for `/fixed`, as
/// `(type, data, lastEventId)`, written out by hand from the encoding rules: CRLF and
/// lone CR arrive as LF, leading spaces are kept, empty data dispatches, an id persists
/// until another id (even an empty one) replaces it, comments and retry-only fields
/// dispatch nothing.
pub const FIXED_EXPECTED: [(&str, &str, &str); 8] = [
    ("message", "line1\nline2\nline3\nline4", ""),
    ("named", "  two leading spaces", "1"),
    ("message", "", "1"),
    ("message", "ünïcödé ✓ 😀 — 日本語", "1"),
    ("message", "trailing CRLF\n", "2"),
    ("message", " retry first", "2"),
    ("named", "id cleared\n\nx", ""),
    ("done", "end", ""),
];

/// The page the browser check opens: it reads `/fixed` with `EventSource` and publishes
/// what it received as `window.received`, closing the source at the `done` event.
pub const BROWSER_PAGE: &str = r#"<!doctype html>
<meta charset="utf-8">
<title>sse browser check</title>
<script>
  window.received = [];
  window.finished = false;
  const source = new EventSource('/fixed');
  const record = (e) => {
    window.received.push({ type: e.type, data: e.data, lastEventId: e.lastEventId });
    if (e.type === 'done') { source.close(); window.finished = true; }
  };
  for (const type of ['message', 'named', 'done']) source.addEventListener(type, record);
  source.onerror = () => { if (!window.finished) window.errors = (window.errors || 0) + 1; };
</script>
"#;

/// [`FIXED_EXPECTED`] as JSON, served at `/expected` for the browser check.
#[must_use]
pub fn fixed_expected_json() -> String {
    let items: Vec<_> = FIXED_EXPECTED
        .iter()
        .map(|(t, d, id)| serde_json::json!({"type": t, "data": d, "lastEventId": id}))
        .collect();
    serde_json::Value::Array(items).to_string()
}

/// The source of `/fixed`: [`fixed_events`] as a stream (an invalid fixture would
/// abort the response rather than panic).
pub fn fixed_source() -> tokio_stream::Iter<std::vec::IntoIter<Result<Event, InvalidField>>> {
    let items = match fixed_events() {
        Ok(events) => events.into_iter().map(Ok).collect(),
        Err(error) => vec![Err(error)],
    };
    tokio_stream::iter(items)
}
