//! `--keep-alive-ms`.

use std::time::{Duration, Instant};

use crate::support::check::read_comments;
use crate::support::server::{Bin, start};
use crate::support::sse::sub;

/// `--keep-alive-ms N`: a comment after N ms of silence, again and again.
pub(crate) fn keep_alive_after_silence(bin: &Bin) {
    let demo = start(bin, &["--keep-alive-ms", "150", "--clock-ms", "0"]);
    let started = Instant::now();
    let mut s = sub(&demo, "/events?topic=t");
    read_comments(&mut s, 4, "nothing was published");
    // Four comments, at most one before the first interval: at least 3 x 150 ms.
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(450),
        "keep-alives too frequent: 4 in {elapsed:?}"
    );
}
