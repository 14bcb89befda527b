//! The cost of turning one event into body bytes: sse-core against axum 0.8's
//! `Sse`/`Event`, warp 0.4's `sse::reply`/`Event` and a memcpy of the same bytes, all in
//! the same run.
//!
//! ```text
//! cargo bench -p sse-core --bench encode            # full run, prints a summary table
//! cargo bench -p sse-core --bench encode -- --test  # smoke: every benchmark once, checked
//! ```
//!
//! Each case is one criterion group (`encode_<case>`), throughput in bytes of our output.
//! Every function starts from the same `&'static str` inputs (event name, id, data) and
//! builds a fresh event per iteration, as a server does per message:
//!
//! | function | what one iteration measures |
//! |---|---|
//! | `memcpy` | a fresh `Vec` of our output's length and a copy of our output into it: the floor for any encoder that allocates its output |
//! | `ours_encode` | `Event::new().event(..)?.id(..)?.data(..)` then `Event::encode`, dropped |
//! | `warp_display` | `warp::sse::Event::default().event(..).id(..).data(..)` then `to_string()` (its `Display`), which is what `warp::sse::reply` sends per event |
//! | `ours_body` | one `poll_frame` of an `axum::body::Body::from_stream(EventStream::new(s))`, where `s` builds the event lazily on each poll: event building, encoding, stream and body plumbing |
//! | `axum_body` | one `poll_frame` of `Sse::new(s).into_response().into_body()`, `s` building an `axum::response::sse::Event` on each poll. axum's `Event` has no public encode: its encoding happens inside this body, so this is the like-for-like pair of `ours_body` |
//! | `warp_body` | one `poll_frame` of `warp::sse::reply(s).into_response().into_body()`, `s` building a `warp::sse::Event` on each poll |
//! | `plumbing` | one `poll_frame` of an `axum::body::Body::from_stream` over a stream that clones pre-encoded `Bytes`: the body cost alone, without any encoding |
//!
//! Each response and its stream are built once, outside the measured loop. The inputs
//! are borrowed where an API allows it (ours takes `Cow<'static, str>`, axum copies from
//! `AsRef<str>`); warp's setters take `Into<String>`, so warp copies every field into a
//! `String` first: that is its API's cost. warp writes `field:value` without the space
//! and splits data on LF only, so its bytes differ from ours (see the `same` column).

mod peers;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::task::{Context, Waker};
use std::time::{Duration, SystemTime};

use criterion::{Criterion, Throughput};
use peers::{
    Case, axum_body, cases, ours, ours_body, plumbing_body, poll_data, warp_body, warp_event,
};
use sse_core::{Frame, decode_all};

/// Whether axum's and warp's frames decode to the same message as ours.
struct Same {
    axum: bool,
    warp: bool,
}

fn bench_case(c: &mut Criterion, case: Case) -> Same {
    let mut cx = Context::from_waker(Waker::noop());
    let expected = ours(case).encode().into_bytes();

    // Every peer's first frame, checked before timing (this is all `--test` runs).
    let ours_frame = poll_data(&mut ours_body(case), &mut cx);
    assert_eq!(ours_frame, expected, "{}: body bytes = encode()", case.name);
    let axum_frame = poll_data(&mut axum_body(case), &mut cx);
    let warp_frame = poll_data(warp_body(case).body_mut(), &mut cx);
    assert_eq!(
        warp_frame.as_ref(),
        warp_event(case).to_string().as_bytes(),
        "{}: warp's body sends its Display",
        case.name
    );
    let want = decode_all(&expected);
    assert!(
        matches!(want.as_slice(), [Frame::Message(_)]),
        "{}: one message",
        case.name
    );
    let same = Same {
        axum: decode_all(&axum_frame) == want,
        warp: decode_all(&warp_frame) == want,
    };

    let mut group = c.benchmark_group(format!("encode_{}", case.name));
    group.throughput(Throughput::Bytes(expected.len() as u64));

    group.bench_function("memcpy", |b| {
        b.iter(|| {
            let src = black_box(&expected);
            let mut out = Vec::with_capacity(src.len());
            out.extend_from_slice(src);
            out
        });
    });
    group.bench_function("ours_encode", |b| {
        b.iter(|| ours(black_box(case)).encode());
    });
    group.bench_function("warp_display", |b| {
        b.iter(|| warp_event(black_box(case)).to_string());
    });

    let mut body = ours_body(case);
    group.bench_function("ours_body", |b| b.iter(|| poll_data(&mut body, &mut cx)));
    let mut body = axum_body(case);
    group.bench_function("axum_body", |b| b.iter(|| poll_data(&mut body, &mut cx)));
    let mut response = warp_body(case);
    group.bench_function("warp_body", |b| {
        b.iter(|| poll_data(response.body_mut(), &mut cx));
    });
    let mut body = plumbing_body(expected.clone());
    group.bench_function("plumbing", |b| b.iter(|| poll_data(&mut body, &mut cx)));
    group.finish();
    same
}

const FUNCTIONS: [&str; 7] = [
    "memcpy",
    "ours_encode",
    "warp_display",
    "ours_body",
    "axum_body",
    "warp_body",
    "plumbing",
];

/// criterion's median for one benchmark, in ns, if it was measured in this run.
fn median_ns(dir: &Path, group: &str, function: &str, since: SystemTime) -> Option<f64> {
    let path = dir.join(group).join(function).join("new/estimates.json");
    let fresh = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .is_ok_and(|modified| modified >= since);
    if !fresh {
        return None;
    }
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    json["median"]["point_estimate"].as_f64()
}

fn fmt_ns(ns: Option<f64>) -> String {
    match ns {
        Some(ns) if ns >= 10_000.0 => format!("{:.1} µs", ns / 1000.0),
        Some(ns) => format!("{ns:.1} ns"),
        None => "-".to_owned(),
    }
}

fn ratio(num: Option<f64>, den: Option<f64>) -> String {
    match (num, den) {
        (Some(n), Some(d)) if d > 0.0 => format!("{:.2}x", n / d),
        _ => "-".to_owned(),
    }
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned())
}

/// Prints criterion's medians of this run as a markdown table with the ratios.
fn print_summary(dir: &Path, cases: &[(Case, Same)], since: SystemTime) {
    let mut rows = Vec::new();
    for (case, same) in cases {
        let group = format!("encode_{}", case.name);
        let m: Vec<Option<f64>> = FUNCTIONS
            .iter()
            .map(|f| median_ns(dir, &group, f, since))
            .collect();
        if m.iter().all(Option::is_none) {
            continue;
        }
        rows.push((case.name, m, same));
    }
    if rows.is_empty() {
        return;
    }
    println!(
        "\n## encode: criterion medians per event ({}, {} threads)\n",
        cpu_model(),
        std::thread::available_parallelism().map_or(1, usize::from)
    );
    println!("| case | {} |", FUNCTIONS.join(" | "));
    println!("|---{}|", "|---".repeat(FUNCTIONS.len()));
    for (name, m, _) in &rows {
        let cells: Vec<String> = m.iter().map(|&ns| fmt_ns(ns)).collect();
        println!("| {name} | {} |", cells.join(" | "));
    }
    println!(
        "\n| case | axum_body / ours_body | warp_body / ours_body | warp_display / ours_encode | memcpy / ours_encode (share of memcpy throughput) | axum same message | warp same message |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (name, m, same) in &rows {
        println!(
            "| {name} | {} | {} | {} | {} | {} | {} |",
            ratio(m[4], m[3]),
            ratio(m[5], m[3]),
            ratio(m[2], m[1]),
            ratio(m[0], m[1]),
            if same.axum { "yes" } else { "no" },
            if same.warp { "yes" } else { "no" },
        );
    }
}

/// `target/criterion`, found from this executable's path (`target/<profile>/deps/..`).
fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.join("criterion")))
        .unwrap_or_else(|| PathBuf::from("target/criterion"))
}

/// `--repeat <case>/<function> <n>`: runs one function `n` times and exits, for counting
/// instructions under `valgrind --tool=callgrind`, which this machine's load cannot skew.
fn repeat(target: &str, n: usize) {
    let (case_name, function) = target.split_once('/').unwrap_or((target, ""));
    let case = cases()
        .into_iter()
        .find(|c| c.name == case_name)
        .unwrap_or_else(|| panic!("no case {case_name}"));
    let mut cx = Context::from_waker(Waker::noop());
    match function {
        "ours_encode" => (0..n).for_each(|_| drop(black_box(ours(black_box(case)).encode()))),
        "warp_display" => {
            (0..n).for_each(|_| drop(black_box(warp_event(black_box(case)).to_string())));
        }
        "ours_body" => {
            let mut body = ours_body(case);
            (0..n).for_each(|_| drop(black_box(poll_data(&mut body, &mut cx))));
        }
        "axum_body" => {
            let mut body = axum_body(case);
            (0..n).for_each(|_| drop(black_box(poll_data(&mut body, &mut cx))));
        }
        "warp_body" => {
            let mut response = warp_body(case);
            (0..n).for_each(|_| drop(black_box(poll_data(response.body_mut(), &mut cx))));
        }
        other => panic!("--repeat supports ours_encode, warp_display, *_body, not {other:?}"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--repeat") {
        let target = args.get(at + 1).map_or("", String::as_str);
        let n = args
            .get(at + 2)
            .and_then(|n| n.parse().ok())
            .unwrap_or(10_000);
        repeat(target, n);
        return;
    }
    let dir = criterion_dir();
    let started = SystemTime::now();
    let mut criterion = Criterion::default()
        .output_directory(&dir)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let cases: Vec<(Case, Same)> = cases()
        .into_iter()
        .map(|case| (case, bench_case(&mut criterion, case)))
        .collect();
    criterion.final_summary();
    print_summary(&dir, &cases, started);
}
