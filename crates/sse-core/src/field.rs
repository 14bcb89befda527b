//! [`EventName`] and [`Id`]: field values checked once, at compile time for constants.

use std::borrow::Cow;
use std::fmt;

use crate::error::{FieldName, InvalidField, Problem};
use crate::event::Text;
use crate::lines;

/// An event type (the `event:` field) that is known to be valid: no CR, no LF.
///
/// Build a constant with [`from_static`](Self::from_static), which is checked when the
/// constant is compiled, and set it with [`Event::with_event`](crate::Event::with_event),
/// which cannot fail. Names only known at run time go through [`new`](Self::new) or the
/// fallible [`Event::event`](crate::Event::event).
///
/// ```
/// use sse_core::{Event, EventName};
///
/// const TICK: EventName = EventName::from_static("tick");
///
/// let event = Event::new().with_event(TICK).data("12:00");
/// assert_eq!(event.encode().as_bytes(), "event: tick\ndata: 12:00\n\n".as_bytes());
/// ```
///
/// A name with a line break in a constant does not compile:
///
/// ```compile_fail
/// const BAD: sse_core::EventName = sse_core::EventName::from_static("a\nb");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventName(Text);

impl EventName {
    /// A name from a string literal.
    ///
    /// # Panics
    ///
    /// When `name` contains CR or LF. In a `const` item that panic is a compile error.
    #[must_use]
    pub const fn from_static(name: &'static str) -> Self {
        if let Some(problem) = const_problem(name.as_bytes(), false) {
            match problem {
                Problem::LineBreak => panic!("an event name must not contain CR or LF"),
                Problem::Nul => unreachable!(),
            }
        }
        Self(Cow::Borrowed(name))
    }

    /// A name known only at run time.
    ///
    /// # Errors
    ///
    /// [`InvalidField`] when `name` contains CR or LF.
    pub fn new(name: impl Into<Text>) -> Result<Self, InvalidField> {
        let name = name.into();
        if lines::has_line_break(name.as_bytes()) {
            return Err(InvalidField::new(FieldName::Event, Problem::LineBreak));
        }
        Ok(Self(name))
    }

    /// The name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn into_text(self) -> Text {
        self.0
    }
}

/// An event id (the `id:` field) that is known to be valid: no CR, no LF, no NUL.
///
/// Like [`EventName`]: [`from_static`](Self::from_static) is checked when a constant is
/// compiled, [`new`](Self::new) at run time, and [`Event::with_id`](crate::Event::with_id)
/// cannot fail.
///
/// ```
/// use sse_core::{Event, Id};
///
/// const START: Id = Id::from_static("0");
///
/// let event = Event::new().with_id(START).data("");
/// assert_eq!(event.encode().as_bytes(), "id: 0\ndata: \n\n".as_bytes());
/// ```
///
/// ```compile_fail
/// const BAD: sse_core::Id = sse_core::Id::from_static("1\u{0}");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Id(Text);

/// Whether `id` may be the value of an `id:` field: no CR, LF or NUL.
pub(crate) fn check_id(id: &[u8]) -> Result<(), InvalidField> {
    if lines::has_line_break_or_nul(id) {
        let problem = if lines::has_line_break(id) {
            Problem::LineBreak
        } else {
            Problem::Nul
        };
        return Err(InvalidField::new(FieldName::Id, problem));
    }
    Ok(())
}

impl Id {
    /// An id from a string literal.
    ///
    /// # Panics
    ///
    /// When `id` contains CR, LF or NUL. In a `const` item that panic is a compile error.
    #[must_use]
    pub const fn from_static(id: &'static str) -> Self {
        if let Some(problem) = const_problem(id.as_bytes(), true) {
            match problem {
                Problem::LineBreak => panic!("an event id must not contain CR or LF"),
                Problem::Nul => panic!("an event id must not contain NUL"),
            }
        }
        Self(Cow::Borrowed(id))
    }

    /// An id known only at run time.
    ///
    /// # Errors
    ///
    /// [`InvalidField`] when `id` contains CR, LF or NUL.
    pub fn new(id: impl Into<Text>) -> Result<Self, InvalidField> {
        let id = id.into();
        check_id(id.as_bytes())?;
        Ok(Self(id))
    }

    /// The id.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn into_text(self) -> Text {
        self.0
    }
}

impl fmt::Display for EventName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A number as an id: digits never hold CR, LF or NUL, so no check and no `Result`.
///
/// ```
/// use sse_core::{Event, Id};
///
/// let event = Event::new().with_id(Id::from(42_u64)).data("x");
/// assert_eq!(event.id_str(), Some("42"));
/// ```
impl From<u64> for Id {
    fn from(id: u64) -> Self {
        Self(Cow::Owned(itoa::Buffer::new().format(id).to_owned()))
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The first problem in `text`, checked in a `const` context (no memchr there).
const fn const_problem(text: &[u8], nul_too: bool) -> Option<Problem> {
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'\r' | b'\n' => return Some(Problem::LineBreak),
            0 if nul_too => return Some(Problem::Nul),
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_and_const_checks_agree() {
        for (text, name_ok, id_ok) in [
            ("tick", true, true),
            ("", true, true),
            ("a b", true, true),
            ("a\nb", false, false),
            ("a\rb", false, false),
            ("a\0b", true, false),
        ] {
            assert_eq!(EventName::new(text).is_ok(), name_ok, "{text:?}");
            assert_eq!(Id::new(text).is_ok(), id_ok, "{text:?}");
            assert_eq!(const_problem(text.as_bytes(), false).is_none(), name_ok);
            assert_eq!(const_problem(text.as_bytes(), true).is_none(), id_ok);
        }
    }

    #[test]
    fn a_bad_runtime_value_names_its_field_and_problem() {
        let err = Id::new("1\x002").unwrap_err();
        assert_eq!((err.field(), err.problem()), (FieldName::Id, Problem::Nul));
        let err = EventName::new("x\r").unwrap_err();
        assert_eq!(
            (err.field(), err.problem()),
            (FieldName::Event, Problem::LineBreak)
        );
    }

    #[test]
    #[should_panic(expected = "must not contain CR or LF")]
    fn from_static_panics_at_run_time_too() {
        let text: &'static str = Box::leak(String::from("a\nb").into_boxed_str());
        let _ = EventName::from_static(text);
    }
}
