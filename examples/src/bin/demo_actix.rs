//! The demo app on actix-web (contract: `examples/README.md`):
//! `cargo run --release -p sse-examples --bin demo-actix`.

use actix_web::http::StatusCode;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use sse_actix::{LastEventId, Sse, SseCors};
use sse_examples::demo::{COUNTING, Counting, Demo, JsonAnswer, METRICS_CONTENT_TYPE, PAGE};

/// Counts allocations, so that `/metrics` shows the live heap (`process_heap_live_bytes`).
#[global_allocator]
static HEAP: &Counting = &COUNTING;

fn json(answer: JsonAnswer) -> HttpResponse {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    HttpResponse::build(status)
        .content_type("application/json")
        .body(answer.body)
}

async fn events(
    demo: web::Data<Demo>,
    request: HttpRequest,
    last: Option<LastEventId>,
) -> actix_web::Either<Sse<sse_hub::Subscription>, HttpResponse> {
    let query = Some(request.query_string()).filter(|q| !q.is_empty());
    match demo.subscribe(query, last.as_ref()).await {
        Ok(subscription) => {
            actix_web::Either::Left(Sse::new(subscription).keep_alive(demo.keep_alive()))
        }
        Err(e) => actix_web::Either::Right(json(e.into())),
    }
}

async fn publish(demo: web::Data<Demo>, body: web::Payload) -> HttpResponse {
    json(demo.publish_body(body).await)
}

async fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(PAGE)
}

async fn stats(demo: web::Data<Demo>) -> HttpResponse {
    json(demo.stats())
}

async fn metrics(demo: web::Data<Demo>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(METRICS_CONTENT_TYPE)
        .body(demo.metrics())
}

async fn healthz(demo: web::Data<Demo>) -> HttpResponse {
    if let Err(e) = demo.health() {
        return json(e.into());
    }
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body("ok")
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let demo = Demo::from_args();
    demo.spawn_clock();
    demo.spawn_stats();
    let data = web::Data::new(demo.clone());
    let cors = demo.cors();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/", web::get().to(page))
            .service(
                web::resource("/events")
                    .wrap(SseCors::new(cors.clone()))
                    .route(web::get().to(events)),
            )
            .route("/publish", web::post().to(publish))
            .route("/stats", web::get().to(stats))
            .route("/healthz", web::get().to(healthz))
            .route("/metrics", web::get().to(metrics))
    })
    .disable_signals()
    .backlog(4096)
    .bind(demo.config().addr)?;
    let addr = server
        .addrs()
        .first()
        .copied()
        .unwrap_or(demo.config().addr);
    let server = server.run();
    println!("demo-actix on http://{addr}/");
    let handle = server.handle();
    let on_signal = demo.on_signal();
    actix_web::rt::spawn(async move {
        on_signal.await;
        handle.stop(true).await;
    });
    demo.serve(server).await
}
