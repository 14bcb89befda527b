//! The `clock` topic and `--clock-ms`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::support::check::quiet_for;
use crate::support::server::{Bin, start};
use crate::support::sse::sub;
use crate::support::time::parse_rfc3339;

fn now_nanos() -> i128 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970");
    i128::try_from(now.as_nanos()).expect("fits")
}

/// `clock`: `tick` events whose data is RFC 3339 time, every `--clock-ms`.
pub(crate) fn clock_ticks(bin: &Bin) {
    let demo = start(bin, &["--clock-ms", "100"]);
    let mut s = sub(&demo, "/events?topic=clock");
    let mut times = Vec::new();
    while times.len() < 6 {
        let m = s.message();
        assert_eq!(m.event, "tick", "{m:?}");
        let t = parse_rfc3339(&m.data)
            .unwrap_or_else(|| panic!("tick data is not RFC 3339: {:?}", m.data));
        let skew = (t - now_nanos()).abs();
        assert!(skew < 60_000_000_000, "tick {} is far from now", m.data);
        times.push(t);
    }
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "ticks go forward: {times:?}"
    );
    // Five periods of 100 ms: at least half of that between the first and last tick.
    assert!(
        times[5] - times[0] >= 250_000_000,
        "ticks too fast: {times:?}"
    );
}

/// `--clock-ms 0` turns the clock off: no `tick` for two and a half default periods
/// (1000 ms), so a demo that ignored the flag would have ticked twice.
pub(crate) fn clock_off(bin: &Bin) {
    let demo = start(bin, &["--clock-ms", "0", "--keep-alive-ms", "100"]);
    let mut s = sub(&demo, "/events?topic=clock");
    quiet_for(&mut s, Duration::from_millis(2500), "the clock is off");
}
