//! The `nabij` binary: parse arguments, set up logging, run, report errors.

use std::io::IsTerminal;

use clap::Parser;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::FmtContext;
use tracing_subscriber::fmt::format::{self, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

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

/// Log lines on a terminal when nobody asked for more: `warning: message`, one plain line
/// each, without the timestamp and module path of the full format.
struct Plain;

impl<S, N> FormatEvent<S, N> for Plain
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: format::Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        let level = match *event.metadata().level() {
            tracing::Level::ERROR => "error",
            tracing::Level::WARN => "warning",
            tracing::Level::INFO => "info",
            _ => "debug",
        };
        write!(writer, "{level}: ")?;
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}

/// Logging: plain lines on a terminal; the full tracing format (time, level, module) when
/// `RUST_LOG` is set or standard error is a file or a pipe (a service's log).
fn init_logging(quiet: bool) {
    let terminal = std::io::stderr().is_terminal();
    let asked = std::env::var("RUST_LOG").is_ok_and(|v| !v.trim().is_empty());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter(quiet))
        .with_writer(std::io::stderr)
        // No colour codes in logs that go to a file or a pipe.
        .with_ansi(terminal);
    if terminal && !asked {
        builder.event_format(Plain).init();
    } else {
        builder.init();
    }
}

/// A command whose reader goes away (`nabij scenarios list | head -1`) ends quietly with
/// status 141, killed by SIGPIPE as other Unix tools are (`SIG_DFL`), instead of Rust's
/// default of ignoring the signal and failing the next write. The service ignores it
/// (`SIG_IGN`): a client that hangs up must not stop the server.
fn set_sigpipe(disposition: libc::sighandler_t) {
    // SAFETY: setting a signal's disposition at start-up, before any other thread runs.
    unsafe {
        libc::signal(libc::SIGPIPE, disposition);
    }
}

fn main() -> std::process::ExitCode {
    set_sigpipe(libc::SIG_DFL);
    let cli = nabij::cli::Cli::parse();
    init_logging(cli.quiet);
    if matches!(cli.command, nabij::cli::Command::Serve(_)) {
        set_sigpipe(libc::SIG_IGN);
    }
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
