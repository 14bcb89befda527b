//! The peers: each a framework and a way of feeding its SSE responses.

use std::fmt;
use std::str::FromStr;

/// One server set-up under test.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Peer {
    /// Plain tokio: pre-encoded chunks written to every socket by the publisher itself,
    /// no task per connection, no HTTP library: the practical limit.
    Raw,
    /// hyper 1 alone: a body streaming pre-encoded `Bytes` from a `tokio::sync::broadcast`.
    Hyper,
    /// axum 0.8's own `axum::response::Sse`, fed by a `tokio::sync::broadcast` of the data.
    AxumSse,
    /// warp 0.4's `warp::sse::reply`, fed by a broadcast.
    WarpSse,
    /// actix-web-lab 0.29's `sse::Sse`, fed by a broadcast.
    ActixLab,
    /// `sse-axum`'s `Sse`, fed by a broadcast of pre-encoded events.
    OursAxum,
    /// `sse-axum`'s `Sse` over an `sse-hub` subscription.
    OursAxumHub,
    /// As [`OursAxumHub`](Self::OursAxumHub), with the hub's metrics on, a Prometheus
    /// recorder installed and scraped every second: what metrics cost.
    OursAxumHubMetrics,
    /// As [`OursAxumHub`](Self::OursAxumHub), the router served by hyper's HTTP/1.1
    /// builder (the sse-axum README's loop) instead of `axum::serve`.
    OursAxumHubHttp1,
    /// `sse-actix`'s `Sse`, fed by a broadcast of pre-encoded events.
    OursActix,
    /// `sse-actix`'s `Sse` over an `sse-hub` subscription.
    OursActixHub,
    /// `sse-warp`'s `Sse`, fed by a broadcast of pre-encoded events.
    OursWarp,
    /// `sse-warp`'s `Sse` over an `sse-hub` subscription.
    OursWarpHub,
}

impl Peer {
    /// Every peer, in report order.
    pub const ALL: [Self; 13] = [
        Self::OursAxumHub,
        Self::OursAxumHubMetrics,
        Self::OursAxumHubHttp1,
        Self::OursActixHub,
        Self::OursWarpHub,
        Self::OursAxum,
        Self::OursActix,
        Self::OursWarp,
        Self::AxumSse,
        Self::ActixLab,
        Self::WarpSse,
        Self::Hyper,
        Self::Raw,
    ];

    /// The peers of the memory benchmark: all but the metrics one, whose streams are
    /// the same as `ours-axum-hub`'s.
    #[must_use]
    pub fn idle() -> Vec<Self> {
        Self::ALL
            .into_iter()
            .filter(|&peer| peer != Self::OursAxumHubMetrics)
            .collect()
    }

    /// The peers with a hub (they resume from `Last-Event-ID`).
    pub const HUB: [Self; 3] = [Self::OursAxumHub, Self::OursActixHub, Self::OursWarpHub];

    /// The command-line name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Raw => "raw",
            Self::Hyper => "hyper",
            Self::AxumSse => "axum-sse",
            Self::WarpSse => "warp-sse",
            Self::ActixLab => "actix-lab",
            Self::OursAxum => "ours-axum",
            Self::OursAxumHub => "ours-axum-hub",
            Self::OursAxumHubMetrics => "ours-axum-hub-metrics",
            Self::OursAxumHubHttp1 => "ours-axum-hub-http1",
            Self::OursActix => "ours-actix",
            Self::OursActixHub => "ours-actix-hub",
            Self::OursWarp => "ours-warp",
            Self::OursWarpHub => "ours-warp-hub",
        }
    }

    /// What it is, for report tables.
    #[must_use]
    pub const fn description(self) -> &'static str {
        match self {
            Self::Raw => "plain tokio, pre-encoded chunks written by the publisher",
            Self::Hyper => "hyper 1 body over a broadcast of pre-encoded bytes",
            Self::AxumSse => "axum::response::Sse + broadcast",
            Self::WarpSse => "warp::sse::reply + broadcast",
            Self::ActixLab => "actix-web-lab sse::Sse + broadcast",
            Self::OursAxum => "sse-axum Sse + broadcast of encoded events",
            Self::OursAxumHub => "sse-axum Sse + sse-hub",
            Self::OursAxumHubMetrics => "sse-axum Sse + sse-hub, metrics to Prometheus",
            Self::OursAxumHubHttp1 => {
                "sse-axum Sse + sse-hub on hyper's http1 builder, not axum::serve"
            }
            Self::OursActix => "sse-actix Sse + broadcast of encoded events",
            Self::OursActixHub => "sse-actix Sse + sse-hub",
            Self::OursWarp => "sse-warp Sse + broadcast of encoded events",
            Self::OursWarpHub => "sse-warp Sse + sse-hub",
        }
    }

    /// Whether events come from an `sse-hub` (and carry ids the client can resume from).
    #[must_use]
    pub const fn uses_hub(self) -> bool {
        matches!(
            self,
            Self::OursAxumHub
                | Self::OursAxumHubMetrics
                | Self::OursAxumHubHttp1
                | Self::OursActixHub
                | Self::OursWarpHub
        )
    }

    /// Whether this is one of the workspace's own set-ups.
    #[must_use]
    pub const fn is_ours(self) -> bool {
        matches!(
            self,
            Self::OursAxum
                | Self::OursAxumHub
                | Self::OursAxumHubMetrics
                | Self::OursAxumHubHttp1
                | Self::OursActix
                | Self::OursActixHub
                | Self::OursWarp
                | Self::OursWarpHub
        )
    }
}

impl fmt::Display for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A peer name that is not one of [`Peer::ALL`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownPeer(String);

impl fmt::Display for UnknownPeer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<_> = Peer::ALL.iter().map(|p| p.name()).collect();
        write!(
            f,
            "unknown peer {:?} (one of: {})",
            self.0,
            names.join(", ")
        )
    }
}

impl std::error::Error for UnknownPeer {}

impl FromStr for Peer {
    type Err = UnknownPeer;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| UnknownPeer(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_errors() {
        for peer in Peer::ALL {
            assert_eq!(peer.name().parse::<Peer>(), Ok(peer));
        }
        let err = "nginx".parse::<Peer>().unwrap_err();
        assert!(err.to_string().contains("ours-axum-hub"));
        assert!(Peer::HUB.iter().all(|p| p.uses_hub() && p.is_ours()));
    }
}
