//! The scenario on warp 0.4 with sse-warp.

use std::net::TcpListener;

use sse_warp::{LastEventId, Sse, cors, last_event_id};
use tokio::sync::oneshot;
use warp::Filter;
use warp::reply::Reply;

use crate::fixture::{BROWSER_PAGE, fixed_config, fixed_expected_json, fixed_source};
use crate::server::{Scenario, cors_event, last_event_id_event, on_tokio};

fn live(scenario: &Scenario) -> impl Reply + use<> {
    let (feed, config) = scenario.next_feed();
    Sse::from(config.stream(feed))
}

/// The scenario's routes.
pub fn routes(
    scenario: Scenario,
) -> impl Filter<Extract = (warp::reply::Response,), Error = warp::Rejection> + Clone {
    let policy = scenario.cors.clone();
    let with_scenario = warp::any().map(move || scenario.clone());
    let page = warp::path::end().map(|| warp::reply::html(BROWSER_PAGE).into_response());
    let expected = warp::path!("expected").map(|| {
        warp::reply::with_header(fixed_expected_json(), "content-type", "application/json")
            .into_response()
    });
    let fixed = warp::path!("fixed")
        .map(|| Sse::from(fixed_config().stream(fixed_source())).into_response());
    let live_route = warp::path!("live")
        .and(with_scenario.clone())
        .map(|s: Scenario| live(&s).into_response());
    let compressed = warp::path!("compressed")
        .and(with_scenario)
        .map(|s: Scenario| live(&s))
        .with(warp::compression::gzip())
        .map(Reply::into_response);
    let last =
        warp::path!("last-event-id")
            .and(last_event_id())
            .map(|last: Option<LastEventId>| {
                Sse::new(tokio_stream::iter([last_event_id_event(last.as_ref())])).into_response()
            });
    let events = warp::get().map(|| Sse::new(tokio_stream::iter([cors_event()])));
    let cors_route = warp::path!("cors").and(cors(policy, events));
    let gets = warp::get().and(
        page.or(expected)
            .unify()
            .or(fixed)
            .unify()
            .or(live_route)
            .unify()
            .or(compressed)
            .unify()
            .or(last)
            .unify(),
    );
    gets.or(cors_route).unify()
}

/// Serves until `stop` fires, then shuts down gracefully (waiting for open responses).
///
/// # Panics
///
/// When no tokio runtime can be built or the listener cannot be used: this is a test
/// server.
pub fn serve(listener: TcpListener, scenario: Scenario, stop: oneshot::Receiver<()>) {
    on_tokio(listener, |listener| async move {
        warp::serve(routes(scenario))
            .incoming(listener)
            .graceful(async move {
                let _ = stop.await;
            })
            .run()
            .await;
    });
}
