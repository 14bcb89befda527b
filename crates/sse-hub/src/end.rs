//! [`End`]: why a subscription's stream ended.

/// Why a subscription's stream ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum End {
    /// [`Hub::shutdown`](crate::Hub::shutdown) was called.
    Shutdown,
    /// The subscriber fell too far behind (see the lag policy).
    Lagged,
    /// The stream reached its maximum lifetime.
    Expired,
}
