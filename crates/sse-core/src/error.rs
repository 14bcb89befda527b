//! Errors returned when a field value cannot be framed.

use std::fmt;

/// The field an [`InvalidField`] error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FieldName {
    /// The `event:` field (the event type a client listens for).
    Event,
    /// The `id:` field (the value a client sends back as `Last-Event-ID`).
    Id,
}

impl FieldName {
    /// The field's name as written on the wire.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Event => "event",
            Self::Id => "id",
        }
    }
}

/// What was wrong with a rejected field value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Problem {
    /// The value contains a carriage return or a line feed, which would end the
    /// field early and let the rest of the value forge other fields.
    LineBreak,
    /// The value contains U+0000 NULL, which makes clients ignore an `id:` field.
    Nul,
}

/// A value given for `event` or `id` that cannot be written as one field.
///
/// Returned by [`Event::event`](crate::Event::event) and
/// [`Event::id`](crate::Event::id). Nothing is written when it is returned.
///
/// ```
/// use sse_core::{Event, FieldName};
///
/// let err = Event::new().event("a\nid: forged").unwrap_err();
/// assert_eq!(err.field(), FieldName::Event);
/// assert_eq!(err.to_string(), "invalid `event` field: contains a line break (CR or LF)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidField {
    field: FieldName,
    problem: Problem,
}

impl InvalidField {
    pub(crate) const fn new(field: FieldName, problem: Problem) -> Self {
        Self { field, problem }
    }

    /// The field that was rejected.
    #[must_use]
    pub const fn field(&self) -> FieldName {
        self.field
    }

    /// Why it was rejected.
    #[must_use]
    pub const fn problem(&self) -> Problem {
        self.problem
    }
}

impl fmt::Display for InvalidField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = match self.problem {
            Problem::LineBreak => "contains a line break (CR or LF)",
            Problem::Nul => "contains a NUL character",
        };
        write!(f, "invalid `{}` field: {why}", self.field.as_str())
    }
}

impl std::error::Error for InvalidField {}
