//! The HTTP/1.1 the load client needs: a response head parser, a body de-framer
//! (chunked, length or until close) and one-shot requests for `/publish` and `/stats`.

mod body;
mod head;
mod request;

pub use body::{BodyError, BodyReader};
pub use head::{Head, HeadError, parse_head};
pub use request::{Reply, RequestError, request};
