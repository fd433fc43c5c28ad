//! Accepting connections: the connection caps, TLS, hyper's HTTP/1 with its header read
//! timeout, and a shutdown that lets requests in progress finish within a grace period and
//! waits for nothing else.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::response::Response;
use axum::routing::future::RouteFuture;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use super::limits::{Gate, Limits, Slot};

/// One connection's service: the endpoint's router, told the peer's address, noting that
/// a request reached it.
#[derive(Clone)]
struct Service {
    app: Router,
    peer: SocketAddr,
    /// A whole request head has arrived on this connection (there may be a response to
    /// finish at shutdown).
    requested: Arc<AtomicBool>,
    open_at_admission: OpenAtAdmission,
}

/// Connections open, this one included, when the connection a request came on was admitted;
/// every request carries it as an extension (the agent endpoint's connection limit reads it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenAtAdmission(pub usize);

impl hyper::service::Service<Request<Incoming>> for Service {
    type Response = Response;
    type Error = Infallible;
    type Future = RouteFuture<Infallible>;

    fn call(&self, mut request: Request<Incoming>) -> Self::Future {
        self.requested.store(true, Ordering::Relaxed);
        request.extensions_mut().insert(ConnectInfo(self.peer));
        request.extensions_mut().insert(self.open_at_admission);
        tower_service::Service::call(&mut self.app.clone(), request)
    }
}

/// What every connection shares.
struct Shared {
    app: Router,
    tls: Option<TlsAcceptor>,
    http: http1::Builder,
    limits: Limits,
    stop: watch::Receiver<bool>,
}

/// Serves `app` on `listener` (over TLS when `tls` is given) within `limits` until
/// `shutdown` resolves; then stops accepting, closes the connections that have no request
/// in progress, and gives the others [`Limits::shutdown_grace`] to finish.
pub async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let gate = Gate::new(&limits);
    let (stop_tx, stop) = watch::channel(false);
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let shared = Arc::new(Shared {
        app,
        tls,
        http,
        limits,
        stop,
    });
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(&e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        match gate.admit(peer.ip()) {
            Ok(slot) => {
                let _ = tcp.set_nodelay(true);
                tokio::spawn(connection(tcp, peer, slot, shared.clone()));
            }
            Err(why) => {
                super::log_refused(peer, why);
                drop(tcp);
            }
        }
    }
    drop(listener);
    let grace = shared.limits.shutdown_grace;
    drop(shared);
    let _ = stop_tx.send(true);
    // Every connection holds a receiver; all are gone once every connection has ended.
    let _ = tokio::time::timeout(grace, stop_tx.closed()).await;
    Ok(())
}

/// An accept that failed: a connection reset before it was accepted is nothing; running out
/// of file descriptors is waited out briefly instead of spinning.
async fn accept_failed(e: &std::io::Error) {
    use std::io::ErrorKind::*;
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionReset | ConnectionRefused | Interrupted
    ) {
        return;
    }
    eprintln!("coffer serve: accepting a connection failed: {e}");
    tokio::time::sleep(Duration::from_millis(100)).await;
}

async fn connection(tcp: tokio::net::TcpStream, peer: SocketAddr, slot: Slot, shared: Arc<Shared>) {
    let mut stop = shared.stop.clone();
    let open = OpenAtAdmission(slot.open_at_admission());
    match &shared.tls {
        None => drive(tcp, peer, open, &shared, stop).await,
        Some(acceptor) => {
            // A handshake is held to the header timeout too: it is the start of a request.
            let handshake = tokio::select! {
                r = tokio::time::timeout(shared.limits.header_timeout, acceptor.accept(tcp)) => r,
                _ = stop.wait_for(|s| *s) => return,
            };
            if let Ok(Ok(stream)) = handshake {
                drive(stream, peer, open, &shared, stop).await;
            }
        }
    }
    drop(slot);
}

async fn drive<I>(
    io: I,
    peer: SocketAddr,
    open_at_admission: OpenAtAdmission,
    shared: &Shared,
    mut stop: watch::Receiver<bool>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let requested = Arc::new(AtomicBool::new(false));
    let service = Service {
        app: shared.app.clone(),
        peer,
        requested: requested.clone(),
        open_at_admission,
    };
    let conn = shared.http.serve_connection(TokioIo::new(io), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = stop.wait_for(|s| *s) => {}
    }
    // A connection that never delivered a whole request head has nothing to finish: a client
    // trickling its first request's headers does not hold the shutdown up. Otherwise hyper
    // closes an idle connection at once and finishes the request in progress, for as long
    // as the grace period allows.
    if !requested.load(Ordering::Relaxed) {
        return;
    }
    conn.as_mut().graceful_shutdown();
    let _ = tokio::time::timeout(shared.limits.shutdown_grace, conn).await;
}
