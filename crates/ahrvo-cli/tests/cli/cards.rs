//! `ahrvo cards balance | check-funds | report`.

use ahrvo_sandbox::{CardKind, Sandbox};

use crate::common::{CARD, SHARED_CARD, ahrvo, seeded};

/// Issues a Dedicated Funds Card holding `amount` on the seeded Engineering budget.
fn card_with(sandbox: &Sandbox, amount: &str) -> String {
    let card = sandbox
        .create_card("ci202507232016182662", CardKind::Dedicated)
        .unwrap();
    if amount != "0" {
        sandbox.top_up_card(&card, amount).unwrap();
    }
    card
}

#[tokio::test(flavor = "multi_thread")]
async fn balance_of_one_card_in_every_format() {
    let sandbox = seeded().await;
    let run = ahrvo(&sandbox, &["cards", "balance", CARD]).await;
    run.expect(0);
    // No progress bar off a terminal: the summary line only.
    assert!(
        run.stderr.starts_with("summary: 1 ok, 0 retried, ") && run.stderr.lines().count() == 1,
        "{:?}",
        run.stderr
    );
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "CARD ID                 CARD NUMBER       AVAILABLE  ERROR  MESSAGE"
    );
    assert_eq!(
        lines[2],
        "card201907021723076245  5157********2686    1468.87"
    );

    let run = ahrvo(&sandbox, &["cards", "balance", CARD, "-o", "json"]).await;
    run.expect(0);
    assert_eq!(
        run.json(),
        serde_json::json!([{
            "card_id": CARD,
            "card_number": "5157********2686",
            "available_balance": "1468.87"
        }])
    );

    let run = ahrvo(&sandbox, &["cards", "balance", CARD, "-o", "csv"]).await;
    run.expect(0);
    assert_eq!(
        run.csv_lines(),
        [
            "card_id,card_number,available_balance,error_kind,error",
            "card201907021723076245,5157********2686,1468.87,,"
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn many_cards_come_back_in_the_order_given() {
    let sandbox = seeded().await;
    let amounts = [
        "10.00", "250.50", "0.01", "999.99", "42.00", "7.00", "1000.00", "3.30", "8.80", "12.34",
    ];
    let cards: Vec<String> = amounts.iter().map(|a| card_with(&sandbox, a)).collect();
    let mut args = vec!["cards", "balance", "-o", "json"];
    args.extend(cards.iter().map(String::as_str));
    let run = ahrvo(&sandbox, &args).await;
    run.expect(0);
    assert!(run.stderr.starts_with("summary: 10 ok, "), "{}", run.stderr);
    let json = run.json();
    let got: Vec<(&str, &str)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["card_id"].as_str().unwrap(),
                c["available_balance"].as_str().unwrap(),
            )
        })
        .collect();
    let want: Vec<(&str, &str)> = cards.iter().map(String::as_str).zip(amounts).collect();
    assert_eq!(got, want);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_card_exits_4_as_a_row_of_its_own() {
    let sandbox = seeded().await;
    let run = ahrvo(&sandbox, &["cards", "balance", "card000000000000000000"]).await;
    run.expect(4);
    let row = run.stdout.lines().nth(2).unwrap();
    assert!(
        row.starts_with("card000000000000000000")
            && row.contains("not found  getCardBalance: not found (HTTP 404)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .starts_with("summary: 0 ok, 1 failed (1 not found), "),
        "{}",
        run.stderr
    );

    let run = ahrvo(
        &sandbox,
        &["cards", "balance", "card000000000000000000", "-o", "json"],
    )
    .await;
    run.expect(4);
    let json = run.json();
    assert_eq!(json[0]["card_id"], "card000000000000000000");
    assert_eq!(json[0]["error"]["kind"], "not_found");
    assert_eq!(json[0]["error"]["status"], 404);
    assert_eq!(json[0]["error"]["code"], "CARD_NOT_FOUND");
    assert!(
        json[0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("getCardBalance: not found (HTTP 404)")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn known_cards_print_and_failed_ones_are_rows_too() {
    let sandbox = seeded().await;
    let run = ahrvo(
        &sandbox,
        &["cards", "balance", CARD, "cardnope", "-o", "csv"],
    )
    .await;
    run.expect(4);
    let lines = run.csv_lines();
    assert_eq!(lines.len(), 3);
    assert!(lines[1].starts_with(CARD));
    assert!(
        lines[2].starts_with("cardnope,,,not_found,getCardBalance: not found"),
        "{}",
        lines[2]
    );

    // A Shared Funds Card has no balance of its own: the API's 400, exit 5.
    let run = ahrvo(&sandbox, &["cards", "balance", SHARED_CARD]).await;
    run.expect(5);
    assert!(
        run.stdout.contains("bad request") && run.stdout.contains("[INVALID_CARD_TYPE]"),
        "{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_key_stops_the_batch_with_one_line_and_exit_3() {
    let sandbox = seeded().await;
    let run = ahrvo(
        &sandbox,
        &[
            "--api-key",
            "nope",
            "cards",
            "balance",
            CARD,
            CARD,
            SHARED_CARD,
            "cardnope",
        ],
    )
    .await;
    run.expect(3)
        .one_error_line("getCardBalance: unauthorized (HTTP 401)");
    assert!(run.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn check_funds_sufficient_in_every_format() {
    let sandbox = seeded().await;
    let run = ahrvo(&sandbox, &["cards", "check-funds", CARD, "500.00"]).await;
    run.expect(0);
    assert!(
        run.stdout.contains("sufficient         true"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("remaining          968.87"));
    assert!(run.stdout.contains("SUFFICIENT: 968.87 left"));

    let run = ahrvo(
        &sandbox,
        &["cards", "check-funds", CARD, "1468.87", "-o", "json"],
    )
    .await;
    run.expect(0);
    assert_eq!(
        run.json(),
        serde_json::json!({
            "card_id": CARD,
            "card_number": "5157********2686",
            "available_balance": "1468.87",
            "amount": "1468.87",
            "sufficient": true,
            "remaining": "0.00"
        })
    );

    let run = ahrvo(&sandbox, &["cards", "check-funds", CARD, "1", "-o", "csv"]).await;
    run.expect(0);
    let lines = run.csv_lines();
    assert_eq!(
        lines[0],
        "card_id,card_number,available_balance,amount,sufficient,remaining,shortage,result"
    );
    assert_eq!(
        lines[1],
        format!("{CARD},5157********2686,1468.87,1,true,1467.87,,ok")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn check_funds_insufficient_is_a_finding() {
    let sandbox = seeded().await;
    let run = ahrvo(&sandbox, &["cards", "check-funds", CARD, "2000.00"]).await;
    run.expect(1);
    assert!(
        run.stdout.contains("shortage           531.13"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("INSUFFICIENT: top up at least 531.13 first")
    );
    assert!(run.stderr.is_empty());

    let run = ahrvo(
        &sandbox,
        &["cards", "check-funds", CARD, "1468.88", "-o", "json"],
    )
    .await;
    run.expect(1);
    let json = run.json();
    assert_eq!(json["sufficient"], false);
    assert_eq!(json["shortage"], "0.01");
    assert!(json.get("remaining").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn check_funds_refuses_bad_amounts_and_unknown_cards() {
    let sandbox = seeded().await;
    for bad in ["abc", "1e3", "1,000.00", "$5", "-5", ""] {
        let run = ahrvo(&sandbox, &["cards", "check-funds", CARD, bad]).await;
        assert_eq!(run.code, 2, "{bad:?}: {}", run.stderr);
        assert!(run.stdout.is_empty());
    }
    // Refused before any request, saying what is wrong: not above zero (`-5` reaches the value
    // parser instead of clap's `use '-- -5'` hint), more decimals than USD has.
    for (bad, says) in [
        ("0", "the amount must be positive"),
        ("-5", "the amount must be positive"),
        ("-0.01", "the amount must be positive"),
        ("1.234", "has 3 decimals; USD amounts have at most 2"),
        ("0.001", "has 3 decimals; USD amounts have at most 2"),
    ] {
        let run = ahrvo(&sandbox, &["cards", "check-funds", CARD, bad]).await;
        run.expect(2);
        assert!(run.stderr.contains(says), "{bad}: {}", run.stderr);
        assert!(!run.stderr.contains("-- -"), "{bad}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{bad}: {}", run.stdout);
    }
    // Trailing zeros are not decimals the currency lacks.
    ahrvo(&sandbox, &["cards", "check-funds", CARD, "1.230"])
        .await
        .expect(0);
    let run = ahrvo(&sandbox, &["cards", "check-funds", "cardnope", "5"]).await;
    run.expect(4)
        .one_error_line("getCardBalance: not found (HTTP 404)");
}

#[tokio::test(flavor = "multi_thread")]
async fn report_with_no_alert_exits_0() {
    let sandbox = seeded().await;
    let healthy = card_with(&sandbox, "300.00");
    let run = ahrvo(&sandbox, &["cards", "report", CARD, &healthy]).await;
    run.expect(0);
    let out = &run.stdout;
    assert!(
        out.contains("card201907021723076245  5157********2686    1468.87  $1,000-$5,000  NORMAL"),
        "{out}"
    );
    assert!(out.contains("$100-$500          1   300.00"), "{out}");
    assert!(out.contains("$0-$100            0     0.00"), "{out}");
    assert!(
        out.contains(
            "2 cards, total 1768.87, average 884.44, min 300.00, max 1468.87; 0 need an alert"
        ),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn report_with_a_critical_card_is_a_finding_in_every_format() {
    let sandbox = seeded().await;
    let critical = card_with(&sandbox, "40.00");
    let warning = card_with(&sandbox, "100.00");
    let low = card_with(&sandbox, "200.00");

    let run = ahrvo(
        &sandbox,
        &["cards", "report", CARD, &critical, &warning, &low],
    )
    .await;
    run.expect(1);
    assert!(
        run.stdout.contains("     40.00  $0-$100        CRITICAL"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("    100.00  $100-$500      WARNING"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("    200.00  $100-$500      LOW"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("2 need an alert"));

    let run = ahrvo(
        &sandbox,
        &["cards", "report", CARD, &critical, "-o", "json"],
    )
    .await;
    run.expect(1);
    let json = run.json();
    assert_eq!(
        json["thresholds"],
        serde_json::json!({"critical": "50.00", "warning": "100.00", "low": "250.00"})
    );
    assert_eq!(json["distribution"]["count"], 2);
    assert_eq!(json["distribution"]["total"], "1508.87");
    assert_eq!(json["distribution"]["average"], "754.44");
    assert_eq!(
        json["distribution"]["buckets"][0],
        serde_json::json!({"range": "$0-$100", "count": 1, "total": "40.00"})
    );
    assert_eq!(json["cards"][1]["card_id"], critical.as_str());
    assert_eq!(json["cards"][1]["available_balance"], "40.00");
    assert_eq!(json["cards"][1]["alert_level"], "CRITICAL");
    assert_eq!(json["cards"][1]["alert"], true);
    assert_eq!(json["cards"][0]["alert_level"], "NORMAL");

    let run = ahrvo(
        &sandbox,
        &[
            "cards",
            "report",
            &critical,
            "-o",
            "csv",
            "--critical",
            "10",
        ],
    )
    .await;
    run.expect(1);
    assert_eq!(
        run.csv_lines(),
        [
            "card_id,card_number,available_balance,range,alert_level,error_kind,error".to_owned(),
            format!("{critical},{},40.00,$0-$100,WARNING,,", masked(&run.stdout)),
        ]
    );
}

/// The masked number printed on the CSV's second line.
fn masked(csv: &str) -> String {
    csv.lines()
        .nth(1)
        .unwrap()
        .split(',')
        .nth(1)
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn report_thresholds_are_flags_and_failures_win_over_findings() {
    let sandbox = seeded().await;
    let run = ahrvo(
        &sandbox,
        &[
            "cards",
            "report",
            CARD,
            "--warning",
            "1500",
            "--low",
            "2000",
        ],
    )
    .await;
    run.expect(1);
    assert!(run.stdout.contains("WARNING"));
    let run = ahrvo(&sandbox, &["cards", "report", CARD, "cardnope"]).await;
    run.expect(4);
    assert!(
        run.stdout.contains("cardnope") && run.stdout.contains("not found"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .starts_with("summary: 1 ok, 1 failed (1 not found)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("1 card, total 1468.87"),
        "{}",
        run.stdout
    );
    let run = ahrvo(&sandbox, &["cards", "report", CARD, "--critical", "x"]).await;
    run.expect(2);
}
