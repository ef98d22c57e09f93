//! `ahrvo-sandbox`: runs the sandbox server until Ctrl-C.

use std::process::ExitCode;
use std::time::Duration;

use ahrvo_sandbox::{FaultConfig, Sandbox, SandboxConfig};

const USAGE: &str = "\
ahrvo-sandbox: a stateful local Ahrvo Network API server

USAGE:
    ahrvo-sandbox [OPTIONS]

OPTIONS:
    --port <P>          TCP port on 127.0.0.1 (default 0: a free port, printed at start)
    --seed              start from the documentation pages' example objects
    --state <FILE>      load the state from FILE (if it exists) and save it there after
                        every change
    --latency-ms <N>    add N milliseconds to every API request
    --fault-rate <F>    inject a fault (500, 503, 429, dropped connection, truncated
                        body) into this fraction of API requests, 0 to 1
    -h, --help          print this help

Credentials come from AHRVO_API_KEY, AHRVO_ACCESS_TOKEN, AHRVO_USERNAME and
AHRVO_PASSWORD (defaults: sandbox-api-key, sandbox-access-token, sandbox,
sandbox-password). The admin API (not part of Ahrvo's) is under /_sandbox/;
see docs/sandbox.md.
";

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Option<SandboxConfig>, String> {
    let mut config = SandboxConfig::from_env();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--seed" => config = config.with_seed(true),
            "--port" => {
                let v = value("--port")?;
                let port = v.parse().map_err(|_| format!("invalid --port {v:?}"))?;
                config = config.with_port(port);
            }
            "--state" => config = config.with_state_file(value("--state")?),
            "--latency-ms" => {
                let v = value("--latency-ms")?;
                let ms: u64 = v
                    .parse()
                    .map_err(|_| format!("invalid --latency-ms {v:?}"))?;
                config = config.with_latency(Duration::from_millis(ms));
            }
            "--fault-rate" => {
                let v = value("--fault-rate")?;
                let rate: f64 = v
                    .parse()
                    .ok()
                    .filter(|r: &f64| (0.0..=1.0).contains(r))
                    .ok_or_else(|| {
                        format!("--fault-rate must be a number from 0 to 1, got {v:?}")
                    })?;
                config = config.with_faults(FaultConfig::with_rate(rate));
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Some(config))
}

#[tokio::main]
async fn main() -> ExitCode {
    let config = match parse_args(std::env::args().skip(1)) {
        Ok(Some(config)) => config,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("ahrvo-sandbox: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
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
