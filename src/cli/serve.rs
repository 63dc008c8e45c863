//! `nabij serve`: the HTTP service over the configured dataset (the demo without arguments).

use std::path::PathBuf;
use std::time::Duration;

use actix_web::{App, HttpServer, web};
use clap::Args;

use super::CliError;
use super::args::DataArgs;
use crate::api::{AppState, configure};
use crate::app::{ConfigLayer, Dataset, Progress};

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Address to listen on (env NABIJ_LISTEN; default 127.0.0.1:8080).
    #[arg(long)]
    pub listen: Option<String>,
    /// HTTP worker threads (env NABIJ_WORKERS; default: the number of cores).
    #[arg(long)]
    pub workers: Option<usize>,
    /// The SQLite database of saved scenarios (env NABIJ_DATABASE; default
    /// ~/.local/share/nabij/scenarios.sqlite; created on the first save).
    #[arg(long)]
    pub database: Option<PathBuf>,
    /// The bearer token that scenario writes (POST, DELETE) must carry, at least 16
    /// characters (env NABIJ_WRITE_TOKEN, which keeps it out of the process list). Without
    /// one, writes are off and say so; reads are always public.
    #[arg(long)]
    pub write_token: Option<String>,
    /// A basemap for the map page: an XYZ tile URL such as
    /// https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png
    /// (env NABIJ_BASEMAP_URL). Without one the page has none and needs no internet; with
    /// one, its origin is the only one the page loads images from.
    #[arg(long)]
    pub basemap_url: Option<String>,
    /// The basemap's attribution, shown on the map (e.g. "Kaartgegevens © Kadaster").
    #[arg(long, requires = "basemap_url")]
    pub basemap_attribution: Option<String>,
}

/// A line on standard output that a closed pipe does not turn into a panic (the service
/// ignores SIGPIPE, so `nabij serve | head -1` must not fail on its start-up line).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

pub fn serve(args: ServeArgs, quiet: bool, progress: &Progress) -> Result<(), CliError> {
    let config = args.data.config_with(ConfigLayer {
        listen: args.listen.clone(),
        workers: args.workers,
        database: args.database.clone(),
        write_token: args.write_token.clone(),
        basemap_url: args.basemap_url.clone(),
        basemap_attribution: args.basemap_attribution.clone(),
        ..Default::default()
    })?;
    // A database nabij cannot use stops the start, in one line, before the data are loaded.
    let store = config.store();
    let store_state = store.check().map_err(|e| CliError::App(e.into()))?;
    let data = Dataset::load(&config, progress)?;
    // The peak's engine copies the graph: made beside the start, not before it.
    data.network.prepare_periods();
    let synthetic = data.synthetic_roads();
    let state = web::Data::new(
        AppState::with_admission(
            data,
            Duration::from_secs(config.compute_timeout_s),
            crate::api::state::Admission {
                running: config.max_computations,
                waiting: config.max_waiting,
            },
        )
        .with_scenarios(store, config.write_token.clone())
        .with_body_time(Duration::from_secs(config.body_timeout_s))
        .with_basemap(config.basemap.clone()),
    );
    let app = configure(state.clone());
    let server = HttpServer::new(move || App::new().configure(app.clone()))
        // A duplicate of each client's socket, so that computations notice when it leaves.
        .on_connect(crate::api::state::on_connect)
        .workers(config.workers)
        // One descriptor per connection (see `api::state::on_connect`); past the cap,
        // connections wait in the listen queue instead of exhausting the descriptors.
        .max_connections(config.max_connections.div_ceil(config.workers).max(1))
        .client_request_timeout(Duration::from_secs(10))
        .shutdown_timeout(10)
        .bind(&config.listen)
        .map_err(|e| CliError::Usage(format!("cannot listen on {}: {e}", config.listen)))?;
    if !quiet {
        announce(&config, synthetic, store_state);
    }
    let outcome = actix_web::rt::System::new()
        .block_on(server.run())
        .map_err(|e| CliError::Usage(format!("server stopped: {e}")));
    // Requests still unanswered when the graceful shutdown ran out of time were dropped.
    let dropped = state.metrics.lock().map(|m| m.in_flight).unwrap_or(0);
    if dropped > 0 {
        tracing::warn!(
            "{dropped} request(s) were still in flight at shutdown and were dropped without an answer"
        );
    } else if !quiet {
        say!("nabij stopped; no request was dropped");
    }
    outcome
}

/// What the server says when it starts: which data on which address, where scenarios are
/// kept and whether they can be written.
fn announce(config: &crate::app::Config, synthetic: bool, store_state: crate::app::StoreState) {
    say!(
        "nabij serving {} on http://{} ({}); GET /api/v1/openapi.json for the API",
        if config.demo {
            "the Nabijland demo"
        } else {
            "your data"
        },
        config.listen,
        if synthetic {
            "SYNTHETIC roads"
        } else {
            "OpenStreetMap roads"
        }
    );
    say!(
        "scenarios in {}{} ({})",
        config.database.display(),
        match store_state {
            crate::app::StoreState::New => ", a new database made on the first save",
            crate::app::StoreState::ReadOnly =>
                ", read-only file: saved scenarios can be read, not saved",
            crate::app::StoreState::Ready => "",
        },
        if config.write_token.is_some() {
            "writes need the bearer token"
        } else {
            "read-only: give --write-token to allow saving"
        }
    );
}
