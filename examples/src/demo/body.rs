//! Reading a request body with a size limit, from any framework's body stream.

use bytes::Buf;
use futures_util::{Stream, StreamExt};

use crate::demo::ApiError;

/// Collects a body of at most `limit` bytes. Stops reading as soon as the limit is passed.
///
/// # Errors
///
/// 413 when the body is over `limit` bytes; 400 when the body could not be read.
pub async fn read_limited<S, B, E>(body: S, limit: usize) -> Result<Vec<u8>, ApiError>
where
    S: Stream<Item = Result<B, E>>,
    B: Buf,
    E: std::fmt::Display,
{
    let mut body = std::pin::pin!(body);
    let mut out = Vec::new();
    while let Some(chunk) = body.next().await {
        let mut chunk =
            chunk.map_err(|e| ApiError::bad_request(format!("could not read the body: {e}")))?;
        if out.len() + chunk.remaining() > limit {
            return Err(ApiError::too_large(limit));
        }
        while chunk.has_remaining() {
            let piece = chunk.chunk();
            out.extend_from_slice(piece);
            let n = piece.len();
            chunk.advance(n);
        }
    }
    Ok(out)
}
