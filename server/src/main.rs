//! `resonance serve`, `resonance migrate`, `resonance import-contacts` and
//! `resonance demo-data`. Start-up failures print one line and exit 1.

use anyhow::Context;
use clap::Parser;
use server::config::{Cli, Command};
use server::{demo, serve, storage, telemetry};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    // Bare `resonance` (as `cargo leptos serve` starts it) means `resonance serve`.
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.len() == 1 {
        args.push("serve".into());
    }
    let cli = Cli::parse_from(args);
    if let Err(e) = telemetry::init(&cli.log_level, cli.log_format) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    match run(cli.command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Migrate(db) => {
            storage::open(&db.database_url, true).await?;
            tracing::info!(database = %storage::redact(&db.database_url), "migrations applied");
            Ok(())
        }
        Command::ImportContacts(args) => {
            let store = storage::open(&args.database.database_url, true).await?;
            let bytes = std::fs::read(&args.file)
                .with_context(|| format!("cannot read {}", args.file.display()))?;
            let report = app::api::contacts::import(store.as_ref(), &bytes, None)
                .await
                .map_err(|e| anyhow::anyhow!(e.message))?;
            for problem in &report.problems {
                println!("line {}: {}", problem.line, problem.reason);
            }
            println!(
                "{} rows: {} new contacts, {} updated, {} not imported",
                report.rows,
                report.inserted,
                report.updated,
                report.problems.len()
            );
            Ok(())
        }
        Command::DemoData(args) => demo::run(&args).await,
        Command::Serve(args) => {
            let bound = serve::bind(&args).await?;
            tracing::info!(address = %bound.addr, base_url = %bound.base_url, "Resonance is listening");
            bound.serve(serve::shutdown_signal()).await
        }
    }
}
