//! Sockets set up the same way for every peer: the server's listener, and the load
//! client's connections spread over several loopback source addresses.

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};

use nix::sys::socket::sockopt::IpBindAddressNoPort;
use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::{TcpSocket, TcpStream};

/// The listen backlog of every benchmark server.
pub const BACKLOG: i32 = 4096;

/// A non-blocking listener on `addr` with a backlog of [`BACKLOG`] and `TCP_NODELAY`
/// (which accepted sockets inherit on Linux), so that every peer gets the same sockets
/// whatever its framework's defaults.
///
/// # Errors
///
/// When the socket cannot be made, bound or put to listen.
pub fn listener(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    socket.set_tcp_nodelay(true)?;
    socket.bind(&addr.into())?;
    socket.listen(BACKLOG)?;
    socket.set_nonblocking(true)?;
    Ok(socket.into())
}

/// The source address for connection number `n` to `target`: one of `sources`
/// loopback addresses `127.0.0.1`, `127.0.0.2`, … when the target is on IPv4 loopback
/// (each source address has its own range of ephemeral ports), otherwise `None` (let
/// the kernel choose).
#[must_use]
pub fn source_for(n: usize, sources: usize, target: SocketAddr) -> Option<Ipv4Addr> {
    match target.ip() {
        IpAddr::V4(ip) if ip.is_loopback() && sources > 0 => {
            let last = u8::try_from(1 + n % sources.min(250)).unwrap_or(1);
            Some(Ipv4Addr::new(127, 0, 0, last))
        }
        _ => None,
    }
}

/// Connects to `target` from `source` (port chosen by the kernel), optionally with a
/// small receive buffer (for clients that will stop reading), with `TCP_NODELAY`.
///
/// # Errors
///
/// When the socket cannot be made, bound or connected.
pub async fn connect(
    target: SocketAddr,
    source: Option<Ipv4Addr>,
    recv_buffer: Option<u32>,
) -> io::Result<TcpStream> {
    let socket = if target.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    if let Some(ip) = source {
        // Choose the port at connect time, by the whole 4-tuple: binding first would
        // reserve a port per source address and scan past every TIME_WAIT socket.
        nix::sys::socket::setsockopt(&socket, IpBindAddressNoPort, &true)
            .map_err(io::Error::from)?;
        socket.bind(SocketAddr::new(IpAddr::V4(ip), 0))?;
    }
    if let Some(size) = recv_buffer {
        socket.set_recv_buffer_size(size)?;
    }
    let stream = socket.connect(target).await?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_cycle_over_loopback_only() {
        let local: SocketAddr = "127.0.0.1:80".parse().unwrap();
        let got: Vec<_> = (0..5).map(|n| source_for(n, 3, local)).collect();
        let ip = |d| Some(Ipv4Addr::new(127, 0, 0, d));
        assert_eq!(got, [ip(1), ip(2), ip(3), ip(1), ip(2)]);
        assert_eq!(source_for(0, 3, "10.0.0.1:80".parse().unwrap()), None);
        assert_eq!(source_for(0, 0, local), None);
    }

    #[tokio::test]
    async fn accepted_sockets_inherit_nodelay_and_sources_work() {
        let std_listener = listener("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = std_listener.local_addr().unwrap();
        let listener = tokio::net::TcpListener::from_std(std_listener).unwrap();
        let client = connect(addr, source_for(1, 4, addr), Some(4096))
            .await
            .unwrap();
        let (server, peer) = listener.accept().await.unwrap();
        assert!(server.nodelay().unwrap());
        assert_eq!(peer.ip(), IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)));
        assert_eq!(client.peer_addr().unwrap(), addr);
    }
}
