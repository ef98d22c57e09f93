//! `ahrvo sandbox`: the local sandbox server in the foreground until Ctrl-C.

use ahrvo_sandbox::{Credentials, Sandbox, SandboxError};
use serde::Serialize;

use crate::Context;
use crate::cli::{OutputFormat, SandboxArgs};
use crate::exit::{CliError, CliResult, Status};
use crate::output;

/// What `--output json` prints at start: where the sandbox is and what it accepts.
#[derive(Debug, Serialize)]
struct Started<'a> {
    base_url: &'a str,
    api_key: &'a str,
    access_token: &'a str,
    username: &'a str,
    password: &'a str,
    forbidden_api_key: &'a str,
}

/// The error of a sandbox that could not start: a bad configuration or state file is the user's
/// input (exit 2), a port that cannot be bound is an environment failure (exit 5).
pub fn start_error(e: SandboxError) -> CliError {
    let message = format!("cannot start the sandbox: {e}");
    match e {
        SandboxError::Config(_) | SandboxError::StateFile { .. } => CliError::Usage(message),
        _ => CliError::Other(message),
    }
}

/// Starts the sandbox with the credentials of the global options (or the sandbox defaults),
/// prints its URL and credentials, and serves until Ctrl-C (or SIGTERM).
pub async fn run(ctx: &Context, args: SandboxArgs) -> CliResult {
    let g = &ctx.global;
    let defaults = Credentials::default();
    let pick = |v: &Option<String>, d: &str| v.clone().unwrap_or_else(|| d.to_owned());
    let credentials = Credentials::new(
        pick(&g.api_key, &defaults.api_key),
        pick(&g.access_token, &defaults.access_token),
        pick(&g.username, &defaults.username),
        pick(&g.password, &defaults.password),
    );
    let args = args.server;
    let config = args.to_config().with_credentials(credentials);
    let sandbox = Sandbox::start_with(config).await.map_err(start_error)?;
    let url = sandbox.base_url();
    let c = sandbox.credentials();
    let text = match ctx.format() {
        OutputFormat::Json | OutputFormat::Jsonl => output::json(&Started {
            base_url: url,
            api_key: &c.api_key,
            access_token: &c.access_token,
            username: &c.username,
            password: &c.password,
            forbidden_api_key: sandbox.forbidden_api_key(),
        })?,
        OutputFormat::Table | OutputFormat::Csv => {
            let state = match (&args.state, args.seed) {
                (Some(path), _) => format!(" (state in {})", path.display()),
                (None, true) => " (seeded with the API pages' examples)".to_owned(),
                (None, false) => " (empty)".to_owned(),
            };
            format!(
                "ahrvo sandbox listening on {url}{state}\n\
                 \n\
                 Use it from another terminal:\n\
                 \n  export AHRVO_BASE_URL={url}\
                 \n  export AHRVO_API_KEY={}\
                 \n  export AHRVO_ACCESS_TOKEN={}\
                 \n  export AHRVO_USERNAME={}\
                 \n  export AHRVO_PASSWORD={}\
                 \n  ahrvo budgets list\n\
                 \n\
                 The API key {} is answered 403 on Issuing.\n\
                 Admin API (the sandbox's own, not Ahrvo's): {url}/_sandbox/state\n\
                 Press Ctrl-C to stop.\n",
                c.api_key,
                c.access_token,
                c.username,
                c.password,
                sandbox.forbidden_api_key(),
            )
        }
    };
    output::print(&text)?;
    wait_for_shutdown().await?;
    drop(sandbox);
    Ok(Status::Ok)
}

/// Waits for Ctrl-C (SIGINT) or, on Unix, SIGTERM.
async fn wait_for_shutdown() -> Result<(), CliError> {
    let cannot = |e: std::io::Error| CliError::Other(format!("cannot wait for Ctrl-C: {e}"));
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).map_err(cannot)?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r.map_err(cannot),
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.map_err(cannot)
    }
}
