//! A TCP proxy the tests put between the app and its database, to cut the database off
//! (every open connection dropped, new ones refused) and bring it back.

use std::{net::SocketAddr, sync::Arc};

use tokio::{
    io::copy_bidirectional,
    net::{TcpListener, TcpStream},
    sync::watch,
};

/// A running proxy to one target address.
pub struct Proxy {
    addr: SocketAddr,
    /// `true` while the database is cut off; each change also drops open connections.
    cut: Arc<watch::Sender<bool>>,
}

impl Proxy {
    /// Starts a proxy on a free loopback port, forwarding to `target`.
    pub async fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy binds");
        let addr = listener.local_addr().expect("bound");
        let (cut, _) = watch::channel(false);
        let cut = Arc::new(cut);
        let accepting = cut.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if *accepting.borrow() {
                    drop(client); // Refused: the database is cut off.
                    continue;
                }
                tokio::spawn(forward(client, target, accepting.subscribe()));
            }
        });
        Self { addr, cut }
    }

    /// Where clients connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `url` (a `postgres://` URL) rewritten to go through the proxy.
    pub fn url(&self, url: &str) -> String {
        let mut parsed = url::Url::parse(url).expect("a database URL");
        parsed.set_host(Some(&self.addr.ip().to_string())).expect("a host");
        parsed.set_port(Some(self.addr.port())).expect("a port");
        parsed.to_string()
    }

    /// Drops every open connection and refuses new ones, until [`Proxy::restore`].
    pub fn cut(&self) {
        self.cut.send_replace(true);
    }

    /// Accepts connections again.
    pub fn restore(&self) {
        self.cut.send_replace(false);
    }
}

async fn forward(mut client: TcpStream, target: SocketAddr, mut cut: watch::Receiver<bool>) {
    let Ok(mut server) = TcpStream::connect(target).await else { return };
    tokio::select! {
        _ = copy_bidirectional(&mut client, &mut server) => {}
        _ = cut.wait_for(|cut| *cut) => {}
    }
}
