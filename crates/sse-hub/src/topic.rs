//! [`Topic`]: a validated topic name.

use std::borrow::Borrow;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// The longest topic name accepted, in bytes.
pub const MAX_TOPIC_LEN: usize = 256;

/// The name of a topic: 1 to [`MAX_TOPIC_LEN`] bytes, each one of `A-Z`, `a-z`, `0-9`,
/// `.`, `_`, `:`, `/` and `-`.
///
/// The rule keeps names safe in URLs, logs and JSON without escaping, and bounds what a
/// client can make the hub store. Cloning is a reference-count increment.
///
/// ```
/// use sse_hub::Topic;
///
/// let topic = Topic::new("rooms/42:chat")?;
/// assert_eq!(topic.as_str(), "rooms/42:chat");
///
/// let err = Topic::new("no spaces").unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "invalid topic: ' ' at byte 2 is not allowed (allowed: A-Z a-z 0-9 . _ : / -)"
/// );
/// assert!(Topic::new("").is_err());
/// assert!(Topic::new(&"x".repeat(257)).is_err());
/// # Ok::<(), sse_hub::InvalidTopic>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Topic(Arc<str>);

impl Topic {
    /// Checks `name` against the rule above.
    ///
    /// # Errors
    ///
    /// [`InvalidTopic`], saying which rule `name` breaks.
    pub fn new(name: &str) -> Result<Self, InvalidTopic> {
        validate(name)?;
        Ok(Self(Arc::from(name)))
    }

    /// A topic from a name known when the program is written.
    ///
    /// # Panics
    ///
    /// When `name` breaks the rule: use [`Topic::new`] for names that come from outside.
    #[must_use]
    pub fn from_static(name: &'static str) -> Self {
        match validate(name) {
            Ok(()) => Self(Arc::from(name)),
            Err(err) => panic!("Topic::from_static({name:?}): {err}"),
        }
    }

    /// The name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

const fn allowed(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b':' | b'/' | b'-')
}

fn validate(name: &str) -> Result<(), InvalidTopic> {
    if name.is_empty() {
        return Err(InvalidTopic(Reason::Empty));
    }
    if name.len() > MAX_TOPIC_LEN {
        return Err(InvalidTopic(Reason::TooLong(name.len())));
    }
    match name
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii() && allowed(c as u8)))
    {
        Some((at, found)) => Err(InvalidTopic(Reason::Character { found, at })),
        None => Ok(()),
    }
}

impl FromStr for Topic {
    type Err = InvalidTopic;

    fn from_str(name: &str) -> Result<Self, InvalidTopic> {
        Self::new(name)
    }
}

impl TryFrom<&str> for Topic {
    type Error = InvalidTopic;

    fn try_from(name: &str) -> Result<Self, InvalidTopic> {
        Self::new(name)
    }
}

impl TryFrom<String> for Topic {
    type Error = InvalidTopic;

    fn try_from(name: String) -> Result<Self, InvalidTopic> {
        validate(&name)?;
        Ok(Self(Arc::from(name)))
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Topic").field(&&*self.0).finish()
    }
}

impl AsRef<str> for Topic {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Topic {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for Topic {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Topic {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    Empty,
    TooLong(usize),
    Character { found: char, at: usize },
}

/// A topic name that breaks the rule of [`Topic`]. Its message names the rule broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidTopic(Reason);

impl fmt::Display for InvalidTopic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Reason::Empty => write!(
                f,
                "invalid topic: empty (1 to {MAX_TOPIC_LEN} bytes needed)"
            ),
            Reason::TooLong(len) => write!(
                f,
                "invalid topic: {len} bytes long (at most {MAX_TOPIC_LEN} allowed)"
            ),
            Reason::Character { found, at } => write!(
                f,
                "invalid topic: {found:?} at byte {at} is not allowed (allowed: A-Z a-z 0-9 . _ : / -)"
            ),
        }
    }
}

impl std::error::Error for InvalidTopic {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_allowed_byte_and_the_length_bounds() {
        let all = "ABCXYZabcxyz0189._:/-";
        assert_eq!(Topic::new(all).map(|t| t.to_string()), Ok(all.to_owned()));
        assert!(Topic::new("a").is_ok());
        assert!(Topic::new(&"a".repeat(MAX_TOPIC_LEN)).is_ok());
    }

    #[test]
    fn rejects_with_a_reason() {
        assert_eq!(Topic::new(""), Err(InvalidTopic(Reason::Empty)));
        assert_eq!(
            Topic::new(&"a".repeat(MAX_TOPIC_LEN + 1)),
            Err(InvalidTopic(Reason::TooLong(MAX_TOPIC_LEN + 1)))
        );
        for (bad, found, at) in [
            ("a b", ' ', 1),
            ("a\nb", '\n', 1),
            ("ab?", '?', 2),
            ("é", 'é', 0),
            ("x%2F", '%', 1),
            ("a*", '*', 1),
        ] {
            assert_eq!(
                Topic::new(bad),
                Err(InvalidTopic(Reason::Character { found, at })),
                "{bad:?}"
            );
        }
        let message = Topic::new("ü").unwrap_err().to_string();
        assert!(message.contains("'ü' at byte 0"), "{message}");
    }

    #[test]
    fn looks_up_by_str() {
        let mut map = std::collections::HashMap::new();
        map.insert(Topic::from_static("chat"), 1);
        assert_eq!(map.get("chat"), Some(&1));
        assert_eq!(Topic::from_static("chat"), "chat");
    }

    #[test]
    #[should_panic(expected = "Topic::from_static")]
    fn from_static_panics_on_a_bad_constant() {
        let _ = Topic::from_static("bad topic");
    }
}
