//! The `LastEventId` extractor through actix-web: a plain `LastEventId` refuses a request
//! without a usable id (400, JSON), `Option<LastEventId>` never refuses.

use actix_web::http::{StatusCode, header};
use actix_web::{App, test, web};
use sse_actix::LastEventId;

/// Status, content type and body of `GET uri` with an optional `Last-Event-ID` header.
async fn get_with(uri: &str, last_event_id: Option<&str>) -> (StatusCode, Option<String>, String) {
    let app = test::init_service(
        App::new()
            .route(
                "/required",
                web::get().to(|id: LastEventId| async move { id.into_string() }),
            )
            .route(
                "/optional",
                web::get().to(|id: Option<LastEventId>| async move { format!("{id:?}") }),
            ),
    )
    .await;
    let mut request = test::TestRequest::get().uri(uri);
    if let Some(id) = last_event_id {
        request = request.insert_header(("last-event-id", id));
    }
    let response = test::call_service(&app, request.to_request()).await;
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().expect("ASCII").to_owned());
    let body = test::read_body(response).await;
    (
        status,
        content_type,
        String::from_utf8(body.to_vec()).expect("UTF-8"),
    )
}

#[actix_web::test]
async fn plain_extractor_refuses_a_request_without_a_usable_id_with_json() {
    // No id at all, an empty header, a header with a control character and no query.
    for (uri, header) in [
        ("/required", None),
        ("/required", Some("")),
        ("/required", Some("a\tb")),
        ("/required?lastEventId=", None),
    ] {
        let (status, content_type, body) = get_with(uri, header).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri} {header:?}");
        assert_eq!(content_type.as_deref(), Some("application/json"));
        assert_eq!(body, sse_core::MISSING_LAST_EVENT_ID_BODY);
    }
}

#[actix_web::test]
async fn plain_extractor_takes_the_header_else_the_query() {
    assert_eq!(get_with("/required", Some("41")).await.2, "41");
    assert_eq!(get_with("/required?lastEventId=7", None).await.2, "7");
    assert_eq!(
        get_with("/required?lastEventId=7", Some("a\tb")).await.2,
        "7"
    );
}

#[actix_web::test]
async fn optional_extractor_never_refuses() {
    let (status, _, body) = get_with("/optional", Some("a\tb")).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "None"));
    let (status, _, body) = get_with("/optional", Some("9")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, r#"Some(LastEventId("9"))"#);
}
