//! The `nabij` binary: parse arguments, set up logging, run, report errors.

use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> std::process::ExitCode {
    let cli = nabij::cli::Cli::parse();
    let default = if cli.quiet { "error" } else { "warn" };
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default)),
        )
        .with_writer(std::io::stderr)
        .init();
    match nabij::cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // nabij's error messages already name their cause; print the top one only
            // (anyhow's `{:#}` would repeat each cause).
            let e = anyhow::Error::new(e);
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
