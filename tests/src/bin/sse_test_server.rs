//! The test server of one framework, for the browser check: serves the conformance
//! scenario (see `sse_conformance::server`), prints `listening on http://ADDR` once bound,
//! and shuts down gracefully when its standard input closes.
//!
//! ```text
//! sse-test-server --framework axum|actix|warp [--addr 127.0.0.1:0]
//! ```

use std::io::{Read, Write};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use sse_conformance::{FRAMEWORKS, Scenario, Server};

/// Serves the conformance scenario with one framework.
#[derive(Debug, Parser)]
struct Args {
    /// Which framework: axum, actix or warp.
    #[arg(long, value_parser = ["axum", "actix", "warp"])]
    framework: String,
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let Some(framework) = FRAMEWORKS.into_iter().find(|f| f.name == args.framework) else {
        eprintln!("unknown --framework {}", args.framework);
        return ExitCode::from(2);
    };
    let server = match Scenario::new()
        .map_err(std::io::Error::other)
        .and_then(|scenario| Server::start_with(framework, &args.addr, scenario))
    {
        Ok(server) => server,
        Err(error) => {
            eprintln!("cannot serve on {}: {error}", args.addr);
            return ExitCode::FAILURE;
        }
    };
    println!("listening on http://{}", server.addr);
    let _ = std::io::stdout().flush();
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    if server.shutdown(Duration::from_secs(5)) {
        ExitCode::SUCCESS
    } else {
        eprintln!("graceful shutdown did not finish in 5 s");
        ExitCode::FAILURE
    }
}
