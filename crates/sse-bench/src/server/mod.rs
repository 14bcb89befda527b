//! The benchmark server: one peer per process, listening with the same socket set-up as
//! every other peer, publishing on the driver's command.

mod actix_peer;
mod axum_peer;
mod control;
mod counted;
mod http1;
mod hyper_peer;
mod prometheus;
mod raw;
mod source;
mod warp_peer;

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

pub use counted::Counted;
pub use raw::{Fanout, MAX_QUEUE};
pub use source::{Skipping, Source};

use crate::peer::Peer;

/// The default keep-alive interval of every peer that has one: long enough that no
/// keep-alive is sent during a benchmark, but each stream holds its timer.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Events a broadcast channel or a hub topic holds for slow subscribers.
pub const BACKLOG_EVENTS: usize = 1024;

/// How a server runs.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// The peer.
    pub peer: Peer,
    /// Where to listen (port 0: any).
    pub addr: SocketAddr,
    /// Worker threads (actix-web workers, tokio worker threads).
    pub workers: usize,
    /// The CPU to pin the process to, if any.
    pub cpu: Option<usize>,
    /// The keep-alive interval of every stream (for peers that have one).
    pub keep_alive: Duration,
}

/// Runs the server until the driver says `quit` or closes stdin.
///
/// # Errors
///
/// When the listener cannot be made or the framework fails to start.
pub fn run(options: &ServerOptions) -> io::Result<()> {
    let _ = crate::sys::raise_nofile_limit();
    if let Some(cpu) = options.cpu {
        crate::sys::pin_to_cpu(cpu)?;
    }
    let listener = crate::net::listener(options.addr)?;
    // The recorder goes in before the hub is built: the hub registers its series then.
    let prometheus = match options.peer {
        Peer::OursAxumHubMetrics => Some(prometheus::install()?),
        _ => None,
    };
    let source = Source::new(options.peer, options.keep_alive);
    if let Some(handle) = prometheus {
        prometheus::scrape_every_second(handle, source.clone());
    }
    match options.peer {
        Peer::Raw => raw::serve(listener, source, options.workers),
        Peer::Hyper => hyper_peer::serve(listener, source, options.workers),
        Peer::AxumSse
        | Peer::OursAxum
        | Peer::OursAxumHub
        | Peer::OursAxumHubMetrics
        | Peer::OursAxumHubHttp1 => {
            axum_peer::serve(options.peer, listener, source, options.workers)
        }
        Peer::ActixLab | Peer::OursActix | Peer::OursActixHub => {
            actix_peer::serve(options.peer, listener, source, options.workers)
        }
        Peer::WarpSse | Peer::OursWarp | Peer::OursWarpHub => {
            warp_peer::serve(options.peer, listener, source, options.workers)
        }
    }
}

/// A multi-thread tokio runtime with `workers` workers, as every tokio-based peer uses.
fn tokio_runtime(workers: usize) -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers.max(1))
        .enable_all()
        .build()
}
