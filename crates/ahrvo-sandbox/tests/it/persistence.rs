//! The state file: kept across restarts, written atomically, never silently reset.

use ahrvo_sandbox::{CardKind, NewBalance, NewBalanceEntry, Sandbox, SandboxConfig, SandboxError};

use crate::common::*;

fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn state_survives_a_restart() {
    let dir = temp_dir("restart");
    let file = dir.join("state.json");
    let config = SandboxConfig::default().with_state_file(&file);

    let sb = Sandbox::start_with(config.clone()).await.unwrap();
    assert!(file.exists(), "the state file is created at start");
    let created = issuing_post(&sb, CREATE, r#"{"budget_name": "Kept"}"#, Issuing::Good).await;
    assert_eq!(created.status, 200);
    let budget = created.body["data"]["budget_id"]
        .as_str()
        .unwrap()
        .to_owned();
    sb.fund_budget(&budget, "42.10").unwrap();
    let card = sb.create_card(&budget, CardKind::Dedicated).unwrap();
    sb.top_up_card(&card, "2.10").unwrap();
    let balance = sb
        .create_balance(NewBalance::new().with_available_amount(500))
        .unwrap();
    let entry = sb
        .post_balance_entry(&balance, NewBalanceEntry::new("BALANCE_TOP_UP_ACH", 300))
        .unwrap();
    let state = sb.state();
    drop(sb);

    let sb = Sandbox::start_with(config.clone()).await.unwrap();
    assert_eq!(sb.state(), state);
    let list = issuing_get(&sb, LIST, Issuing::Good).await;
    assert_eq!(list.body["data"][0]["balance"], "40.00");
    let card_reply = issuing_get(&sb, &format!("{CARD}?card_id={card}"), Issuing::Good).await;
    assert_eq!(card_reply.body["data"]["available_balance"], "2.10");
    // The pending entry can still be settled after the restart.
    sb.settle_balance_entry(&entry).unwrap();
    let b = payments_get(
        &sb,
        &format!("/payments/na/balances/{balance}"),
        Payments::Good,
    )
    .await;
    assert_eq!(b.body["available_amount"], 800);
    // A duplicate name is still a conflict after the restart.
    let duplicate = issuing_post(&sb, CREATE, r#"{"budget_name": "Kept"}"#, Issuing::Good).await;
    assert_eq!(duplicate.status, 409);
    drop(sb);

    assert_eq!(
        files_in(&dir),
        vec!["state.json".to_owned()],
        "temp files left behind"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn an_existing_state_file_wins_over_seed() {
    let dir = temp_dir("seed");
    let file = dir.join("state.json");
    let sb = Sandbox::start_with(SandboxConfig::default().with_state_file(&file))
        .await
        .unwrap();
    drop(sb);
    let sb = Sandbox::start_with(
        SandboxConfig::default()
            .with_seed(true)
            .with_state_file(&file),
    )
    .await
    .unwrap();
    assert_eq!(issuing_get(&sb, LIST, Issuing::Good).await.status, 404);
    drop(sb);
    // A new file with seed starts seeded and saves that.
    let seeded_file = dir.join("seeded.json");
    let sb = Sandbox::start_with(
        SandboxConfig::default()
            .with_seed(true)
            .with_state_file(&seeded_file),
    )
    .await
    .unwrap();
    drop(sb);
    let sb = Sandbox::start_with(SandboxConfig::default().with_state_file(&seeded_file))
        .await
        .unwrap();
    assert_eq!(issuing_get(&sb, LIST, Issuing::Good).await.status, 200);
    drop(sb);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_bad_state_file_is_a_start_error_and_is_left_alone() {
    let dir = temp_dir("corrupt");
    let valid = {
        let file = dir.join("valid.json");
        let sb = Sandbox::start_with(
            SandboxConfig::default()
                .with_seed(true)
                .with_state_file(&file),
        )
        .await
        .unwrap();
        drop(sb);
        std::fs::read_to_string(&file).unwrap()
    };
    let truncated = &valid[..valid.len() / 2];
    let negative = valid.replacen("\"45250.75\"", "\"-45250.75\"", 1);
    let overdrawn = valid.replacen(
        "\"available_amount\": 1250000",
        "\"available_amount\": -1",
        1,
    );
    let unknown_field = valid.replacen("\"version\"", "\"surprise\": 1, \"version\"", 1);
    let duplicate = valid.replacen("Engineering Team Budget", "Marketing Department Budget", 1);
    assert_ne!(overdrawn, valid);
    for (name, contents) in [
        ("empty", ""),
        ("garbage", "not json at all"),
        ("truncated", truncated),
        ("negative", negative.as_str()),
        ("overdrawn", overdrawn.as_str()),
        ("unknown-field", unknown_field.as_str()),
        ("duplicate-name", duplicate.as_str()),
        ("wrong-shape", "[1, 2, 3]"),
    ] {
        let file = dir.join(format!("{name}.json"));
        std::fs::write(&file, contents).unwrap();
        let error = Sandbox::start_with(SandboxConfig::default().with_state_file(&file))
            .await
            .expect_err(name);
        assert!(
            matches!(error, SandboxError::StateFile { .. }),
            "{name}: {error:?}"
        );
        assert!(
            error.to_string().contains(&*file.to_string_lossy()),
            "{error}"
        );
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            contents,
            "{name} was modified"
        );
    }
    // A state file in a missing directory cannot be created: also a start error.
    let error = Sandbox::start_with(
        SandboxConfig::default().with_state_file(dir.join("missing/state.json")),
    )
    .await
    .unwrap_err();
    assert!(matches!(error, SandboxError::StateFile { .. }), "{error:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_mutations_are_all_persisted_without_temp_files() {
    let dir = temp_dir("concurrent");
    let file = dir.join("state.json");
    let config = SandboxConfig::default().with_state_file(&file);
    let sb = Sandbox::start_with(config.clone()).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..16 {
        let url = format!("{}{CREATE}", sb.base_url());
        let c = sb.credentials().clone();
        tasks.push(tokio::spawn(async move {
            send(
                client()
                    .post(url)
                    .bearer_auth(&c.access_token)
                    .header("x-api-key", &c.api_key)
                    .header("Content-Type", "application/json")
                    .body(format!(r#"{{"budget_name": "B{i}"}}"#)),
            )
            .await
            .status
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 200);
    }
    let state = sb.state();
    drop(sb);
    let on_disk: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(on_disk, state);
    assert_eq!(on_disk["budgets"].as_array().unwrap().len(), 16);
    assert_eq!(files_in(&dir), vec!["state.json".to_owned()]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_crash_mid_write_leaves_the_last_good_state() {
    let dir = temp_dir("crash");
    let file = dir.join("state.json");
    let config = SandboxConfig::default()
        .with_seed(true)
        .with_state_file(&file);
    let sb = Sandbox::start_with(config.clone()).await.unwrap();
    let state = sb.state();
    drop(sb);
    // What a crash between "write the temp file" and "rename it" leaves behind.
    std::fs::write(dir.join(".state.json.99999.0.tmp"), "{\"half\": ").unwrap();
    let sb = Sandbox::start_with(config).await.unwrap();
    assert_eq!(sb.state(), state);
    drop(sb);
    assert_eq!(
        files_in(&dir),
        vec!["state.json".to_owned()],
        "stale temp file not cleaned"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
