//! Row 5, the build cost: clean debug builds of a binary using the SDK and of one using only
//! reqwest, tokio and serde_json, each in a fresh temporary target dir.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use super::{Row, cargo, ratio_permille};

/// The build-cost target: SDK clean build time at most 1.3 times the baseline's.
const BUILD_COST_TARGET_PERMILLE: u128 = 1_300;

/// The SDK side: a binary that lists budget balances.
fn sdk_project(root: &Path) -> (String, &'static str) {
    let manifest = format!(
        r#"[package]
name = "cost-sdk"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
ahrvo-issuing = {{ path = "{}" }}
tokio = {{ version = "1", features = ["rt-multi-thread", "macros"] }}

[workspace]
"#,
        root.join("crates/ahrvo-issuing").display()
    );
    let main = r#"use ahrvo_issuing::{ClientConfig, Environment, IssuingClient, IssuingCredentials};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = IssuingClient::new(
        &ClientConfig::new(Environment::Staging),
        IssuingCredentials::new("key", "token"),
    )?;
    for budget in client.list_budget_balances().await? {
        println!("{} {} {}", budget.budget_name, budget.currency, budget.balance);
    }
    Ok(())
}
"#;
    (manifest, main)
}

/// The baseline: the same call by hand with reqwest (default features), tokio, serde_json.
fn baseline_project() -> (String, &'static str) {
    let manifest = r#"[package]
name = "cost-baseline"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
reqwest = "0.13"
serde_json = "1"
tokio = { version = "1", features = ["rt-multi-thread", "macros"] }

[workspace]
"#
    .to_owned();
    let main = r#"#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let body = reqwest::Client::new()
        .get("https://staging.example/card/issuance/api/issuing/budget/v2/balance/all")
        .header("x-api-key", "key")
        .bearer_auth("token")
        .send()
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    let reply: serde_json::Value = serde_json::from_slice(&body)?;
    for budget in reply["data"].as_array().into_iter().flatten() {
        println!("{} {} {}", budget["budget_name"], budget["currency"], budget["balance"]);
    }
    Ok(())
}
"#;
    (manifest, main)
}

/// A measured clean build.
#[derive(Debug)]
struct Build {
    took: Duration,
    /// Packages compiled, the project itself excluded.
    crates: usize,
}

/// The number of `Compiling` lines of cargo's output, the project itself excluded.
pub fn count_compiled(stderr: &str, project: &str) -> usize {
    stderr
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("Compiling "))
        .filter(|rest| rest.split_whitespace().next() != Some(project))
        .count()
}

/// Writes the project, fetches its dependencies (not timed), then times a clean `cargo build`
/// into its own target dir.
fn clean_build(
    dir: &Path,
    name: &str,
    manifest: &str,
    main: &str,
    lock: Option<&Path>,
) -> Result<Build, String> {
    let io = |e: std::io::Error| format!("{}: {e}", dir.display());
    fs::create_dir_all(dir.join("src")).map_err(io)?;
    fs::write(dir.join("Cargo.toml"), manifest).map_err(io)?;
    fs::write(dir.join("src/main.rs"), main).map_err(io)?;
    if let Some(lock) = lock {
        // The workspace's versions where they apply, so both sides build what the SDK pins.
        fs::copy(lock, dir.join("Cargo.lock")).map_err(io)?;
    }
    let target = dir.join("target");
    let _ = fs::remove_dir_all(&target);
    let status = cargo()
        .current_dir(dir)
        .arg("fetch")
        .status()
        .map_err(|e| format!("cargo fetch: {e}"))?;
    if !status.success() {
        return Err(format!("cargo fetch failed in {}", dir.display()));
    }
    eprintln!("building {name} from clean ({})...", target.display());
    let start = Instant::now();
    let output = cargo()
        .current_dir(dir)
        .args(["build", "--color", "never"])
        .env("CARGO_TARGET_DIR", &target)
        .env("CARGO_INCREMENTAL", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cargo build: {e}"))?;
    let took = start.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!("cargo build of {name} failed:\n{stderr}"));
    }
    let crates = count_compiled(&stderr, name);
    eprintln!(
        "{name}: {:.1} s, {crates} crates compiled",
        took.as_secs_f64()
    );
    let _ = fs::remove_dir_all(&target);
    Ok(Build { took, crates })
}

pub(super) fn build_cost(root: &Path) -> Result<Vec<Row>, String> {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("ahrvo-build-cost-{}", std::process::id()));
    let lock = root.join("Cargo.lock");
    let lock = lock.exists().then_some(lock.as_path());
    let (base_manifest, base_main) = baseline_project();
    let (sdk_manifest, sdk_main) = sdk_project(root);
    // Baseline first, then the SDK: the OS file cache warms for both alike after the fetches.
    let base = clean_build(
        &dir.join("baseline"),
        "cost-baseline",
        &base_manifest,
        base_main,
        lock,
    );
    let sdk = base.and_then(|base| {
        clean_build(&dir.join("sdk"), "cost-sdk", &sdk_manifest, sdk_main, lock).map(|s| (s, base))
    });
    let _ = fs::remove_dir_all(&dir);
    let (sdk, base) = sdk?;
    let (permille, ratio) = ratio_permille(sdk.took.as_millis(), base.took.as_millis());
    let (_, crates_ratio) = ratio_permille(sdk.crates as u128, base.crates as u128);
    Ok(vec![
        Row {
            id: "5a".into(),
            name: "clean debug build time".into(),
            sdk: format!("{:.1} s", sdk.took.as_secs_f64()),
            baseline: format!("{:.1} s", base.took.as_secs_f64()),
            ratio,
            target: "<= 1.30".into(),
            result: if permille <= BUILD_COST_TARGET_PERMILLE {
                "pass".into()
            } else {
                "FAIL".into()
            },
        },
        Row {
            id: "5b".into(),
            name: "crates compiled".into(),
            sdk: sdk.crates.to_string(),
            baseline: base.crates.to_string(),
            ratio: crates_ratio,
            target: "(info)".into(),
            result: "info".into(),
        },
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiling_lines_are_counted_without_the_project() {
        let stderr = "   Compiling libc v0.2.1\n   Compiling cost-sdk v0.0.0 (/tmp/x)\n\
                      warning: x\n   Compiling ahrvo-types v0.1.0 (/w)\n    Finished `dev`";
        assert_eq!(count_compiled(stderr, "cost-sdk"), 2);
    }
}
