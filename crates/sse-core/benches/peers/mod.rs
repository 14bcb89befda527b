//! The benchmark cases and the three peers (sse-core, axum 0.8, warp 0.4), shared by the
//! `encode` and `allocs` benchmarks.
#![allow(dead_code)] // each benchmark uses a different part

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, HttpBody};
use axum::response::IntoResponse;
use bytes::Bytes;
use futures_util::stream;
use sse_core::{Event, EventStream};

/// One benchmark case: the same fields for every peer.
#[derive(Clone, Copy)]
pub(crate) struct Case {
    pub(crate) name: &'static str,
    pub(crate) event: &'static str,
    pub(crate) id: &'static str,
    pub(crate) data: &'static str,
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

pub(crate) fn cases() -> Vec<Case> {
    // 30 bytes of JSON.
    let small = r#"{"user":"ada","n":7,"ok":true}"#;
    assert_eq!(small.len(), 30, "the small case carries 30 B of data");
    let kib: String = "0123456789abcdef".repeat(64);
    let line_64k: String = kib.repeat(64);
    // 1024 lines of 87 characters + LF = 88 KiB.
    let line: String = "x".repeat(87);
    let lines_88k: String = format!("{line}\n").repeat(1024);
    // 1 KiB in 64 lines of 14 characters + CRLF.
    let crlf: String = "fourteen chars\r\n".repeat(64);
    let base = Case {
        name: "",
        event: "update",
        id: "1234567",
        data: small,
    };
    vec![
        Case {
            name: "small",
            ..base
        },
        Case {
            name: "1kib",
            data: leak(kib),
            ..base
        },
        Case {
            name: "64kib_line",
            data: leak(line_64k),
            ..base
        },
        Case {
            name: "88kib_1024_lines",
            data: leak(lines_88k),
            ..base
        },
        Case {
            name: "crlf_1kib",
            data: leak(crlf),
            ..base
        },
    ]
}

pub(crate) fn ours(case: Case) -> Event {
    Event::new()
        .event(case.event)
        .and_then(|e| e.id(case.id))
        .expect("valid benchmark fields")
        .data(case.data)
}

pub(crate) fn axum_event(case: Case) -> axum::response::sse::Event {
    axum::response::sse::Event::default()
        .event(case.event)
        .id(case.id)
        .data(case.data)
}

pub(crate) fn warp_event(case: Case) -> warp::sse::Event {
    warp::sse::Event::default()
        .event(case.event)
        .id(case.id)
        .data(case.data)
}

/// An infinite body that builds and encodes one event per poll.
pub(crate) fn ours_body(case: Case) -> Body {
    let events = stream::repeat_with(move || ours(case));
    Body::from_stream(EventStream::new(events))
}

pub(crate) fn axum_body(case: Case) -> Body {
    let events = stream::repeat_with(move || Ok::<_, std::convert::Infallible>(axum_event(case)));
    axum::response::Sse::new(events).into_response().into_body()
}

pub(crate) fn warp_body(case: Case) -> warp::reply::Response {
    let events = stream::repeat_with(move || Ok::<_, std::io::Error>(warp_event(case)));
    warp::reply::Reply::into_response(warp::sse::reply(events))
}

pub(crate) fn plumbing_body(bytes: Bytes) -> Body {
    let chunks = stream::repeat_with(move || Ok::<_, std::convert::Infallible>(bytes.clone()));
    Body::from_stream(chunks)
}

/// One data frame of an infinite body.
pub(crate) fn poll_data<B>(body: &mut B, cx: &mut Context<'_>) -> Bytes
where
    B: HttpBody<Data = Bytes> + Unpin,
    B::Error: std::fmt::Debug,
{
    match Pin::new(body).poll_frame(cx) {
        Poll::Ready(Some(Ok(frame))) => frame.into_data().expect("a data frame"),
        other => panic!("an infinite body ended or waited: {other:?}"),
    }
}
