//! [`last_event_id()`] and the small header filters it is made of.

use std::convert::Infallible;

use sse_core::{LAST_EVENT_ID_HEADER, LastEventId};
use warp::Filter;
use warp::http::HeaderValue;

/// A header's value when the request has it, `None` otherwise; never rejects.
pub(crate) fn optional_header(
    name: &'static str,
) -> impl Filter<Extract = (Option<HeaderValue>,), Error = Infallible> + Copy {
    warp::header::value(name)
        .map(Some)
        .or(warp::any().map(|| None))
        .unify()
}

/// Extracts the id a reconnecting client last saw: the `Last-Event-ID` header, or else
/// the `lastEventId` query parameter, checked by [`LastEventId::from_request`]. A value
/// that is empty, too long, not UTF-8 or holds a control character counts as absent.
/// Never rejects: `None` on a first connection.
///
/// ```
/// use warp::Filter;
/// use sse_warp::{LastEventId, last_event_id};
///
/// let route = warp::path("events").and(last_event_id()).map(|last: Option<LastEventId>| {
///     match last {
///         Some(id) => format!("resuming after {id}"),
///         None => "from the start".to_owned(),
///     }
/// });
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let res = warp::test::request().path("/events?lastEventId=7").reply(&route).await;
/// assert_eq!(res.body(), "resuming after 7");
/// # });
/// ```
pub fn last_event_id() -> impl Filter<Extract = (Option<LastEventId>,), Error = Infallible> + Copy {
    let query = warp::query::raw()
        .map(Some)
        .or(warp::any().map(|| None))
        .unify();
    optional_header(LAST_EVENT_ID_HEADER).and(query).map(
        |header: Option<HeaderValue>, query: Option<String>| {
            LastEventId::from_request(header.as_ref().map(HeaderValue::as_bytes), query.as_deref())
        },
    )
}
