//! An independent model of what a spec-faithful client reads from an encoded event.
//!
//! Written from the encoding rules (not from the crate's code), so that a property test
//! compares the encoder and the decoder against a third opinion. Shared by the property
//! tests, the fuzz loop and the `cargo fuzz` targets (which include this file by path).

use std::time::Duration;

use sse_core::{Decoder, Event, FieldName, Frame, InvalidField, Message, Problem};

/// The fields a caller gives an event, before validation.
#[derive(Debug, Clone, Default)]
pub(crate) struct EventSpec {
    pub(crate) comments: Vec<String>,
    pub(crate) event: Option<String>,
    pub(crate) id: Option<String>,
    pub(crate) retry: Option<Duration>,
    pub(crate) data: Option<String>,
}

/// The lines of `text` as a client sees them: CRLF, lone CR and lone LF each end a line.
pub(crate) fn split_lines(text: &str) -> Vec<String> {
    let normalised = text.replace("\r\n", "\n").replace('\r', "\n");
    normalised.split('\n').map(str::to_owned).collect()
}

/// `text` with every CRLF and lone CR turned into LF: what `data` becomes on the client.
pub(crate) fn normalise(text: &str) -> String {
    split_lines(text).join("\n")
}

/// The `(field, problem)` the builder must reject this spec with, if any (`event` is
/// set before `id`; a line break is reported before a NUL).
pub(crate) fn expected_error(spec: &EventSpec) -> Option<(FieldName, Problem)> {
    let breaks = |s: &str| s.contains(['\r', '\n']);
    if spec.event.as_deref().is_some_and(breaks) {
        return Some((FieldName::Event, Problem::LineBreak));
    }
    match spec.id.as_deref() {
        Some(id) if breaks(id) => Some((FieldName::Id, Problem::LineBreak)),
        Some(id) if id.contains('\0') => Some((FieldName::Id, Problem::Nul)),
        _ => None,
    }
}

/// Builds the event through the public builder: comments, event, id, retry, data.
///
/// # Errors
///
/// What the builder returns for an invalid `event` or `id`.
pub(crate) fn build(spec: &EventSpec) -> Result<Event, InvalidField> {
    let mut event = Event::new();
    for comment in &spec.comments {
        event = event.comment(comment.clone());
    }
    if let Some(name) = &spec.event {
        event = event.event(name.clone())?;
    }
    if let Some(id) = &spec.id {
        event = event.id(id.clone())?;
    }
    if let Some(retry) = spec.retry {
        event = event.retry(retry);
    }
    if let Some(data) = &spec.data {
        event = event.data(data.clone());
    }
    Ok(event)
}

/// The frames a client reads from a valid event, given the id in force before it;
/// `last_id` is updated as the client would.
pub(crate) fn expected_frames(spec: &EventSpec, last_id: &mut String) -> Vec<Frame> {
    let mut frames = Vec::new();
    for comment in &spec.comments {
        frames.extend(split_lines(comment).into_iter().map(Frame::Comment));
    }
    if let Some(id) = &spec.id {
        last_id.clone_from(id);
    }
    if let Some(retry) = spec.retry {
        let ms = u64::try_from(retry.as_millis()).unwrap_or(u64::MAX);
        frames.push(Frame::Retry(ms));
    }
    if let Some(data) = &spec.data {
        let event = match spec.event.as_deref() {
            None | Some("") => "message",
            Some(name) => name,
        };
        frames.push(Frame::Message(Message::new(
            event,
            &normalise(data),
            last_id,
        )));
    }
    frames
}

/// Every frame of `input`, fed to a fresh decoder in the given chunks, then `finish`.
pub(crate) fn decode_chunks<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Vec<Frame> {
    decode_connection(&mut Decoder::new(), chunks)
}

/// Every frame of one connection, fed to `decoder` in the given chunks, then `finish`.
pub(crate) fn decode_connection<'a>(
    decoder: &mut Decoder,
    chunks: impl IntoIterator<Item = &'a [u8]>,
) -> Vec<Frame> {
    let mut frames = Vec::new();
    for chunk in chunks {
        decoder.push(chunk);
        frames.extend(decoder.by_ref());
    }
    decoder.finish();
    frames.extend(decoder.by_ref());
    frames
}

/// `input` cut at the given positions (taken modulo the length, in any order).
pub(crate) fn split_at_positions(input: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
    let mut cuts: Vec<usize> = cuts
        .iter()
        .map(|c| {
            if input.is_empty() {
                0
            } else {
                c % (input.len() + 1)
            }
        })
        .collect();
    cuts.sort_unstable();
    let mut pieces = Vec::with_capacity(cuts.len() + 1);
    let mut from = 0;
    for cut in cuts {
        pieces.push(input[from..cut].to_vec());
        from = cut;
    }
    pieces.push(input[from..].to_vec());
    pieces
}
