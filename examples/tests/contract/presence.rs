//! `presence` on the `chat` topic.

use crate::support::api::publish;
use crate::support::server::{Bin, start};
use crate::support::sse::{Sub, sub};

/// The next `presence` count `s` receives that differs from `previous`.
fn next_presence(s: &mut Sub, previous: Option<u64>) -> u64 {
    loop {
        let m = s.message();
        assert_eq!(
            m.event, "presence",
            "only presence expected on chat here: {m:?}"
        );
        assert!(
            !m.data.is_empty()
                && m.data.bytes().all(|b| b.is_ascii_digit())
                && (m.data == "0" || !m.data.starts_with('0')),
            "presence data is a decimal number: {:?}",
            m.data
        );
        let n = m.data.parse().expect("decimal");
        if Some(n) != previous {
            return n;
        }
    }
}

/// `chat` subscribers get `presence` with the current count whenever it changes; a new
/// subscriber's first count includes itself; other topics do not count.
pub(crate) fn presence_counts(bin: &Bin) {
    let demo = start(bin, &["--keep-alive-ms", "100"]);
    let mut a = sub(&demo, "/events?topic=chat");
    assert_eq!(next_presence(&mut a, None), 1);
    let mut b = sub(&demo, "/events?topic=chat");
    assert_eq!(next_presence(&mut b, None), 2);
    assert_eq!(next_presence(&mut a, Some(1)), 2);
    let other = sub(&demo, "/events?topic=other");
    let mut d = sub(&demo, "/events?topic=other&topic=chat");
    assert_eq!(next_presence(&mut d, None), 3);
    assert_eq!(next_presence(&mut a, Some(2)), 3);
    assert_eq!(next_presence(&mut b, Some(2)), 3);
    b.close();
    assert_eq!(next_presence(&mut a, Some(3)), 2);
    assert_eq!(next_presence(&mut d, Some(3)), 2);
    other.close();
    d.close();
    assert_eq!(next_presence(&mut a, Some(2)), 1);
    // Chat messages and presence share the stream.
    let id = publish(&demo, "chat", "hi");
    let m = a.message_skipping(&["presence"]);
    assert_eq!(
        (m.data.as_str(), m.last_event_id.as_str()),
        ("hi", id.as_str())
    );
}
