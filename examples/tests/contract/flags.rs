//! Command-line flags.

use crate::support::LIVE;
use crate::support::server::{Bin, free_port, run_to_exit};

/// Bad flags: exit status 2 and an error on stderr naming the flag.
pub(crate) fn bad_flags_exit_2(bin: &Bin) {
    let addr = format!("127.0.0.1:{}", free_port());
    let cases: [(&[&str], &str); 11] = [
        (&["--bogus"], "--bogus"),
        (&["--clock-ms", "abc"], "--clock-ms"),
        (&["--keep-alive-ms=-5"], "--keep-alive-ms"),
        (&["--history", "lots"], "--history"),
        (&["--max-stream-ms", "1.5"], "--max-stream-ms"),
        (&["--shutdown-grace-ms", ""], "--shutdown-grace-ms"),
        (&["--clock-ms", "99999999999999999999999"], "--clock-ms"),
        (&["--allow-origin"], "--allow-origin"),
        (&["--keep-alive-ms"], "--keep-alive-ms"),
        (&["--addr", "not-an-address"], "--addr"),
        (&["--addr", "127.0.0.1"], "--addr"),
    ];
    for (flags, named) in cases {
        let mut args = vec!["--addr", addr.as_str()];
        args.extend_from_slice(flags);
        let (status, stderr) = run_to_exit(bin, &args, LIVE);
        assert_eq!(
            status.code(),
            Some(2),
            "{flags:?}: {status}; stderr:\n{stderr}"
        );
        assert!(
            stderr.contains(named),
            "{flags:?}: stderr does not name {named}:\n{stderr}"
        );
    }
}
