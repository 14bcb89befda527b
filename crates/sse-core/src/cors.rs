//! Cross-origin access to an SSE endpoint: an exact allow-list of origins.
//!
//! [`CorsPolicy`] decides; adapters only copy the headers and status it computes into
//! their framework's response. Whole-application CORS stays with each framework's own
//! middleware (tower-http `CorsLayer`, `actix-cors`, `warp::cors`); this policy is for
//! the event-stream route and its preflight.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use crate::last_event_id::LAST_EVENT_ID_HEADER;

/// A header name and value to add to a response. The value may borrow the request's
/// `Origin`.
pub type HeaderPair<'a> = (&'static str, Cow<'a, str>);

/// The headers of [`CorsPolicy`]'s answers that list values: an adapter adds them to the
/// values a response already has (`vary: accept-encoding` stays), and replaces the others.
pub const APPENDED_HEADERS: [&str; 1] = ["vary"];

const VARY_ACTUAL: &str = "origin";
const VARY_PREFLIGHT: &str =
    "origin, access-control-request-method, access-control-request-headers";

/// Which origins may read the stream from another site.
#[derive(Debug, Clone, PartialEq, Eq)]
enum AllowOrigin {
    /// `Access-Control-Allow-Origin: *`, never with credentials.
    Any,
    /// Exact, case-sensitive match of the serialized origin (`https://example.com:8443`).
    List(Vec<String>),
}

/// The CORS policy of an SSE endpoint.
///
/// * An origin in the allow-list gets `Access-Control-Allow-Origin` set to exactly that
///   origin, and `Access-Control-Allow-Credentials: true` when credentials are allowed.
/// * Any other origin gets no CORS headers at all; the browser then refuses to expose
///   the stream.
/// * With an allow-list, `Vary: Origin` is on every response, so that a cache never hands
///   one origin's answer to another.
/// * `*` is only possible without credentials ([`CorsPolicy::any_origin`]).
/// * A preflight may ask for `Last-Event-ID` (which a reconnecting `EventSource` sends),
///   plus the headers added with [`allow_header`](CorsPolicy::allow_header).
///
/// ```
/// use sse_core::CorsPolicy;
///
/// let cors = CorsPolicy::exact(["https://app.example"])?.allow_credentials()?;
/// let headers = cors.response_headers(Some("https://app.example"));
/// assert!(headers.contains(&("access-control-allow-origin", "https://app.example".into())));
/// assert!(headers.contains(&("access-control-allow-credentials", "true".into())));
/// assert!(headers.contains(&("vary", "origin".into())));
///
/// let other = cors.response_headers(Some("https://evil.example"));
/// assert_eq!(other, [("vary", "origin".into())]);
/// # Ok::<(), sse_core::CorsError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorsPolicy {
    origins: AllowOrigin,
    credentials: bool,
    max_age: Option<Duration>,
    headers: Vec<String>,
}

/// A policy that cannot be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsError {
    /// The origin is not a serialized origin such as `https://example.com`: it is empty,
    /// `*`, or has characters a header value cannot carry.
    InvalidOrigin(String),
    /// The header name is not a valid token.
    InvalidHeader(String),
    /// Credentials were asked for together with `*`, which browsers refuse.
    CredentialsWithAnyOrigin,
}

impl fmt::Display for CorsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidOrigin(o) => write!(
                f,
                "invalid CORS origin {o:?}: expected e.g. https://example.com"
            ),
            Self::InvalidHeader(h) => write!(f, "invalid header name {h:?}"),
            Self::CredentialsWithAnyOrigin => {
                f.write_str("credentials cannot be allowed for any origin (`*`); list the origins")
            }
        }
    }
}

impl std::error::Error for CorsError {}

/// The answer to a preflight (`OPTIONS`) request, ready to copy into a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreflightResponse<'a> {
    /// 204 when allowed, 403 when not.
    pub status: u16,
    /// Headers to set (`vary` is best appended to any the application already has);
    /// a rejection carries `content-type: application/json` for its body.
    pub headers: Vec<HeaderPair<'a>>,
    /// `None` when allowed; a JSON object `{"error": "..."}` when not.
    pub body: Option<&'static str>,
}

impl PreflightResponse<'_> {
    /// True when the preflight was allowed.
    #[must_use]
    pub const fn is_allowed(&self) -> bool {
        self.status == 204
    }
}

impl CorsPolicy {
    /// Allows exactly these origins (scheme, host and port, as browsers send them).
    ///
    /// # Errors
    ///
    /// [`CorsError::InvalidOrigin`] for an empty origin, `*`, or one with characters
    /// outside visible ASCII.
    pub fn exact<I, S>(origins: I) -> Result<Self, CorsError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let origins = origins
            .into_iter()
            .map(|o| {
                let o = o.into();
                let valid = !o.is_empty() && o != "*" && o.bytes().all(|b| b.is_ascii_graphic());
                if valid {
                    Ok(o)
                } else {
                    Err(CorsError::InvalidOrigin(o))
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            origins: AllowOrigin::List(origins),
            credentials: false,
            max_age: None,
            headers: vec![LAST_EVENT_ID_HEADER.to_owned()],
        })
    }

    /// Allows every origin with `Access-Control-Allow-Origin: *` (no credentials).
    #[must_use]
    pub fn any_origin() -> Self {
        Self {
            origins: AllowOrigin::Any,
            credentials: false,
            max_age: None,
            headers: vec![LAST_EVENT_ID_HEADER.to_owned()],
        }
    }

    /// Lets allowed origins send cookies (`new EventSource(url, {withCredentials: true})`).
    ///
    /// # Errors
    ///
    /// [`CorsError::CredentialsWithAnyOrigin`] on a policy made by [`CorsPolicy::any_origin`].
    pub fn allow_credentials(mut self) -> Result<Self, CorsError> {
        if self.origins == AllowOrigin::Any {
            return Err(CorsError::CredentialsWithAnyOrigin);
        }
        self.credentials = true;
        Ok(self)
    }

    /// How long a browser may cache a preflight answer.
    #[must_use]
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// Allows one more request header in preflights (`last-event-id` always is).
    ///
    /// # Errors
    ///
    /// [`CorsError::InvalidHeader`] when `name` is not an HTTP token.
    pub fn allow_header(mut self, name: &str) -> Result<Self, CorsError> {
        let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
        if name.is_empty() || !name.bytes().all(token) {
            return Err(CorsError::InvalidHeader(name.to_owned()));
        }
        self.headers.push(name.to_ascii_lowercase());
        Ok(self)
    }

    /// True when a request is a CORS preflight, to be answered with
    /// [`preflight`](CorsPolicy::preflight) instead of the handler: `OPTIONS` with an
    /// `Access-Control-Request-Method` header.
    #[must_use]
    pub fn is_preflight(method: &str, has_request_method: bool) -> bool {
        method == "OPTIONS" && has_request_method
    }

    /// True when `origin` may read the stream.
    #[must_use]
    pub fn is_allowed(&self, origin: &str) -> bool {
        match &self.origins {
            AllowOrigin::Any => true,
            AllowOrigin::List(list) => list.iter().any(|o| o == origin),
        }
    }

    /// The CORS headers for the event-stream response to a request with this `Origin`.
    #[must_use]
    pub fn response_headers<'a>(&self, origin: Option<&'a str>) -> Vec<HeaderPair<'a>> {
        let mut out = Vec::with_capacity(3);
        if let Some(allow) = self.allow_origin_value(origin) {
            out.push(("access-control-allow-origin", allow));
            if self.credentials {
                out.push(("access-control-allow-credentials", Cow::Borrowed("true")));
            }
        }
        if matches!(self.origins, AllowOrigin::List(_)) {
            out.push(("vary", Cow::Borrowed(VARY_ACTUAL)));
        }
        out
    }

    /// The answer to a preflight request, from its `Origin`,
    /// `Access-Control-Request-Method` and `Access-Control-Request-Headers`.
    ///
    /// Allowed when the origin is allowed, the method is `GET`, and every requested
    /// header is allowed (compared without regard to case).
    #[must_use]
    pub fn preflight<'a>(
        &self,
        origin: Option<&'a str>,
        request_method: Option<&str>,
        request_headers: Option<&'a str>,
    ) -> PreflightResponse<'a> {
        let vary = ("vary", Cow::Borrowed(VARY_PREFLIGHT));
        let reject = |reason: &'static str| PreflightResponse {
            status: 403,
            headers: vec![
                ("content-type", Cow::Borrowed("application/json")),
                vary.clone(),
            ],
            body: Some(reason),
        };
        let Some(allow) = self.allow_origin_value(origin) else {
            return reject(r#"{"error":"origin not allowed"}"#);
        };
        if request_method.map(str::trim) != Some("GET") {
            return reject(r#"{"error":"only GET is allowed"}"#);
        }
        let requested = request_headers.unwrap_or("").trim();
        let all_allowed = requested
            .split(',')
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .all(|h| self.headers.iter().any(|a| a.eq_ignore_ascii_case(h)));
        if !all_allowed {
            return reject(r#"{"error":"request header not allowed"}"#);
        }
        let mut headers = Vec::with_capacity(6);
        headers.push(("access-control-allow-origin", allow));
        if self.credentials {
            headers.push(("access-control-allow-credentials", Cow::Borrowed("true")));
        }
        headers.push(("access-control-allow-methods", Cow::Borrowed("GET")));
        headers.push((
            "access-control-allow-headers",
            Cow::Owned(self.headers.join(", ")),
        ));
        if let Some(max_age) = self.max_age {
            headers.push((
                "access-control-max-age",
                Cow::Owned(max_age.as_secs().to_string()),
            ));
        }
        headers.push(vary);
        PreflightResponse {
            status: 204,
            headers,
            body: None,
        }
    }

    fn allow_origin_value<'a>(&self, origin: Option<&'a str>) -> Option<Cow<'a, str>> {
        match &self.origins {
            AllowOrigin::Any => Some(Cow::Borrowed("*")),
            AllowOrigin::List(_) => origin.filter(|o| self.is_allowed(o)).map(Cow::Borrowed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> CorsPolicy {
        CorsPolicy::exact(["https://a.example", "http://localhost:8080"])
            .unwrap()
            .allow_credentials()
            .unwrap()
    }

    fn get<'a>(headers: &'a [HeaderPair<'_>], name: &str) -> Option<&'a str> {
        headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_ref())
    }

    #[test]
    fn exact_match_only() {
        let p = policy();
        assert!(p.is_allowed("https://a.example"));
        assert!(!p.is_allowed("https://A.example"));
        assert!(!p.is_allowed("https://a.example/"));
        assert!(!p.is_allowed("https://a.example.evil"));
        assert!(!p.is_allowed("null"));
    }

    #[test]
    fn allowed_origin_is_echoed_with_credentials_and_vary() {
        let h = policy().response_headers(Some("http://localhost:8080"));
        assert_eq!(
            get(&h, "access-control-allow-origin"),
            Some("http://localhost:8080")
        );
        assert_eq!(get(&h, "access-control-allow-credentials"), Some("true"));
        assert_eq!(get(&h, "vary"), Some("origin"));
    }

    #[test]
    fn other_origins_and_same_origin_get_only_vary() {
        for origin in [Some("https://b.example"), None] {
            let h = policy().response_headers(origin);
            assert_eq!(h, vec![("vary", Cow::Borrowed("origin"))]);
        }
    }

    #[test]
    fn never_star_with_credentials() {
        assert_eq!(
            CorsPolicy::any_origin().allow_credentials(),
            Err(CorsError::CredentialsWithAnyOrigin)
        );
        let h = CorsPolicy::any_origin().response_headers(Some("https://x"));
        assert_eq!(get(&h, "access-control-allow-origin"), Some("*"));
        assert_eq!(get(&h, "access-control-allow-credentials"), None);
    }

    #[test]
    fn invalid_origins_are_errors() {
        for bad in ["", "*", "https://a b", "https://a\n"] {
            assert!(
                matches!(CorsPolicy::exact([bad]), Err(CorsError::InvalidOrigin(_))),
                "{bad:?}"
            );
        }
        assert!(CorsPolicy::any_origin().allow_header("bad header").is_err());
    }

    #[test]
    fn preflight_allows_last_event_id() {
        let p = policy().max_age(Duration::from_secs(600));
        let r = p.preflight(
            Some("https://a.example"),
            Some("GET"),
            Some("Last-Event-ID"),
        );
        assert!(r.is_allowed());
        assert_eq!(
            get(&r.headers, "access-control-allow-origin"),
            Some("https://a.example")
        );
        assert_eq!(
            get(&r.headers, "access-control-allow-headers"),
            Some("last-event-id")
        );
        assert_eq!(get(&r.headers, "access-control-allow-methods"), Some("GET"));
        assert_eq!(
            get(&r.headers, "access-control-allow-credentials"),
            Some("true")
        );
        assert_eq!(get(&r.headers, "access-control-max-age"), Some("600"));
        assert_eq!(r.body, None);
    }

    #[test]
    fn preflight_rejections_carry_no_cors_headers() {
        let p = policy();
        let cases = [
            (Some("https://evil.example"), Some("GET"), None),
            (None, Some("GET"), None),
            (Some("https://a.example"), Some("POST"), None),
            (Some("https://a.example"), None, None),
            (
                Some("https://a.example"),
                Some("GET"),
                Some("last-event-id, x-other"),
            ),
        ];
        for (origin, method, headers) in cases {
            let r = p.preflight(origin, method, headers);
            assert_eq!(r.status, 403, "{origin:?} {method:?} {headers:?}");
            assert_eq!(get(&r.headers, "access-control-allow-origin"), None);
            assert!(r.body.is_some_and(|b| b.starts_with(r#"{"error":"#)));
            assert_eq!(get(&r.headers, "content-type"), Some("application/json"));
        }
    }

    #[test]
    fn preflight_detection() {
        assert!(CorsPolicy::is_preflight("OPTIONS", true));
        assert!(!CorsPolicy::is_preflight("OPTIONS", false));
        assert!(!CorsPolicy::is_preflight("GET", true));
        let h = policy().response_headers(Some("https://a.example"));
        let appended: Vec<_> = h
            .iter()
            .filter(|(n, _)| APPENDED_HEADERS.contains(n))
            .collect();
        assert_eq!(appended, [&("vary", Cow::Borrowed("origin"))]);
    }

    #[test]
    fn extra_allowed_headers() {
        let p = policy().allow_header("X-Token").unwrap();
        let r = p.preflight(
            Some("https://a.example"),
            Some("GET"),
            Some("x-token,last-event-id"),
        );
        assert!(r.is_allowed());
    }
}
