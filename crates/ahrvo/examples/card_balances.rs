//! Query many Dedicated Funds Card balances from a file with the SDK.
//!
//! ```text
//! cargo run --release --example card_balances -- [--base-url URL] [--concurrency N] FILE
//! ```
//!
//! FILE (`-` for stdin) holds one card id per line; blank lines and `#` comments are skipped. The
//! configuration comes from the environment as with [`ahrvo::Config::from_env`]
//! (`AHRVO_API_KEY` and `AHRVO_ACCESS_TOKEN` for Issuing, `AHRVO_ENVIRONMENT` or
//! `AHRVO_BASE_URL`); `--base-url` overrides the environment, e.g. a local
//! `ahrvo-sandbox` with its default credentials:
//!
//! ```text
//! cargo run -p ahrvo-sandbox -- --seed &
//! AHRVO_API_KEY=sandbox-api-key AHRVO_ACCESS_TOKEN=sandbox-access-token \
//!     cargo run --example card_balances -- --base-url http://127.0.0.1:PORT ids.txt
//! ```
//!
//! All cards are queried through one `get_card_balances` stream, 64 requests at a time by
//! default, and each is printed as soon as it and those before it have arrived, in the file's
//! order: `card_id <TAB> card_number <TAB> available_balance`, or
//! `card_id <TAB> error <TAB> kind <TAB> message` for a card that failed (unknown, Shared
//! Funds, a timeout after the retries); one failure never stops the others. A summary goes to
//! stderr; the exit code is 0 when every card was read, 1 when any failed, 2 for a usage or
//! configuration error. `cargo xtask bench --bench cli` runs this example beside the `ahrvo`
//! binary (rows 7b and 7f of docs/performance.md).

use std::io::{self, BufWriter, ErrorKind as IoErrorKind, Write};
use std::process::ExitCode;
use std::time::Instant;

use ahrvo::issuing::CardBatchOptions;
use ahrvo::{Client, Config, Environment};

const USAGE: &str = "usage: card_balances [--base-url URL] [--concurrency N] FILE";

/// The parsed command line.
struct Args {
    base_url: Option<String>,
    concurrency: usize,
    file: String,
}

/// The arguments, or `None` for `--help`.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let (mut base_url, mut concurrency, mut file) = (None, 64, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--base-url" => base_url = Some(args.next().ok_or("--base-url needs a URL")?),
            "--concurrency" => {
                let n = args.next().ok_or("--concurrency needs a number")?;
                concurrency = match n.parse() {
                    Ok(n @ 1..=1024) => n,
                    _ => return Err(format!("--concurrency {n:?}: a number from 1 to 1024")),
                };
            }
            "-h" | "--help" => return Ok(None),
            other if other.starts_with('-') && other != "-" => {
                return Err(format!("unknown option {other:?}"));
            }
            _ if file.is_some() => return Err("only one FILE".into()),
            _ => file = Some(arg),
        }
    }
    let file = file.ok_or("no FILE of card ids given")?;
    Ok(Some(Args {
        base_url,
        concurrency,
        file,
    }))
}

/// The card ids of a file's text: one a line, trimmed, blank lines and `#` comments skipped.
fn card_ids(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("error: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args).await {
        Ok((_, 0)) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// Queries every card of the file; `(ok, failed)`.
async fn run(args: &Args) -> Result<(usize, usize), String> {
    let text = if args.file == "-" {
        io::read_to_string(io::stdin())
    } else {
        std::fs::read_to_string(&args.file)
    }
    .map_err(|e| format!("{}: {e}", args.file))?;
    let ids = card_ids(&text);
    let mut config = Config::from_env().map_err(|e| e.to_string())?;
    if let Some(url) = &args.base_url {
        config = config.with_environment(Environment::custom(url).map_err(|e| e.to_string())?);
    }
    let client = Client::new(config).map_err(|e| e.to_string())?;
    let issuing = client.issuing().map_err(|e| e.to_string())?;

    let start = Instant::now();
    let options = CardBatchOptions::default().with_concurrency(args.concurrency);
    let mut balances = issuing.get_card_balances(ids, options);
    // One buffered writer: a line per card without a write call per line.
    let mut out = BufWriter::new(io::stdout().lock());
    let (mut ok, mut failed) = (0, 0);
    while let Some(card) = balances.next().await {
        let written = match &card.result {
            Ok(balance) => {
                ok += 1;
                writeln!(
                    out,
                    "{}\t{}\t{}",
                    card.card_id, balance.card_number, balance.available_balance
                )
            }
            Err(e) => {
                failed += 1;
                writeln!(out, "{}\terror\t{}\t{e}", card.card_id, e.kind())
            }
        };
        match written {
            Ok(()) => {}
            // Piped into `head`: the reader has what it wanted.
            Err(e) if e.kind() == IoErrorKind::BrokenPipe => return Ok((ok, failed)),
            Err(e) => return Err(format!("writing the results: {e}")),
        }
    }
    match out.flush() {
        Err(e) if e.kind() != IoErrorKind::BrokenPipe => {
            return Err(format!("writing the results: {e}"));
        }
        _ => {}
    }
    eprintln!(
        "summary: {ok} ok, {failed} failed, in {} ms",
        start.elapsed().as_millis()
    );
    Ok((ok, failed))
}
