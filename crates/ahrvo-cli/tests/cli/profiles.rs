//! Profiles through the binary: the config file, `--profile` / `AHRVO_PROFILE`, precedence
//! flag > environment > profile, `*_command` credentials, `ahrvo config list|show|set`, the
//! permission warning.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use ahrvo_sandbox::Sandbox;

use crate::common::{BALANCE, Run, command, run, seeded};

/// A fresh, empty directory for one test.
fn scratch(test: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "ahrvo-cli-profiles-{}-{test}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `text` as `dir/config.toml` with `mode` (unix) and returns its path.
fn config_file(dir: &Path, text: &str, mode: u32) -> PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    set_mode(&path, mode);
    path
}

fn set_mode(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

/// `ahrvo ARGS` with `AHRVO_CONFIG=config` and nothing else from the environment.
fn with_config(config: &Path, args: &[&str]) -> Command {
    let mut cmd = command();
    cmd.env("AHRVO_CONFIG", config).args(args);
    cmd
}

/// A profile named `name` holding the sandbox's URL and every credential.
fn full_profile(name: &str, sandbox: &Sandbox) -> String {
    let c = sandbox.credentials();
    format!(
        "[profiles.{name}]\nbase_url = \"{}\"\napi_key = \"{}\"\naccess_token = \"{}\"\n\
         username = \"{}\"\npassword = \"{}\"\n",
        sandbox.base_url(),
        c.api_key,
        c.access_token,
        c.username,
        c.password
    )
}

/// A profile named `name` with the sandbox's URL and credentials it refuses.
fn wrong_profile(name: &str, sandbox: &Sandbox) -> String {
    format!(
        "[profiles.{name}]\nbase_url = \"{}\"\napi_key = \"wrong-key\"\naccess_token = \
         \"wrong-token\"\nusername = \"wrong-user\"\npassword = \"wrong-password\"\n",
        sandbox.base_url()
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_profile_alone_supplies_the_place_and_both_credential_families() {
    let sandbox = seeded().await;
    let dir = scratch("alone");
    let config = config_file(&dir, &full_profile("default", &sandbox), 0o600);
    run(with_config(&config, &["budgets", "list"]))
        .await
        .expect(0);
    let got = run(with_config(&config, &["balances", "get", BALANCE])).await;
    got.expect(0);
    assert!(got.stdout.contains(BALANCE), "{}", got.stdout);
    assert!(got.stderr.is_empty(), "{}", got.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_environment_beats_the_profile_and_a_flag_beats_the_environment() {
    let sandbox = seeded().await;
    let c = sandbox.credentials();
    let dir = scratch("precedence");
    // The profile's credentials are refused: the run succeeds only if the variables win.
    let wrong = config_file(&dir, &wrong_profile("default", &sandbox), 0o600);
    let mut cmd = with_config(&wrong, &["budgets", "list"]);
    cmd.env("AHRVO_API_KEY", &c.api_key)
        .env("AHRVO_ACCESS_TOKEN", &c.access_token);
    run(cmd).await.expect(0);
    // One variable, the other credential from the profile: each setting on its own.
    let mut cmd = with_config(&wrong, &["budgets", "list"]);
    cmd.env("AHRVO_API_KEY", &c.api_key);
    run(cmd).await.expect(3);

    // The profile is right and the variables wrong: the variables still win (401, exit 3).
    let right_dir = scratch("precedence-right");
    let right = config_file(&right_dir, &full_profile("default", &sandbox), 0o600);
    let mut cmd = with_config(&right, &["budgets", "list"]);
    cmd.env("AHRVO_API_KEY", "wrong-key");
    run(cmd).await.expect(3);
    // A flag beats the variable (and the profile).
    let mut cmd = with_config(&right, &["--api-key", &c.api_key, "budgets", "list"]);
    cmd.env("AHRVO_API_KEY", "wrong-key");
    run(cmd).await.expect(0);
    let mut cmd = with_config(&right, &["--api-key", "wrong-key", "budgets", "list"]);
    cmd.env("AHRVO_API_KEY", &c.api_key);
    run(cmd).await.expect(3);

    // Where to call: AHRVO_BASE_URL beats the profile's environment and base_url (a port
    // nobody listens on), and a flag beats the variable.
    let dead = format!("http://127.0.0.1:{}", free_port());
    let c = sandbox.credentials();
    let place_dir = scratch("precedence-place");
    let place = config_file(
        &place_dir,
        &format!(
            "[profiles.default]\nbase_url = \"{dead}\"\napi_key = \"{}\"\naccess_token = \"{}\"\n",
            c.api_key, c.access_token
        ),
        0o600,
    );
    let mut cmd = with_config(&place, &["budgets", "list"]);
    cmd.env("AHRVO_BASE_URL", sandbox.base_url());
    run(cmd).await.expect(0);
    let cmd = with_config(&place, &["--timeout", "5s", "budgets", "list"]);
    run(cmd).await.expect(5).one_error_line(&dead);
    let mut cmd = with_config(
        &place,
        &["--base-url", sandbox.base_url(), "budgets", "list"],
    );
    cmd.env("AHRVO_BASE_URL", &dead);
    run(cmd).await.expect(0);
    // AHRVO_BASE_URL beats a profile's environment as well as its base_url.
    let env_dir = scratch("precedence-env");
    let env = config_file(
        &env_dir,
        &format!("[profiles.default]\nenvironment = \"staging\"\nbase_url = \"{dead}\"\n"),
        0o600,
    );
    let mut cmd = with_config(&env, &["balances", "get", BALANCE]);
    cmd.env("AHRVO_BASE_URL", sandbox.base_url())
        .env("AHRVO_USERNAME", &c.username)
        .env("AHRVO_PASSWORD", &c.password);
    run(cmd).await.expect(0);
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_profile_flag_beats_ahrvo_profile_and_the_default_is_documented() {
    let sandbox = seeded().await;
    let dir = scratch("select");
    let text = format!(
        "{}\n{}",
        full_profile("good", &sandbox),
        wrong_profile("bad", &sandbox)
    );
    let config = config_file(&dir, &text, 0o600);
    let mut cmd = with_config(&config, &["--profile", "good", "budgets", "list"]);
    cmd.env("AHRVO_PROFILE", "bad");
    run(cmd).await.expect(0);
    let mut cmd = with_config(&config, &["--profile", "bad", "budgets", "list"]);
    cmd.env("AHRVO_PROFILE", "good");
    run(cmd).await.expect(3);
    let mut cmd = with_config(&config, &["budgets", "list"]);
    cmd.env("AHRVO_PROFILE", "good");
    run(cmd).await.expect(0);
    // No profile named, no default_profile, no profile called "default": none is used.
    let mut cmd = with_config(&config, &["budgets", "list"]);
    cmd.env("AHRVO_BASE_URL", sandbox.base_url());
    run(cmd).await.expect(2).one_error_line("AHRVO_API_KEY");
    // default_profile picks one.
    let dir = scratch("select-default");
    let config = config_file(&dir, &format!("default_profile = \"good\"\n{text}"), 0o600);
    run(with_config(&config, &["budgets", "list"]))
        .await
        .expect(0);
    let listed = run(with_config(&config, &["config", "list"])).await;
    listed.expect(0);
    let active: Vec<&str> = listed
        .stdout
        .lines()
        .filter(|l| l.trim_end().ends_with('*'))
        .collect();
    assert_eq!(active.len(), 1, "{}", listed.stdout);
    assert!(active[0].starts_with("good"), "{}", listed.stdout);
    let listed = run(with_config(
        &config,
        &["--profile", "bad", "config", "list", "-o", "json"],
    ))
    .await;
    listed.expect(0);
    assert_eq!(
        listed.json(),
        serde_json::json!([{"name": "bad", "active": true}, {"name": "good", "active": false}])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_profile_is_a_usage_error_naming_the_known_ones() {
    let sandbox = seeded().await;
    let dir = scratch("unknown");
    let text = format!(
        "{}\n{}",
        full_profile("good", &sandbox),
        wrong_profile("bad", &sandbox)
    );
    let config = config_file(&dir, &text, 0o600);
    for args in [
        &["--profile", "nope", "budgets", "list"][..],
        &["--profile", "nope", "config", "list"],
        &["config", "show", "nope"],
    ] {
        let got = run(with_config(&config, args)).await;
        got.expect(2)
            .one_error_line("no profile \"nope\"")
            .one_error_line("known profiles: bad, good");
    }
    let mut cmd = with_config(&config, &["budgets", "list"]);
    cmd.env("AHRVO_PROFILE", "nope");
    run(cmd).await.expect(2).one_error_line("nope");
    let missing = dir.join("missing.toml");
    run(with_config(
        &missing,
        &["--profile", "good", "budgets", "list"],
    ))
    .await
    .expect(2)
    .one_error_line("the file does not exist");
    // default_profile naming a profile the file lacks.
    let bad_default = config_file(
        &scratch("unknown-default"),
        "default_profile = \"gone\"\n",
        0o600,
    );
    run(with_config(&bad_default, &["budgets", "list"]))
        .await
        .expect(2)
        .one_error_line("gone");
}

/// Asserts that none of `secrets` is in either stream.
#[track_caller]
fn no_secret(got: &Run, secrets: &[&str]) {
    for secret in secrets {
        assert!(
            !got.stdout.contains(secret) && !got.stderr.contains(secret),
            "{secret:?} printed:\n--- stdout\n{}\n--- stderr\n{}",
            got.stdout,
            got.stderr
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn config_show_never_prints_a_secret() {
    let dir = scratch("show");
    let key = "sk_live_0123456789abcdefWXYZ";
    let token = "tok-short-1";
    let password = "hunter2-password-9876";
    let text = format!(
        "[profiles.work]\nbase_url = \"https://proxy.example.com\"\napi_key = \"{key}\"\n\
         access_token = \"{token}\"\nusername = \"ops\"\npassword = \"{password}\"\n"
    );
    let config = config_file(&dir, &text, 0o600);
    let secrets = [key, token, password];
    let shown = run(with_config(&config, &["config", "show", "work"])).await;
    shown.expect(0);
    no_secret(&shown, &secrets);
    for needle in [
        "https://proxy.example.com",
        "ops",
        "****WXYZ",
        "****9876",
        "access_token",
    ] {
        assert!(shown.stdout.contains(needle), "{needle}:\n{}", shown.stdout);
    }
    for format in ["json", "csv", "table"] {
        let got = run(with_config(
            &config,
            &["--profile", "work", "config", "show", "-o", format],
        ))
        .await;
        got.expect(0);
        no_secret(&got, &secrets);
    }
    let json = run(with_config(
        &config,
        &["config", "show", "work", "-o", "json"],
    ))
    .await;
    let v = json.json();
    assert_eq!(v["profile"], "work");
    assert_eq!(v["settings"]["access_token"], "****");
    assert_eq!(v["settings"]["username"], "ops");
    // A malformed file's error quotes no line of it.
    let broken = config_file(
        &scratch("show-broken"),
        &format!("[profiles.work]\napi_key = \"{key}\nusername = 5\n"),
        0o600,
    );
    let got = run(with_config(&broken, &["config", "show", "work"])).await;
    got.expect(2).one_error_line("not valid TOML");
    no_secret(&got, &secrets);
    // A value of the wrong type is named by its key, not shown.
    let typed = config_file(
        &scratch("show-typed"),
        &format!("[profiles.work]\napi_key = [\"{key}\"]\n"),
        0o600,
    );
    let got = run(with_config(&typed, &["config", "list"])).await;
    got.expect(2).one_error_line("api_key must be a string");
    no_secret(&got, &secrets);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_file_others_can_read_gets_a_warning_on_every_command_that_reads_it() {
    let sandbox = seeded().await;
    let dir = scratch("mode");
    let config = config_file(&dir, &full_profile("default", &sandbox), 0o644);
    for args in [
        &["budgets", "list"][..],
        &["config", "list"],
        &["config", "show"],
    ] {
        let got = run(with_config(&config, args)).await;
        got.expect(0);
        let warnings: Vec<&str> = got
            .stderr
            .lines()
            .filter(|l| l.starts_with("warning:"))
            .collect();
        assert_eq!(warnings.len(), 1, "{args:?}: {}", got.stderr);
        assert!(
            warnings[0].contains("mode 0644") && warnings[0].contains("chmod 600"),
            "{}",
            got.stderr
        );
    }
    set_mode(&config, 0o600);
    for args in [&["budgets", "list"][..], &["config", "list"]] {
        let got = run(with_config(&config, args)).await;
        got.expect(0);
        assert!(!got.stderr.contains("warning"), "{args:?}: {}", got.stderr);
    }
    // A command that does not read the file says nothing about it.
    set_mode(&config, 0o644);
    let got = run(with_config(&config, &["completions", "bash"])).await;
    got.expect(0);
    assert!(!got.stderr.contains("warning"), "{}", got.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn config_set_then_show_round_trips_and_keeps_the_files_comments() {
    let sandbox = seeded().await;
    let c = sandbox.credentials();
    let dir = scratch("set");
    // Created, with the directories leading to it.
    let config = dir.join("nested").join("config.toml");
    let set = |args: &[&str]| {
        let mut all = vec!["config", "set"];
        all.extend_from_slice(args);
        with_config(&config, &all)
    };
    run(set(&["base_url", sandbox.base_url()])).await.expect(0);
    run(set(&["api_key", &c.api_key])).await.expect(0);
    // `-` reads the value from stdin: the secret stays out of the argument list.
    let mut cmd = set(&["access_token", "-"]);
    cmd.stdin(std::process::Stdio::piped());
    let token = c.access_token.clone();
    let got = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut child = cmd
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{token}").unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    assert!(got.status.success(), "{got:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&config).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{mode:o}");
    }
    // The profile set is "default": used with no name, shown with no name.
    run(with_config(&config, &["budgets", "list"]))
        .await
        .expect(0);
    let shown = run(with_config(&config, &["config", "show", "-o", "json"])).await;
    shown.expect(0);
    no_secret(&shown, &[&c.api_key, &c.access_token]);
    let v = shown.json();
    assert_eq!(v["profile"], "default");
    assert_eq!(v["settings"]["base_url"], sandbox.base_url());
    assert!(
        v["settings"]["api_key"]
            .as_str()
            .unwrap()
            .starts_with("****"),
        "{v}"
    );
    // Another profile, by --profile; comments and other keys stay as written.
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.insert_str(0, "# my profiles\n");
    std::fs::write(&config, &text).unwrap();
    run(set(&["--profile", "ops", "username", "ops-user"]))
        .await
        .expect(0);
    run(set(&["--profile", "ops", "environment", "staging"]))
        .await
        .expect(0);
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.starts_with("# my profiles\n"), "{text}");
    assert!(text.contains("[profiles.ops]"), "{text}");
    let shown = run(with_config(&config, &["config", "show", "ops"])).await;
    shown.expect(0);
    assert!(shown.stdout.contains("ops-user") && shown.stdout.contains("staging"));
    // default_profile switches the profile used.
    run(set(&["default_profile", "ops"])).await.expect(0);
    let listed = run(with_config(&config, &["config", "list"])).await;
    assert!(
        listed
            .stdout
            .lines()
            .any(|l| l.starts_with("ops") && l.trim_end().ends_with('*')),
        "{}",
        listed.stdout
    );
    // Setting a key drops its _command counterpart, and back.
    run(set(&["--profile", "ops", "password_command", "echo pw"]))
        .await
        .expect(0);
    let got = run(set(&["--profile", "ops", "password", "pw"])).await;
    got.expect(0);
    assert!(
        got.stderr.contains("removed password_command"),
        "{}",
        got.stderr
    );
    assert!(
        !std::fs::read_to_string(&config)
            .unwrap()
            .contains("password_command")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn config_set_refuses_unknown_keys_and_bad_values() {
    let dir = scratch("set-bad");
    let config = dir.join("config.toml");
    let got = run(with_config(&config, &["config", "set", "api-key", "x"])).await;
    got.expect(2);
    for known in [
        "api_key",
        "access_token_command",
        "base_url",
        "default_profile",
    ] {
        assert!(got.stderr.contains(known), "{known}: {}", got.stderr);
    }
    for (key, value, needle) in [
        ("environment", "prod-eu", "production or staging"),
        ("base_url", "not a url", "base_url"),
        ("default_profile", "none-yet", "no profile"),
    ] {
        let got = run(with_config(&config, &["config", "set", key, value])).await;
        got.expect(2).one_error_line(needle);
    }
    let got = run(with_config(
        &config,
        &["--profile", "a b", "config", "set", "username", "u"],
    ))
    .await;
    got.expect(2).one_error_line("profile name");
    assert!(!config.exists(), "nothing written on a refused set");
    // A key the file itself has but this CLI does not know is named, with the known ones.
    let typo = config_file(&dir, "[profiles.work]\napi_kye = \"x\"\n", 0o600);
    run(with_config(&typo, &["config", "list"]))
        .await
        .expect(2)
        .one_error_line("unknown key \"api_kye\" (known keys: environment, base_url, api_key");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_command_credential_is_used_for_a_real_request() {
    let sandbox = seeded().await;
    let c = sandbox.credentials();
    let dir = scratch("command");
    // Files hold the secrets (the commands are shown by `config show`, what they print never).
    let secret_file = dir.join("key");
    std::fs::write(&secret_file, format!("  {}\n", c.api_key)).unwrap();
    let password_file = dir.join("password");
    std::fs::write(&password_file, &c.password).unwrap();
    let marker = dir.join("ran");
    let text = format!(
        "[profiles.default]\nbase_url = \"{}\"\napi_key_command = \"cat '{}'\"\n\
         access_token_command = \"touch '{}' && printf %s '{}'\"\n\
         username = \"{}\"\npassword_command = \"cat '{}'\"\n",
        sandbox.base_url(),
        secret_file.display(),
        marker.display(),
        c.access_token,
        c.username,
        password_file.display(),
    );
    let config = config_file(&dir, &text, 0o600);
    run(with_config(&config, &["budgets", "list"]))
        .await
        .expect(0);
    assert!(marker.exists(), "access_token_command ran");
    run(with_config(&config, &["balances", "get", BALANCE]))
        .await
        .expect(0);
    // A credential given by the environment does not run its command.
    std::fs::remove_file(&marker).unwrap();
    let mut cmd = with_config(&config, &["budgets", "list"]);
    cmd.env("AHRVO_ACCESS_TOKEN", &c.access_token);
    run(cmd).await.expect(0);
    assert!(!marker.exists(), "access_token_command must not run");
    // `config show` shows the command, never what it prints.
    let shown = run(with_config(&config, &["config", "show"])).await;
    shown.expect(0);
    no_secret(&shown, &[&c.api_key, &c.password]);
    assert!(shown.stdout.contains("api_key_command"), "{}", shown.stdout);

    // A failing command, or one that prints nothing, is a usage error naming the key.
    for (command, needle) in [
        ("echo leaked-secret-42; exit 3", "api_key_command failed"),
        ("true", "api_key_command printed nothing"),
    ] {
        let dir = scratch("command-fails");
        let config = config_file(
            &dir,
            &format!(
                "[profiles.default]\nbase_url = \"{}\"\napi_key_command = \"{command}\"\n\
                 access_token = \"t\"\n",
                sandbox.base_url()
            ),
            0o600,
        );
        let got = run(with_config(&config, &["budgets", "list"])).await;
        got.expect(2)
            .one_error_line(needle)
            .one_error_line("profile \"default\"");
        no_secret(&got, &["leaked-secret-42"]);
    }
    // Both a key and its command: ambiguous, refused.
    let both = config_file(
        &scratch("command-both"),
        "[profiles.default]\napi_key = \"k\"\napi_key_command = \"echo k\"\n",
        0o600,
    );
    run(with_config(&both, &["budgets", "list"]))
        .await
        .expect(2)
        .one_error_line("sets both api_key and api_key_command");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn the_platform_directory_is_read_without_ahrvo_config() {
    if cfg!(target_os = "macos") {
        return; // ~/Library/Application Support: HOME, not XDG_CONFIG_HOME
    }
    let sandbox = seeded().await;
    let xdg = scratch("xdg");
    std::fs::create_dir_all(xdg.join("ahrvo")).unwrap();
    config_file(
        &xdg.join("ahrvo"),
        &full_profile("default", &sandbox),
        0o600,
    );
    let mut cmd = command();
    cmd.env_remove("AHRVO_CONFIG")
        .env("XDG_CONFIG_HOME", &xdg)
        .args(["budgets", "list"]);
    run(cmd).await.expect(0);
    let mut cmd = command();
    cmd.env_remove("AHRVO_CONFIG")
        .env("XDG_CONFIG_HOME", &xdg)
        .args(["config", "path"]);
    let got = run(cmd).await;
    got.expect(0);
    assert_eq!(
        got.stdout.trim(),
        xdg.join("ahrvo").join("config.toml").display().to_string()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn no_config_file_changes_nothing_and_demo_never_reads_one() {
    let sandbox = seeded().await;
    let broken = config_file(&scratch("broken"), "this is = = not toml\n", 0o600);
    // `--base-url` and the variables as before, and not a word about the missing file...
    let c = sandbox.credentials();
    let mut cmd = with_config(
        &scratch("none").join("absent.toml"),
        &["--base-url", sandbox.base_url(), "budgets", "list"],
    );
    cmd.env("AHRVO_API_KEY", &c.api_key)
        .env("AHRVO_ACCESS_TOKEN", &c.access_token);
    let got = run(cmd).await;
    got.expect(0);
    assert!(got.stderr.is_empty(), "{}", got.stderr);
    // ...and `demo` does not read it at all.
    let got = run(with_config(&broken, &["demo"])).await;
    got.expect(0);
    assert!(got.stderr.is_empty(), "{}", got.stderr);
}
