//! A reference client: the spec's parsing algorithm run over a whole connection at once.
//!
//! Written from the WHATWG text ("Parsing an event stream", "Interpreting an event
//! stream", "dispatch the event") and the decoder's documented size limit, not from the
//! decoder's code: it sees every byte of a connection before it starts, keeps data as a
//! list of lines and never buffers incrementally, so the incremental decoder is checked
//! against a second, simpler reading. Shared by the fuzz loop and the `cargo fuzz`
//! `decoder` target (which includes this file by path).

use sse_core::{DecodeError, Frame, Message};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// What an event source keeps from one connection to the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Client {
    /// The decoder's limit on one line and on one event's data, in bytes.
    pub(crate) limit: usize,
    /// The last event ID string (sent as `Last-Event-ID` on reconnection).
    pub(crate) last_event_id: String,
    /// The last valid `retry`, in milliseconds.
    pub(crate) reconnection_ms: Option<u64>,
}

/// The event being read.
struct Pending {
    data_lines: Vec<String>,
    event_type: String,
    id_buffer: String,
    /// Over the limit: lines are ignored up to the next blank line.
    dropped: bool,
}

impl Client {
    /// A client that has not connected yet.
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            limit,
            last_event_id: String::new(),
            reconnection_ms: None,
        }
    }

    /// Reads one whole connection, from its first byte to its end, and returns its
    /// frames.
    pub(crate) fn connection(&mut self, stream: &[u8]) -> Vec<Frame> {
        let mut frames = Vec::new();
        if stream.len() < BOM.len() && BOM.starts_with(stream) {
            // Ends inside what could have been a BOM: no line has begun.
            return frames;
        }
        let body = stream.strip_prefix(BOM).unwrap_or(stream);
        let (lines, unfinished) = split_lines(body);
        // A new connection's last event ID buffer starts from the string, as browsers do.
        let mut event = Pending {
            data_lines: Vec::new(),
            event_type: String::new(),
            id_buffer: self.last_event_id.clone(),
            dropped: false,
        };
        for line in lines {
            if event.dropped {
                event.dropped = !line.is_empty();
            } else if line.len() > self.limit {
                self.drop_event(
                    &mut event,
                    DecodeError::LineTooLong { limit: self.limit },
                    &mut frames,
                );
            } else {
                self.line(&String::from_utf8_lossy(line), &mut event, &mut frames);
            }
        }
        if !event.dropped && unfinished.len() > self.limit {
            frames.push(Frame::Error(DecodeError::LineTooLong { limit: self.limit }));
        }
        // End of the connection: the pending event is discarded, its id with it.
        frames
    }

    fn line(&mut self, line: &str, event: &mut Pending, frames: &mut Vec<Frame>) {
        if line.is_empty() {
            self.dispatch(event, frames);
            return;
        }
        if let Some(comment) = line.strip_prefix(':') {
            let comment = comment.strip_prefix(' ').unwrap_or(comment);
            frames.push(Frame::Comment(comment.to_owned()));
            return;
        }
        let (name, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match name {
            "event" => value.clone_into(&mut event.event_type),
            "data" => {
                let joined: usize = event.data_lines.iter().map(|l| l.len() + 1).sum();
                if joined + value.len() > self.limit {
                    self.drop_event(
                        event,
                        DecodeError::DataTooLarge { limit: self.limit },
                        frames,
                    );
                } else {
                    event.data_lines.push(value.to_owned());
                }
            }
            "id" if !value.contains('\0') => value.clone_into(&mut event.id_buffer),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                if let Ok(ms) = value.parse::<u64>() {
                    self.reconnection_ms = Some(ms);
                    frames.push(Frame::Retry(ms));
                }
            }
            _ => {}
        }
    }

    fn dispatch(&mut self, event: &mut Pending, frames: &mut Vec<Frame>) {
        self.last_event_id.clone_from(&event.id_buffer);
        let event_type = std::mem::take(&mut event.event_type);
        if event.data_lines.is_empty() {
            return;
        }
        let event_type = if event_type.is_empty() {
            "message"
        } else {
            &event_type
        };
        let data = std::mem::take(&mut event.data_lines).join("\n");
        frames.push(Frame::Message(Message::new(
            event_type,
            &data,
            &self.last_event_id,
        )));
    }

    fn drop_event(&self, event: &mut Pending, error: DecodeError, frames: &mut Vec<Frame>) {
        frames.push(Frame::Error(error));
        event.data_lines.clear();
        event.event_type.clear();
        event.id_buffer.clone_from(&self.last_event_id);
        event.dropped = true;
    }
}

/// The complete lines of `body` (ended by CRLF, CR or LF) and the bytes after the last
/// line break.
fn split_lines(body: &[u8]) -> (Vec<&[u8]>, &[u8]) {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b'\r' => {
                lines.push(&body[start..i]);
                i += if body.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                start = i;
            }
            b'\n' => {
                lines.push(&body[start..i]);
                i += 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    (lines, &body[start..])
}
