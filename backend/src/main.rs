//! The `instacrush` command: serve, migrate, openapi.

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser as _;
use instacrush::{
    app::{self, Server},
    auth,
    config::{Cli, Command},
    db, http, shutdown, telemetry,
};
use tokio_util::sync::CancellationToken;

fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init(cli.log.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => return fail(&anyhow::Error::from(err).context("cannot start the runtime")),
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(&err),
    }
}

/// Ends with one clear line on stderr, never a backtrace.
fn fail(err: &anyhow::Error) -> ExitCode {
    eprintln!("instacrush: {err:#}");
    ExitCode::FAILURE
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve(config) => {
            let server = Server::build(*config).await?;
            let token = CancellationToken::new();
            shutdown::cancel_on_signal(token.clone());
            server.run(token).await
        }
        Command::Worker(config) => {
            let token = CancellationToken::new();
            shutdown::cancel_on_signal(token.clone());
            app::run_worker(*config, token).await
        }
        Command::Migrate { database } => {
            let conn = db::connect(&database).await?;
            db::migrate(&conn).await?;
            eprintln!("migrations applied to {}", database.database_url);
            Ok(())
        }
        Command::Sandbox { port, secret_file, config } => {
            let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
            let config = if config.app_secret == instagram_sandbox::DEFAULT_APP_SECRET {
                let secret = auth::load_or_create_secret(&secret_file).with_context(|| {
                    format!("cannot load the sandbox app secret from {}", secret_file.display())
                })?;
                app::with_install_secret(config, &secret)
            } else {
                config
            };
            eprintln!("Instagram sandbox: http://{addr}/  (accounts: /_sandbox/accounts)");
            instagram_sandbox::serve(config, addr).await.with_context(|| format!("cannot listen on {addr}"))
        }
        Command::Openapi => {
            print!("{}", http::openapi_yaml()?);
            Ok(())
        }
    }
}
