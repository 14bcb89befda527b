//! [`SseCorsLayer`]: the SSE CORS policy as a tower layer.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum_core::body::Body;
use axum_core::response::{IntoResponse, Response};
use http::header::{
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, HeaderMap, ORIGIN,
};
use http::{Request, StatusCode};
use sse_core::CorsPolicy;
use tower_layer::Layer;
use tower_service::Service;

/// Applies a [`CorsPolicy`] to an SSE route: the event-stream response gets the policy's
/// CORS headers, and a preflight (`OPTIONS` with `Access-Control-Request-Method`) is
/// answered by the policy itself (204, or 403 with a JSON reason) without reaching the
/// handler.
///
/// Put it on the SSE route's `MethodRouter` (`get(handler).layer(...)`), so that it sees
/// the `OPTIONS` preflight that the method router would otherwise answer with 405.
///
/// `Vary` is appended to what the response already has, never replaced. For the rest of
/// the application use tower-http's `CorsLayer` as usual; on the SSE route itself use
/// only this layer: a `CorsLayer` outside it would answer the preflight first and
/// overwrite `Access-Control-Allow-Origin` with its own policy.
///
/// ```
/// use axum::{Router, routing::get};
/// use sse_axum::{CorsPolicy, SseCorsLayer};
///
/// # async fn events() {}
/// let cors = CorsPolicy::exact(["https://app.example"])?.allow_credentials()?;
/// let app: Router = Router::new().route("/events", get(events).layer(SseCorsLayer::new(cors)));
/// # Ok::<(), sse_axum::CorsError>(())
/// ```
#[derive(Debug, Clone)]
pub struct SseCorsLayer {
    policy: Arc<CorsPolicy>,
}

impl SseCorsLayer {
    /// A layer applying `policy`.
    #[must_use]
    pub fn new(policy: CorsPolicy) -> Self {
        Self {
            policy: Arc::new(policy),
        }
    }
}

impl<S> Layer<S> for SseCorsLayer {
    type Service = SseCors<S>;

    fn layer(&self, inner: S) -> SseCors<S> {
        SseCors {
            inner,
            policy: Arc::clone(&self.policy),
        }
    }
}

/// The service made by [`SseCorsLayer`].
#[derive(Debug, Clone)]
pub struct SseCors<S> {
    inner: S,
    policy: Arc<CorsPolicy>,
}

fn header(headers: &HeaderMap, name: impl http::header::AsHeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

impl<S, B> Service<Request<B>> for SseCors<S>
where
    S: Service<Request<B>>,
    S::Response: IntoResponse,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let headers = request.headers();
        let origin = header(headers, ORIGIN);
        let has_request_method = headers.contains_key(ACCESS_CONTROL_REQUEST_METHOD);
        if CorsPolicy::is_preflight(request.method().as_str(), has_request_method) {
            let answer = self.policy.preflight(
                origin,
                header(headers, ACCESS_CONTROL_REQUEST_METHOD),
                header(headers, ACCESS_CONTROL_REQUEST_HEADERS),
            );
            let mut response = Response::new(answer.body.map_or_else(Body::empty, Body::from));
            *response.status_mut() =
                StatusCode::from_u16(answer.status).unwrap_or(StatusCode::FORBIDDEN);
            sse_core::http1::apply_headers(response.headers_mut(), answer.headers);
            return Box::pin(async move { Ok(response) });
        }
        let origin = origin.map(str::to_owned);
        let policy = Arc::clone(&self.policy);
        let future = self.inner.call(request);
        Box::pin(async move {
            let mut response = future.await?.into_response();
            sse_core::http1::apply_headers(
                response.headers_mut(),
                policy.response_headers(origin.as_deref()),
            );
            Ok(response)
        })
    }
}
