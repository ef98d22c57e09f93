//! `ahrvo completions SHELL` and the man page.

use crate::common::ahrvo_bare;

/// Every visible top-level command: a script that completes them names them all.
const COMMANDS: &[&str] = &[
    "budgets",
    "cards",
    "reconcile",
    "balances",
    "balance-entries",
    "watch",
    "sandbox",
    "demo",
    "config",
    "completions",
];

#[tokio::test(flavor = "multi_thread")]
async fn each_shell_gets_a_script_naming_every_command() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let got = ahrvo_bare(["completions", shell]).await;
        got.expect(0);
        assert!(got.stderr.is_empty(), "{shell}: {}", got.stderr);
        assert!(got.stdout.len() > 1000, "{shell}: {}", got.stdout);
        for command in COMMANDS {
            assert!(got.stdout.contains(command), "{shell}: {command} missing");
        }
        // Options and the nested commands too.
        for needle in ["check-funds", "--base-url", "--profile"] {
            assert!(got.stdout.contains(needle), "{shell}: {needle} missing");
        }
        // The hidden man page command is not offered.
        assert!(!got.stdout.contains("roff"), "{shell}");
    }
    ahrvo_bare(["completions", "tcsh"]).await.expect(2);
    ahrvo_bare(["completions"]).await.expect(2);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_bash_script_parses() {
    let got = ahrvo_bare(["completions", "bash"]).await;
    got.expect(0);
    let Ok(bash) = which("bash") else {
        eprintln!("skipped: no bash on PATH");
        return;
    };
    let dir = std::env::temp_dir().join(format!("ahrvo-cli-completions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("ahrvo.bash");
    std::fs::write(&script, &got.stdout).unwrap();
    let status = std::process::Command::new(bash)
        .arg("-n")
        .arg(&script)
        .status()
        .unwrap();
    assert!(status.success(), "bash -n {}", script.display());
    // And sourcing it registers the completion function.
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source '{}' && complete -p ahrvo",
            script.display()
        ))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("ahrvo"));
}

fn which(program: &str) -> Result<std::path::PathBuf, ()> {
    let path = std::env::var_os("PATH").ok_or(())?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
        .ok_or(())
}
