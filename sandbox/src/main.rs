//! `instagram-sandbox`: runs the sandbox on its own (the same as `instacrush sandbox`).

use std::net::{IpAddr, SocketAddr};

use clap::Parser;
use instagram_sandbox::SandboxConfig;

/// A local stand-in for the Instagram API with Instagram Login.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// Port to listen on.
    #[arg(long, env = "SANDBOX_PORT", default_value_t = 4010)]
    port: u16,
    /// Address to listen on.
    #[arg(long, env = "SANDBOX_HOST", default_value = "127.0.0.1")]
    host: IpAddr,
    #[command(flatten)]
    config: SandboxConfig,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let cli = Cli::parse();
    let addr = SocketAddr::new(cli.host, cli.port);
    println!("Instagram sandbox on http://{addr} (accounts: http://{addr}/_sandbox/accounts)");
    instagram_sandbox::serve(cli.config, addr).await
}
