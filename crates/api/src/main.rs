//! The `salesops` binary: `serve`, `migrate`, `openapi` and `seed-demo`; see `salesops --help`.

mod cli;

use actix_web::HttpServer;
use clap::Parser;
use cli::{Cli, Command};
use salesops_api::config::Settings;
use salesops_api::{account_pools, build_app, openapi_document, seed, startup};
use std::process::ExitCode;

/// mimalloc rather than the system allocator: a request allocates and frees many small
/// strings (rows, JSON), and glibc's malloc spent about a sixth of a list request's CPU
/// time in its own bookkeeping (`perf`, see the README's Performance section).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // `--help`, `--version` and usage errors exit here, before anything is opened or created.
    let cli = Cli::parse();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            log::error!("{e}");
            eprintln!("salesops: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> Result<(), startup::StartupError> {
    match command {
        Command::Serve(args) => serve(args.settings()?),
        Command::Migrate(args) => migrate(&args.settings()?),
        Command::Openapi => print_openapi(),
        Command::SeedDemo(args) => seed_demo(args.settings()?),
    }
}

fn serve(settings: Settings) -> Result<(), startup::StartupError> {
    let bind = settings.bind.clone();
    let workers = settings.workers;
    log::info!(
        "starting on {bind} with {}",
        salesops_persistence::DatabaseTarget::parse(&settings.database_url).backend_name()
    );
    let state = startup::prepare(settings)?;
    actix_web::rt::System::new().block_on(async move {
        let recall_job = account_pools::schedule::spawn(state.clone());
        let mut server = HttpServer::new(move || build_app(state.clone())).shutdown_timeout(10);
        if let Some(n) = workers {
            server = server.workers(n);
        }
        let served = server.bind(&bind)?.run().await;
        // The server has drained its requests; stop the job too.
        if let Some(job) = recall_job {
            job.abort();
        }
        served
    })?;
    Ok(())
}

fn migrate(settings: &Settings) -> Result<(), startup::StartupError> {
    let pool = startup::open_pool(settings)?;
    startup::wait_for_database(&pool, settings.db_startup_wait)?;
    let applied = startup::migrate(&pool)?;
    println!("applied {applied} migration(s)");
    Ok(())
}

fn print_openapi() -> Result<(), startup::StartupError> {
    println!("{}", openapi_document().to_pretty_json()?);
    Ok(())
}

fn seed_demo(settings: Settings) -> Result<(), startup::StartupError> {
    let state = startup::prepare(settings)?;
    let summary = seed::load_demo(&state)?;
    println!("{summary}");
    Ok(())
}
