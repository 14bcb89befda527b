//! [`SseCors`]: the SSE CORS policy as actix-web middleware.

use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::rc::Rc;

use actix_web::body::EitherBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::{Error, HttpResponse};
use sse_core::{APPENDED_HEADERS, CorsPolicy, HeaderPair};

/// Middleware applying a [`CorsPolicy`] to an SSE resource: the event-stream response
/// gets the policy's CORS headers, and a preflight (`OPTIONS` with
/// `Access-Control-Request-Method`) is answered by the policy itself (204, or 403 with a
/// JSON reason) without reaching the handler.
///
/// Wrap the SSE *resource* (`web::resource("/events").wrap(...)`), so that the middleware
/// sees the `OPTIONS` preflight that the resource would otherwise answer with 405.
///
/// `Vary` is appended to what the response already has, never replaced. For the rest of
/// the application use `actix-cors` as usual, but not around the SSE resource: `Cors`
/// answers preflights itself and sets its own `Access-Control-Allow-Origin`.
///
/// ```
/// use actix_web::{App, web};
/// use sse_actix::{CorsPolicy, SseCors};
///
/// # async fn events() -> &'static str { "" }
/// let cors = CorsPolicy::exact(["https://app.example"])?.allow_credentials()?;
/// let app = App::new().service(
///     web::resource("/events").wrap(SseCors::new(cors)).route(web::get().to(events)),
/// );
/// # Ok::<(), sse_actix::CorsError>(())
/// ```
#[derive(Debug, Clone)]
pub struct SseCors {
    policy: Rc<CorsPolicy>,
}

impl SseCors {
    /// Middleware applying `policy`.
    #[must_use]
    pub fn new(policy: CorsPolicy) -> Self {
        Self {
            policy: Rc::new(policy),
        }
    }
}

impl<S, B: 'static> Transform<S, ServiceRequest> for SseCors
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = SseCorsMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<SseCorsMiddleware<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(SseCorsMiddleware {
            service,
            policy: Rc::clone(&self.policy),
        }))
    }
}

/// The service made by [`SseCors`].
#[derive(Debug)]
pub struct SseCorsMiddleware<S> {
    service: S,
    policy: Rc<CorsPolicy>,
}

fn header<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Copies the policy's headers: those that list values are appended, the others replace.
fn apply(headers: &mut HeaderMap, pairs: Vec<HeaderPair<'_>>) {
    for (name, value) in pairs {
        let Ok(value) = HeaderValue::from_str(&value) else {
            continue;
        };
        if APPENDED_HEADERS.contains(&name) {
            headers.append(HeaderName::from_static(name), value);
        } else {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
}

type LocalFuture<T> = Pin<Box<dyn Future<Output = T>>>;

impl<S, B: 'static> Service<ServiceRequest> for SseCorsMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = LocalFuture<Result<Self::Response, Error>>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let headers = request.headers();
        let origin = header(headers, &header::ORIGIN);
        let has_request_method = headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
        if CorsPolicy::is_preflight(request.method().as_str(), has_request_method) {
            let answer = self.policy.preflight(
                origin,
                header(headers, &header::ACCESS_CONTROL_REQUEST_METHOD),
                header(headers, &header::ACCESS_CONTROL_REQUEST_HEADERS),
            );
            let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::FORBIDDEN);
            let mut response = HttpResponse::new(status);
            apply(response.headers_mut(), answer.headers);
            let response = match answer.body {
                Some(body) => response.set_body(body).map_into_boxed_body(),
                None => response,
            };
            let response = request.into_response(response).map_into_right_body();
            return Box::pin(async move { Ok(response) });
        }
        let origin = origin.map(str::to_owned);
        let policy = Rc::clone(&self.policy);
        let future = self.service.call(request);
        Box::pin(async move {
            let mut response = future.await?;
            apply(
                response.headers_mut(),
                policy.response_headers(origin.as_deref()),
            );
            Ok(response.map_into_left_body())
        })
    }
}
