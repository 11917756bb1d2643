//! The `salesops` binary: `serve` (default), `migrate`, `openapi`, `seed-demo`.

use actix_web::HttpServer;
use salesops_api::config::Settings;
use salesops_api::{account_pools, build_app, openapi_document, seed, startup};
use std::process::ExitCode;

const USAGE: &str = "usage: salesops [serve | migrate | openapi | seed-demo]";

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let command = std::env::args().nth(1).unwrap_or_else(|| "serve".to_owned());
    let result = match command.as_str() {
        "serve" => serve(),
        "migrate" => migrate(),
        "openapi" => print_openapi(),
        "seed-demo" => seed_demo(),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n{USAGE}").into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            log::error!("{e}");
            eprintln!("salesops: {e}");
            ExitCode::FAILURE
        }
    }
}

fn settings() -> Result<Settings, startup::StartupError> {
    Ok(Settings::from_env()?)
}

fn serve() -> Result<(), startup::StartupError> {
    let settings = settings()?;
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

fn migrate() -> Result<(), startup::StartupError> {
    let pool = startup::open_pool(&settings()?)?;
    let applied = startup::migrate(&pool)?;
    println!("applied {applied} migration(s)");
    Ok(())
}

fn print_openapi() -> Result<(), startup::StartupError> {
    println!("{}", openapi_document().to_pretty_json()?);
    Ok(())
}

fn seed_demo() -> Result<(), startup::StartupError> {
    let state = startup::prepare(settings()?)?;
    let summary = seed::load_demo(&state)?;
    println!("{summary}");
    Ok(())
}
