//! Reading Redis replies (`Value`s) into stream entries, without trusting their shape.

use redis::Value;

use crate::id::StreamId;

/// A stream entry as Redis returned it: its id, and its field-value pairs (`None` when
/// they are not pairs of strings).
#[derive(Debug, Clone)]
pub(crate) struct RawEntry {
    pub(crate) id: StreamId,
    pub(crate) fields: Option<Vec<(Vec<u8>, Vec<u8>)>>,
}

impl RawEntry {
    /// The fields as borrowed pairs.
    pub(crate) fn pairs(&self) -> Option<Vec<(&[u8], &[u8])>> {
        self.fields
            .as_ref()
            .map(|f| f.iter().map(|(n, v)| (&n[..], &v[..])).collect())
    }
}

/// A string reply's bytes.
pub(crate) fn bytes(value: &Value) -> Option<&[u8]> {
    match value {
        Value::BulkString(bytes) => Some(bytes),
        Value::SimpleString(text) => Some(text.as_bytes()),
        Value::VerbatimString { text, .. } => Some(text.as_bytes()),
        _ => None,
    }
}

/// A stream id reply.
pub(crate) fn stream_id(value: &Value) -> Option<StreamId> {
    StreamId::parse(std::str::from_utf8(bytes(value)?).ok()?)
}

/// An integer reply.
pub(crate) const fn int(value: &Value) -> Option<i64> {
    match value {
        Value::Int(n) => Some(*n),
        _ => None,
    }
}

fn items(value: &Value) -> Option<&[Value]> {
    match value {
        Value::Array(items) | Value::Set(items) => Some(items),
        _ => None,
    }
}

/// The entries of an `XRANGE`-shaped reply: `[[id, [field, value, ...]], ...]`.
pub(crate) fn entries(value: &Value) -> Result<Vec<RawEntry>, String> {
    if matches!(value, Value::Nil) {
        return Ok(Vec::new());
    }
    let list = items(value).ok_or_else(|| format!("expected a list of entries, got {value:?}"))?;
    list.iter()
        .map(|entry| {
            let parts = items(entry).filter(|p| p.len() == 2);
            let (id, fields) = parts
                .and_then(|p| Some((stream_id(&p[0])?, &p[1])))
                .ok_or_else(|| format!("expected [id, fields], got {entry:?}"))?;
            Ok(RawEntry {
                id,
                fields: pairs(fields),
            })
        })
        .collect()
}

fn pairs(fields: &Value) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
    let flat: Vec<&[u8]> = match fields {
        Value::Map(map) => map
            .iter()
            .flat_map(|(k, v)| [bytes(k), bytes(v)])
            .collect::<Option<_>>()?,
        other => items(other)?.iter().map(bytes).collect::<Option<_>>()?,
    };
    if !flat.len().is_multiple_of(2) {
        return None;
    }
    Some(
        flat.chunks(2)
            .map(|pair| (pair[0].to_vec(), pair[1].to_vec()))
            .collect(),
    )
}

/// The entries of an `XREAD` reply for one stream: `[[key, entries]]` (or a map), or
/// nil when nothing came.
pub(crate) fn xread(value: &Value) -> Result<Vec<RawEntry>, String> {
    match value {
        Value::Nil => Ok(Vec::new()),
        Value::Map(streams) => streams
            .first()
            .map_or(Ok(Vec::new()), |(_, list)| entries(list)),
        other => {
            let streams =
                items(other).ok_or_else(|| format!("unexpected XREAD reply {other:?}"))?;
            match streams.first().and_then(items) {
                Some([_, list]) => entries(list),
                Some(_) => Err(format!("unexpected XREAD reply {other:?}")),
                None => Ok(Vec::new()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(text: &[u8]) -> Value {
        Value::BulkString(text.to_vec())
    }

    #[test]
    fn reads_entries_and_marks_bad_field_lists() {
        let reply = Value::Array(vec![Value::Array(vec![
            bulk(b"k"),
            Value::Array(vec![
                Value::Array(vec![
                    bulk(b"1-0"),
                    Value::Array(vec![bulk(b"topic"), bulk(b"\xff")]),
                ]),
                Value::Array(vec![bulk(b"2-0"), Value::Array(vec![bulk(b"odd")])]),
            ]),
        ])]);
        let got = xread(&reply).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].id, StreamId { ms: 1, seq: 0 });
        assert_eq!(got[0].pairs().unwrap(), vec![(&b"topic"[..], &b"\xff"[..])]);
        assert!(got[1].fields.is_none());
        assert!(xread(&Value::Nil).unwrap().is_empty());
        assert!(xread(&Value::Int(3)).is_err());
        assert!(entries(&Value::Array(vec![bulk(b"x")])).is_err());
    }
}
