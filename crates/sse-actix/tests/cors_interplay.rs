//! `SseCors` beside actix-cors, composed as the README shows.

use actix_cors::Cors;
use actix_web::http::StatusCode;
use actix_web::http::header::HeaderMap;
use actix_web::{App, HttpResponse, test, web};
use sse_actix::{CorsPolicy, SseCors};

const APP: &str = "https://app.example";

async fn events() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("vary", "accept-encoding"))
        .body("events")
}

async fn send(method: &str, uri: &str, headers: &[(&str, &str)]) -> (StatusCode, HeaderMap) {
    let policy = CorsPolicy::exact([APP])
        .and_then(CorsPolicy::allow_credentials)
        .expect("a valid policy");
    let app = test::init_service(
        App::new()
            .service(
                web::scope("/api")
                    .wrap(Cors::permissive())
                    .route("", web::get().to(|| async { "api" })),
            )
            .service(
                web::resource("/events")
                    .wrap(SseCors::new(policy))
                    .route(web::get().to(events)),
            ),
    )
    .await;
    let mut request = test::TestRequest::default()
        .method(method.parse().expect("a method"))
        .uri(uri);
    for (name, value) in headers {
        request = request.insert_header((*name, *value));
    }
    let response = test::call_service(&app, request.to_request()).await;
    (response.status(), response.headers().clone())
}

fn values(headers: &HeaderMap, name: &str) -> Vec<String> {
    headers
        .get_all(name)
        .map(|v| v.to_str().unwrap_or_default().to_owned())
        .collect()
}

#[actix_rt::test]
async fn actix_cors_serves_the_other_routes() {
    let (_, headers) = send("GET", "/api", &[("origin", "https://other.example")]).await;
    assert_eq!(
        values(&headers, "access-control-allow-origin"),
        ["https://other.example"]
    );
}

#[actix_rt::test]
async fn the_sse_resource_follows_its_own_policy() {
    let (_, headers) = send("GET", "/events", &[("origin", APP)]).await;
    assert_eq!(values(&headers, "access-control-allow-origin"), [APP]);
    assert_eq!(
        values(&headers, "access-control-allow-credentials"),
        ["true"]
    );

    let (_, headers) = send("GET", "/events", &[("origin", "https://other.example")]).await;
    assert!(values(&headers, "access-control-allow-origin").is_empty());

    let preflight = [
        ("origin", "https://other.example"),
        ("access-control-request-method", "GET"),
    ];
    let (status, headers) = send("OPTIONS", "/events", &preflight).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(values(&headers, "content-type"), ["application/json"]);
}

#[actix_rt::test]
async fn vary_is_appended_not_replaced() {
    let (_, headers) = send("GET", "/events", &[("origin", APP)]).await;
    let mut vary = values(&headers, "vary");
    vary.sort();
    assert_eq!(vary, ["accept-encoding", "origin"]);
}
