//! `ahrvo-sandbox`: runs the sandbox server until Ctrl-C.

use std::process::ExitCode;

use ahrvo_sandbox::{Credentials, Sandbox, SandboxArgs};
use clap::Parser;

const AFTER_HELP: &str = "\
Credentials come from AHRVO_API_KEY, AHRVO_ACCESS_TOKEN, AHRVO_USERNAME and
AHRVO_PASSWORD (defaults: sandbox-api-key, sandbox-access-token, sandbox,
sandbox-password). The admin API (not part of Ahrvo's) is under /_sandbox/;
see docs/sandbox.md.";

/// The command line: the flags `ahrvo sandbox` takes too.
#[derive(Debug, Parser)]
#[command(
    name = "ahrvo-sandbox",
    version,
    about = "ahrvo-sandbox: a stateful local Ahrvo Network API server",
    after_help = AFTER_HELP
)]
struct Cli {
    #[command(flatten)]
    sandbox: SandboxArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    // Usage errors exit 2, --help and --version 0 (clap's conventions).
    let cli = Cli::parse();
    let config = cli
        .sandbox
        .to_config()
        .with_credentials(Credentials::from_env());
    let sandbox = match Sandbox::start_with(config).await {
        Ok(sandbox) => sandbox,
        Err(e) => {
            eprintln!("ahrvo-sandbox: {e}");
            return ExitCode::FAILURE;
        }
    };
    let c = sandbox.credentials();
    let url = sandbox.base_url();
    println!("ahrvo-sandbox listening on {url}");
    println!();
    println!("  issuing   Authorization: Bearer {}", c.access_token);
    println!("            x-api-key: {}", c.api_key);
    println!(
        "            (x-api-key {} gets 403)",
        sandbox.forbidden_api_key()
    );
    println!("  payments  HTTP Basic {}:{}", c.username, c.password);
    println!("  admin     {url}/_sandbox/state (not part of Ahrvo's API)");
    println!();
    println!(
        "  curl -H 'Authorization: Bearer {}' -H 'x-api-key: {}' \\",
        c.access_token, c.api_key
    );
    println!("       {url}/card/issuance/api/issuing/budget/v2/balance/all");
    println!();
    println!("Press Ctrl-C to stop.");
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("ahrvo-sandbox: cannot wait for Ctrl-C: {e}");
        return ExitCode::FAILURE;
    }
    drop(sandbox);
    ExitCode::SUCCESS
}
