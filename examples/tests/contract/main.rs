//! The demo app's HTTP contract (`examples/README.md`), checked against the real
//! binaries: every case is written once, in the module of its area, and runs as its
//! own `#[test]` for `demo-axum`, `demo-actix` and `demo-warp` (modules `axum`,
//! `actix`, `warp`). Each case starts the binary as a child process on a free
//! 127.0.0.1 port, talks raw HTTP/1.1 to it and decodes streams with
//! `sse_core::Decoder`.
//!
//! Timing: real-time flags are small (tens to hundreds of ms); every wait has a
//! generous liveness bound ([`support::LIVE`]); lower bounds on durations are exact
//! (a slow machine only makes them longer). The only upper bound below the liveness
//! bound is the keep-alive's (a keep-alive arriving at twice its interval fails), with
//! an interval (1.5 s) long enough to leave a second of slack.
//!
//! ```sh
//! cargo test -p sse-examples --test contract              # every case, three binaries
//! cargo test -p sse-examples --test contract -- warp::    # one binary
//! cargo test -p sse-examples --test contract -- resume    # some cases, every binary
//! ```

mod support;

mod clock;
mod cors;
mod endpoints;
mod events;
mod flags;
mod keep_alive;
mod lag;
mod lifetime;
mod logging;
mod metrics;
mod presence;
mod publish;
mod resume;
mod shutdown;
mod stats;

use support::server::Bin;

/// One `#[test]` per case and binary: `axum::case`, `actix::case`, `warp::case`.
macro_rules! contract {
    ($($area:ident::$case:ident),* $(,)?) => {
        mod axum {
            $( #[test] fn $case() { super::$area::$case(&super::Bin::AXUM) } )*
        }
        mod actix {
            $( #[test] fn $case() { super::$area::$case(&super::Bin::ACTIX) } )*
        }
        mod warp {
            $( #[test] fn $case() { super::$area::$case(&super::Bin::WARP) } )*
        }
    };
}

contract!(
    endpoints::page_is_self_contained_html,
    endpoints::healthz_ok,
    endpoints::unknown_paths_404,
    events::events_requires_topic,
    events::events_rejects_bad_topics,
    events::events_headers,
    events::events_multi_topic_in_publish_order,
    events::events_repeated_topic_once,
    events::events_many_topics,
    events::data_exact,
    publish::publish_id_is_the_event_id,
    publish::publish_rejects_bad_json,
    publish::publish_rejects_wrong_types,
    publish::publish_topic_rules,
    publish::publish_event_rules,
    publish::publish_retry_rules,
    publish::publish_ignores_unknown_fields,
    publish::publish_body_limit,
    publish::publish_body_limit_chunked,
    publish::publish_on_a_kept_alive_connection,
    resume::ids_ordered_hub_wide,
    resume::resume_by_header,
    resume::resume_by_query,
    resume::resume_header_wins,
    resume::resume_no_gap_no_duplicate,
    resume::resume_from_last_id_seen_with_ticks,
    resume::reset_for_unknown_id,
    resume::reset_for_future_id,
    resume::reset_for_id_older_than_history,
    resume::last_event_id_over_1kib_ignored,
    resume::last_event_id_control_chars_ignored,
    presence::presence_counts,
    clock::clock_ticks,
    clock::clock_off,
    keep_alive::keep_alive_after_silence,
    keep_alive::keep_alive_default_15000,
    lifetime::max_stream_lifetime,
    lifetime::max_stream_zero_is_never,
    shutdown::shutdown_on_sigterm,
    shutdown::shutdown_on_sigint,
    shutdown::shutdown_within_grace_despite_stuck_client,
    shutdown::shutdown_grace_default_5000,
    lag::slow_subscriber_loses_nothing,
    cors::cors_allowed_origins,
    cors::cors_preflight,
    cors::cors_off_by_default,
    stats::stats_counts,
    stats::stats_do_not_count_reset,
    flags::bad_flags_exit_2,
    metrics::metrics_after_a_scripted_run,
    logging::log_format_json_lines,
);
