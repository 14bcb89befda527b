//! The scenario on actix-web 4 with sse-actix.

use std::net::TcpListener;

use actix_web::middleware::Compress;
use actix_web::{App, HttpResponse, HttpServer, Responder, web};
use sse_actix::{LastEventId, Sse, SseCors};
use tokio::sync::oneshot;

use crate::fixture::{BROWSER_PAGE, fixed_config, fixed_expected_json, fixed_source};
use crate::server::{Scenario, cors_event, last_event_id_event};

/// The scenario's routes.
pub fn configure(scenario: Scenario) -> impl Fn(&mut web::ServiceConfig) + Clone {
    move |config: &mut web::ServiceConfig| {
        config
            .app_data(web::Data::new(scenario.clone()))
            .route("/", web::get().to(page))
            .route("/expected", web::get().to(expected))
            .route("/fixed", web::get().to(fixed))
            .route("/live", web::get().to(live))
            .service(
                web::resource("/compressed")
                    .wrap(Compress::default())
                    .route(web::get().to(live)),
            )
            .route("/last-event-id", web::get().to(last_event_id))
            .service(
                web::resource("/cors")
                    .wrap(SseCors::new(scenario.cors.clone()))
                    .route(web::get().to(cors_route)),
            );
    }
}

async fn page() -> impl Responder {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(BROWSER_PAGE)
}

async fn expected() -> impl Responder {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(fixed_expected_json())
}

async fn fixed() -> impl Responder {
    Sse::from(fixed_config().stream(fixed_source()))
}

async fn live(scenario: web::Data<Scenario>) -> impl Responder {
    let (feed, config) = scenario.next_feed();
    Sse::from(config.stream(feed))
}

async fn last_event_id(last: Option<LastEventId>) -> impl Responder {
    let event = last_event_id_event(last.as_ref());
    Sse::new(tokio_stream::iter([event]))
}

async fn cors_route() -> impl Responder {
    Sse::new(tokio_stream::iter([cors_event()]))
}

/// Serves until `stop` fires, then stops gracefully (waiting for open responses).
///
/// # Panics
///
/// When the server fails: this is a test server.
pub fn serve(listener: TcpListener, scenario: Scenario, stop: oneshot::Receiver<()>) {
    actix_rt::System::new().block_on(async move {
        let routes = configure(scenario);
        let server = HttpServer::new(move || App::new().configure(routes.clone()))
            .workers(1)
            .disable_signals()
            .listen(listener)
            .expect("actix listen")
            .run();
        let handle = server.handle();
        actix_rt::spawn(async move {
            let _ = stop.await;
            handle.stop(true).await;
        });
        server.await.expect("actix server");
    });
}
