//! The scenario on axum 0.8 with sse-axum.

use std::net::TcpListener;

use axum::Router;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use sse_axum::{LastEventId, Sse, SseCorsLayer};
use tokio::sync::oneshot;
use tower_http::compression::CompressionLayer;

use crate::fixture::{BROWSER_PAGE, fixed_config, fixed_expected_json, fixed_source};
use crate::server::{Scenario, cors_event, last_event_id_event, on_tokio};

/// The scenario's routes.
pub fn router(scenario: Scenario) -> Router {
    let cors = SseCorsLayer::new(scenario.cors.clone());
    Router::new()
        .route("/", get(|| async { Html(BROWSER_PAGE) }))
        .route("/expected", get(expected))
        .route("/fixed", get(fixed))
        .route("/live", get(live))
        .route("/compressed", get(live).layer(CompressionLayer::new()))
        .route("/last-event-id", get(last_event_id))
        .route("/cors", get(cors_route).layer(cors))
        .with_state(scenario)
}

async fn expected() -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], fixed_expected_json())
}

async fn fixed() -> impl IntoResponse {
    Sse::from(fixed_config().stream(fixed_source()))
}

async fn live(State(scenario): State<Scenario>) -> impl IntoResponse {
    let (feed, config) = scenario.next_feed();
    Sse::from(config.stream(feed))
}

async fn last_event_id(last: Option<LastEventId>) -> impl IntoResponse {
    let event = last_event_id_event(last.as_ref());
    Sse::new(tokio_stream::iter([event]))
}

async fn cors_route() -> impl IntoResponse {
    Sse::new(tokio_stream::iter([cors_event()]))
}

/// Serves until `stop` fires, then shuts down gracefully (waiting for open responses).
///
/// # Panics
///
/// When no tokio runtime can be built or the server fails: this is a test server.
pub fn serve(listener: TcpListener, scenario: Scenario, stop: oneshot::Receiver<()>) {
    on_tokio(listener, |listener| async move {
        axum::serve(listener, router(scenario))
            .with_graceful_shutdown(async move {
                let _ = stop.await;
            })
            .await
            .expect("axum::serve");
    });
}
