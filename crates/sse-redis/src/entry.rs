//! How an event is written into a stream entry, and read back.
//!
//! An entry holds the fields `topic`, `data` (absent only with `nodata`), and when set
//! `event`, `retry` (milliseconds), `uncounted` (`1`: not counted in `published`) and
//! `deadline` (the publisher's deadline, in Unix milliseconds: an entry that Redis
//! stored later than that, after its publisher gave up, is skipped by every reader).
//! Values are UTF-8 text. Comments on an event are not carried.

use std::fmt;
use std::time::Duration;

use redis::Cmd;
use sse_core::Event;
use sse_hub::{Envelope, Topic};

use crate::id::StreamId;

const TOPIC: &[u8] = b"topic";
const DATA: &[u8] = b"data";
const NO_DATA: &[u8] = b"nodata";
const EVENT: &[u8] = b"event";
const RETRY: &[u8] = b"retry";
const UNCOUNTED: &[u8] = b"uncounted";
const DEADLINE: &[u8] = b"deadline";

/// Adds the fields of `envelope` to an `XADD` command.
pub(crate) fn write(cmd: &mut Cmd, envelope: &Envelope, deadline_ms: Option<u64>) {
    let event = envelope.event();
    cmd.arg(TOPIC).arg(envelope.topic().as_str());
    match event.data_str() {
        Some(data) => cmd.arg(DATA).arg(data),
        None => cmd.arg(NO_DATA).arg("1"),
    };
    if let Some(name) = event.event_str() {
        cmd.arg(EVENT).arg(name);
    }
    if let Some(retry) = event.retry_ms() {
        cmd.arg(RETRY).arg(retry);
    }
    if !envelope.is_counted() {
        cmd.arg(UNCOUNTED).arg("1");
    }
    if let Some(deadline) = deadline_ms {
        cmd.arg(DEADLINE).arg(deadline);
    }
}

/// Why an entry was skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Bad {
    /// A field that must be there is not.
    Missing(&'static str),
    /// A field's value is not UTF-8.
    NotUtf8(String),
    /// A field's value is not what the field allows.
    Invalid(&'static str, String),
    /// The entry was stored after its publisher's deadline: the publisher reported a
    /// failure, so nobody may receive it.
    Late,
    /// Not a list of field-value pairs.
    Shape,
}

impl fmt::Display for Bad {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing(field) => write!(f, "no `{field}` field"),
            Self::NotUtf8(field) => write!(f, "field `{field}` is not UTF-8"),
            Self::Invalid(field, why) => write!(f, "field `{field}`: {why}"),
            Self::Late => f.write_str("stored after its publisher's deadline"),
            Self::Shape => f.write_str("not a list of field-value pairs"),
        }
    }
}

fn text<'a>(field: &[u8], value: &'a [u8]) -> Result<&'a str, Bad> {
    std::str::from_utf8(value).map_err(|_| Bad::NotUtf8(String::from_utf8_lossy(field).into()))
}

/// Reads an entry's fields (name, value pairs) back into an envelope. `counted` is
/// false for entries loaded at start-up, which were counted where they were published.
pub(crate) fn read(
    id: StreamId,
    fields: &[(&[u8], &[u8])],
    counted: bool,
) -> Result<Envelope, Bad> {
    let field = |name: &[u8]| fields.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
    if let Some(deadline) = field(DEADLINE) {
        let deadline: u64 = text(DEADLINE, deadline)?
            .parse()
            .map_err(|_| Bad::Invalid("deadline", "not a number".into()))?;
        if id.ms > deadline {
            return Err(Bad::Late);
        }
    }
    let topic = text(TOPIC, field(TOPIC).ok_or(Bad::Missing("topic"))?)?;
    let topic = Topic::new(topic).map_err(|e| Bad::Invalid("topic", e.to_string()))?;
    let mut event = Event::new();
    match (field(DATA), field(NO_DATA)) {
        (Some(data), _) => event = event.data(text(DATA, data)?.to_owned()),
        (None, Some(_)) => {}
        (None, None) => return Err(Bad::Missing("data")),
    }
    if let Some(name) = field(EVENT) {
        event = event
            .event(text(EVENT, name)?.to_owned())
            .map_err(|e| Bad::Invalid("event", e.to_string()))?;
    }
    if let Some(retry) = field(RETRY) {
        let ms: u64 = text(RETRY, retry)?
            .parse()
            .map_err(|_| Bad::Invalid("retry", "not a number of milliseconds".into()))?;
        event = event.retry(Duration::from_millis(ms));
    }
    let envelope = Envelope::new(topic, event);
    Ok(if counted && field(UNCOUNTED).is_none() {
        envelope
    } else {
        envelope.uncounted()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(ms: u64) -> StreamId {
        StreamId { ms, seq: 0 }
    }

    fn fields(cmd: &Cmd) -> Vec<Vec<u8>> {
        cmd.args_iter()
            .map(|arg| match arg {
                redis::Arg::Simple(bytes) => bytes.to_vec(),
                _ => Vec::new(),
            })
            .collect()
    }

    fn pairs(flat: &[Vec<u8>]) -> Vec<(&[u8], &[u8])> {
        flat.chunks(2).map(|p| (&p[0][..], &p[1][..])).collect()
    }

    #[test]
    fn an_event_round_trips() {
        let event = Event::new()
            .event("message")
            .unwrap()
            .data("a\nb")
            .retry(Duration::from_millis(1500));
        let envelope = Envelope::new(Topic::from_static("chat"), event).uncounted();
        let mut cmd = Cmd::new();
        write(&mut cmd, &envelope, Some(10));
        let flat = fields(&cmd);
        let back = read(id(10), &pairs(&flat), true).unwrap();
        assert_eq!(back.topic().as_str(), "chat");
        assert_eq!(back.event().data_str(), Some("a\nb"));
        assert_eq!(back.event().event_str(), Some("message"));
        assert_eq!(back.event().retry_ms(), Some(1500));
        assert!(!back.is_counted());
        assert_eq!(read(id(11), &pairs(&flat), true).unwrap_err(), Bad::Late);
    }

    #[test]
    fn an_event_without_data_stays_without_data() {
        let envelope = Envelope::new(
            Topic::from_static("t"),
            Event::new().retry(Duration::from_secs(1)),
        );
        let mut cmd = Cmd::new();
        write(&mut cmd, &envelope, None);
        let flat = fields(&cmd);
        let back = read(id(1), &pairs(&flat), true).unwrap();
        assert_eq!(back.event().data_str(), None);
        assert!(back.is_counted());
        assert!(!read(id(1), &pairs(&flat), false).unwrap().is_counted());
    }

    #[test]
    fn bad_entries_say_why() {
        type Fields<'a> = &'a [(&'a [u8], &'a [u8])];
        let cases: [(Fields<'_>, Bad); 6] = [
            (&[(b"data", b"x")], Bad::Missing("topic")),
            (&[(b"topic", b"t")], Bad::Missing("data")),
            (
                &[(b"topic", b"t"), (b"data", b"\xff")],
                Bad::NotUtf8("data".into()),
            ),
            (
                &[(b"topic", b"t"), (b"data", b"x"), (b"event", b"a\nb")],
                Bad::Invalid("event", String::new()),
            ),
            (
                &[(b"topic", b"no spaces"), (b"data", b"x")],
                Bad::Invalid("topic", String::new()),
            ),
            (
                &[(b"topic", b"t"), (b"data", b"x"), (b"retry", b"soon")],
                Bad::Invalid("retry", String::new()),
            ),
        ];
        for (fields, want) in cases {
            let got = read(id(1), fields, true).unwrap_err();
            match (&got, &want) {
                (Bad::Invalid(a, _), Bad::Invalid(b, _)) => assert_eq!(a, b),
                _ => assert_eq!(got, want),
            }
            assert!(!got.to_string().is_empty());
        }
    }
}
