//! The `nabij` binary: parse arguments, set up logging, run, report errors.

use std::io::IsTerminal;

use clap::Parser;
use tracing_subscriber::EnvFilter;

/// The log filter: `RUST_LOG` as given when it names targets (`nabij=debug,geo=warn`); a bare
/// level (`RUST_LOG=debug`) applies to nabij's own logs only, so that a dependency's debug
/// output does not drown them.
fn filter(quiet: bool) -> EnvFilter {
    let default = if quiet { "error" } else { "warn" };
    match std::env::var("RUST_LOG") {
        Ok(v) if !v.trim().is_empty() && !v.contains('=') && !v.contains(',') => {
            EnvFilter::try_new(format!("{default},nabij={}", v.trim()))
                .unwrap_or_else(|_| EnvFilter::new(default))
        }
        Ok(v) if !v.trim().is_empty() => {
            EnvFilter::try_new(v).unwrap_or_else(|_| EnvFilter::new(default))
        }
        _ => EnvFilter::new(default),
    }
}

fn main() -> std::process::ExitCode {
    let cli = nabij::cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(filter(cli.quiet))
        .with_writer(std::io::stderr)
        // No colour codes in logs that go to a file or a pipe.
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    // An interrupted command removes its temporary files (the service stops gracefully on
    // its own signal handling instead).
    if !matches!(cli.command, nabij::cli::Command::Serve(_)) {
        let _ = ctrlc::set_handler(|| {
            nabij::graph::file::remove_temporaries();
            eprintln!("interrupted: nothing was written");
            std::process::exit(130);
        });
    }
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
