//! [`cors()`]: the SSE CORS policy around a warp route.

use std::sync::Arc;

use sse_core::CorsPolicy;
use warp::http::StatusCode;
use warp::http::header::HeaderValue;
use warp::reply::{Reply, Response};
use warp::{Filter, Rejection};

use crate::filters::optional_header;

fn text(value: Option<&HeaderValue>) -> Option<&str> {
    value.and_then(|v| v.to_str().ok())
}

/// Wraps an SSE `route` in a [`CorsPolicy`]: its responses get the policy's CORS
/// headers, and a preflight (`OPTIONS` with `Access-Control-Request-Method`) is answered
/// by the policy itself (204, or 403 with a JSON reason) before `route` is tried.
///
/// Like `warp::cors`, the wrapper answers every preflight that reaches it, so put the
/// path in front of it (`warp::path("events").and(cors(policy, route))`), not inside
/// `route` only. `Vary` is appended to what the response already has, never replaced.
/// For the rest of the application use `warp::cors()` as usual, but not around this
/// route: it answers preflights itself and sets its own `Access-Control-Allow-Origin`.
///
/// ```
/// use warp::Filter;
/// use sse_warp::{CorsPolicy, cors};
///
/// let policy = CorsPolicy::exact(["https://app.example"])?.allow_credentials()?;
/// let events = warp::get().map(|| "events here");
/// let route = warp::path("events").and(cors(policy, events));
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let res = warp::test::request()
///     .path("/events")
///     .header("origin", "https://app.example")
///     .reply(&route)
///     .await;
/// assert_eq!(res.headers()["access-control-allow-origin"], "https://app.example");
/// # });
/// # Ok::<(), sse_warp::CorsError>(())
/// ```
pub fn cors<F, R>(
    policy: CorsPolicy,
    route: F,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone
where
    F: Filter<Extract = (R,), Error = Rejection> + Clone + Send + Sync + 'static,
    R: Reply,
{
    let policy = Arc::new(policy);
    let preflight_policy = Arc::clone(&policy);
    let preflight = warp::options()
        .and(warp::header::value("access-control-request-method"))
        .and(optional_header("origin"))
        .and(optional_header("access-control-request-headers"))
        .map(
            move |method: HeaderValue,
                  origin: Option<HeaderValue>,
                  requested: Option<HeaderValue>| {
                let answer = preflight_policy.preflight(
                    text(origin.as_ref()),
                    method.to_str().ok(),
                    text(requested.as_ref()),
                );
                let mut response = Response::new(answer.body.unwrap_or("").into());
                *response.status_mut() =
                    StatusCode::from_u16(answer.status).unwrap_or(StatusCode::FORBIDDEN);
                sse_core::http1::apply_headers(response.headers_mut(), answer.headers);
                response
            },
        );
    let actual =
        optional_header("origin")
            .and(route)
            .map(move |origin: Option<HeaderValue>, reply: R| {
                let mut response = reply.into_response();
                sse_core::http1::apply_headers(
                    response.headers_mut(),
                    policy.response_headers(text(origin.as_ref())),
                );
                response
            });
    preflight.or(actual).unify()
}
