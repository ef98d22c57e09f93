//! `ahrvo balances get | check` and `ahrvo balance-entries get`.

use ahrvo_sandbox::{NewBalance, NewBalanceEntry};

use crate::common::{BALANCE, ENTRY, ahrvo, seeded, with_sandbox};

#[tokio::test(flavor = "multi_thread")]
async fn balance_get_as_a_table() {
    let sandbox = seeded().await;
    let run = ahrvo(&sandbox, &["balances", "get", BALANCE]).await;
    run.expect(0);
    let out = &run.stdout;
    assert!(
        out.contains(&format!("id                {BALANCE}")),
        "{out}"
    );
    assert!(
        out.contains("available_amount  12500.00 USD (1250000 cents)"),
        "{out}"
    );
    assert!(
        out.contains("pending_amount     2500.00 USD (250000 cents)"),
        "{out}"
    );
    assert!(
        out.contains("posted_amount     15000.00 USD (1500000 cents)"),
        "{out}"
    );
    assert!(out.contains("type              DISBURSEMENT"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn balance_get_as_json_keeps_cents_as_integers() {
    let sandbox = seeded().await;
    let run = ahrvo(&sandbox, &["balances", "get", BALANCE, "-o", "json"]).await;
    run.expect(0);
    let json = run.json();
    assert_eq!(json["id"], BALANCE);
    assert_eq!(json["available_amount"], 1_250_000);
    assert_eq!(json["pending_amount"], 250_000);
    assert_eq!(json["posted_amount"], 1_500_000);
    assert_eq!(json["type"], "DISBURSEMENT");
    assert_eq!(json["currency"], "USD");
    assert_eq!(json["linked_to"], "APgPDQrLD52TYvqazjHJJchM");
    assert!(run.stdout.contains("\"available_amount\": 1250000"));
}

#[tokio::test(flavor = "multi_thread")]
async fn balance_get_as_csv() {
    let sandbox = seeded().await;
    let run = ahrvo(&sandbox, &["balances", "get", BALANCE, "-o", "csv"]).await;
    run.expect(0);
    let lines = run.csv_lines();
    assert_eq!(lines.len(), 2);
    assert!(
        lines[0].starts_with("id,type,currency,available_amount,pending_amount,posted_amount,"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with(&format!(
            "{BALANCE},DISBURSEMENT,USD,1250000,250000,1500000,"
        )),
        "{}",
        lines[1]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn balance_get_unknown_exits_4_wrong_password_exits_3() {
    let sandbox = seeded().await;
    let run = ahrvo(&sandbox, &["balances", "get", "balance_nope"]).await;
    run.expect(4)
        .one_error_line("getBalance: not found (HTTP 404)");
    assert!(run.stdout.is_empty());

    let mut cmd = with_sandbox(&sandbox, &["balances", "get", BALANCE]);
    cmd.env("AHRVO_PASSWORD", "wrong");
    let run = crate::common::run(cmd).await;
    run.expect(3)
        .one_error_line("getBalance: unauthorized (HTTP 401)");
}

#[tokio::test(flavor = "multi_thread")]
async fn entry_get_in_every_format() {
    let sandbox = seeded().await;
    let run = ahrvo(&sandbox, &["balance-entries", "get", ENTRY]).await;
    run.expect(0);
    assert!(
        run.stdout
            .contains("type                   BALANCE_TOP_UP_ACH"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("amount                 2500.00 USD (250000 cents)")
    );
    assert!(run.stdout.contains("state                  SUCCEEDED"));
    // Absent fields are left out of the table.
    assert!(!run.stdout.contains("parent_balance_entry_id"));

    let run = ahrvo(&sandbox, &["balance-entries", "get", ENTRY, "-o", "json"]).await;
    run.expect(0);
    let json = run.json();
    assert_eq!(json["id"], ENTRY);
    assert_eq!(json["amount"], 250_000);
    assert_eq!(json["type"], "BALANCE_TOP_UP_ACH");
    assert_eq!(json["entity_type"], "BALANCE_ADJUSTMENT");

    let run = ahrvo(&sandbox, &["balance-entries", "get", ENTRY, "-o", "csv"]).await;
    run.expect(0);
    let lines = run.csv_lines();
    assert!(lines[0].starts_with("id,type,state,amount,currency,description,"));
    assert!(lines[1].starts_with(&format!("{ENTRY},BALANCE_TOP_UP_ACH,SUCCEEDED,250000,USD,")));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_debit_entry_shows_its_negative_amount() {
    let sandbox = seeded().await;
    let balance = sandbox
        .create_balance(NewBalance::new().with_available_amount(10_000))
        .unwrap();
    let entry = sandbox
        .post_balance_entry(&balance, NewBalanceEntry::new("PAYOUT", -2_500))
        .unwrap();
    let run = ahrvo(&sandbox, &["balance-entries", "get", &entry, "-o", "json"]).await;
    run.expect(0);
    assert_eq!(run.json()["amount"], -2_500);
    let run = ahrvo(&sandbox, &["balance-entries", "get", &entry]).await;
    assert!(
        run.stdout.contains("-25.00 USD (-2500 cents)"),
        "{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn entry_get_unknown_exits_4() {
    let sandbox = seeded().await;
    let run = ahrvo(
        &sandbox,
        &["balance-entries", "get", "balance_entry_nope", "-o", "json"],
    )
    .await;
    run.expect(4)
        .one_error_line("getBalanceEntry: not found (HTTP 404)");
    assert!(run.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn check_a_payout_that_fits_in_every_format() {
    let sandbox = seeded().await;
    let run = ahrvo(
        &sandbox,
        &["balances", "check", BALANCE, "--amount", "100000"],
    )
    .await;
    run.expect(0);
    assert!(
        run.stdout
            .contains("result                      OK: 11500.00 USD left available"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("can_proceed                 true"));
    assert!(!run.stdout.contains("shortage"));

    let run = ahrvo(
        &sandbox,
        &[
            "balances", "check", BALANCE, "--amount", "100000", "--buffer", "50000", "-o", "json",
        ],
    )
    .await;
    run.expect(0);
    assert_eq!(
        run.json(),
        serde_json::json!({
            "balance_id": BALANCE,
            "currency": "USD",
            "available_amount": 1_250_000,
            "pending_amount": 250_000,
            "amount": 100_000,
            "safety_buffer": 50_000,
            "post_transaction_available": 1_150_000,
            "can_proceed": true,
            "safe_to_proceed": true,
            "balance_status": "HEALTHY"
        })
    );

    let run = ahrvo(
        &sandbox,
        &["balances", "check", BALANCE, "--amount", "1", "-o", "csv"],
    )
    .await;
    run.expect(0);
    let lines = run.csv_lines();
    assert_eq!(
        lines[0],
        "balance_id,currency,available_amount,pending_amount,amount,safety_buffer,\
         post_transaction_available,shortage,can_proceed,safe_to_proceed,balance_status,result"
    );
    assert_eq!(
        lines[1],
        format!("{BALANCE},USD,1250000,250000,1,0,1249999,,true,true,HEALTHY,OK")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn pending_funds_never_count_and_shortfalls_are_findings() {
    let sandbox = seeded().await;
    // 12500.00 available + 2500.00 pending: 13000.00 does not fit.
    let run = ahrvo(
        &sandbox,
        &["balances", "check", BALANCE, "--amount", "1300000"],
    )
    .await;
    run.expect(1);
    assert!(
        run.stdout.contains("INSUFFICIENT: short by 500.00 USD"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("shortage                      500.00 USD (50000 cents)"),
        "{}",
        run.stdout
    );
    let run = ahrvo(
        &sandbox,
        &[
            "balances", "check", BALANCE, "--amount", "1300000", "-o", "json",
        ],
    )
    .await;
    run.expect(1);
    assert_eq!(run.json()["shortage"], 50_000);
    assert_eq!(run.json()["can_proceed"], false);

    // It fits, but leaves less than the buffer.
    let run = ahrvo(
        &sandbox,
        &[
            "balances", "check", BALANCE, "--amount", "1200000", "--buffer", "100000",
        ],
    )
    .await;
    run.expect(1);
    assert!(
        run.stdout.contains(
            "BELOW BUFFER: the payout would leave 500.00 USD, under the 1000.00 USD buffer"
        )
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn check_refuses_bad_amounts_and_unknown_balances() {
    let sandbox = seeded().await;
    for bad in [
        &["--amount", "abc"][..],
        &["--amount", "12.50"],
        &["--amount", "-5"],
        &["--amount", "1", "--buffer", "x"],
    ] {
        let mut args = vec!["balances", "check", BALANCE];
        args.extend_from_slice(bad);
        let run = ahrvo(&sandbox, &args).await;
        assert_eq!(run.code, 2, "{bad:?}: {}", run.stderr);
        assert!(run.stdout.is_empty());
    }
    // Refused before any request, with what is wrong (and `-5` reaches the parser: no clap
    // `use '-- -5'` hint).
    for bad in ["0", "-5"] {
        let run = ahrvo(&sandbox, &["balances", "check", BALANCE, "--amount", bad]).await;
        run.expect(2);
        assert!(
            run.stderr.contains("the amount must be positive"),
            "{bad}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("-- -5"), "{}", run.stderr);
    }
    let run = ahrvo(
        &sandbox,
        &[
            "balances", "check", BALANCE, "--amount", "5", "--buffer", "-1",
        ],
    )
    .await;
    run.expect(2);
    assert!(
        run.stderr.contains("must not be negative"),
        "{}",
        run.stderr
    );
    let run = ahrvo(
        &sandbox,
        &["balances", "check", "balance_nope", "--amount", "5"],
    )
    .await;
    run.expect(4)
        .one_error_line("getBalance: not found (HTTP 404)");
}
