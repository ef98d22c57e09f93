//! `ahrvo ledger BALANCE_ID`: debits and credits, and the posted sum beside the Balance.

use ahrvo_sandbox::{NewBalanceEntry, Sandbox};

use crate::common::{BALANCE, Scripted, ahrvo, seeded};

/// Asserts the ledger's `entries` and `totals` (`-o json`) against sums computed here from the
/// entries as the API sent them (`balance-entries list`) and from the Balance (`balances get`):
/// POSTED is a `posted_at` and a state other than FAILED; credits are the amounts above zero,
/// debits those below; the rest is the unposted sum. Returns that unposted sum.
async fn assert_independent_totals(
    sandbox: &Sandbox,
    entries: &[serde_json::Value],
    totals: &serde_json::Value,
) -> i64 {
    let raw = ahrvo(
        sandbox,
        &["balance-entries", "list", BALANCE, "-o", "jsonl"],
    )
    .await;
    raw.expect(0);
    let raw: Vec<serde_json::Value> = raw
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(raw.len(), entries.len());
    let (mut credits, mut debits, mut unposted, mut posted_entries) = (0, 0, 0, 0);
    for (e, line) in raw.iter().zip(entries) {
        let amount = e["amount"].as_i64().unwrap();
        let posted = !e["posted_at"].is_null() && e["state"] != "FAILED";
        assert_eq!(line["id"], e["id"], "the ledger keeps the API's order");
        assert_eq!(line["posted"], posted, "{line} vs {e}");
        if amount < 0 {
            assert_eq!(line["debit"], -amount, "{line} vs {e}");
        } else {
            assert_eq!(line["credit"], amount, "{line} vs {e}");
        }
        match (posted, amount < 0) {
            (true, false) => (credits, posted_entries) = (credits + amount, posted_entries + 1),
            (true, true) => (debits, posted_entries) = (debits - amount, posted_entries + 1),
            (false, _) => unposted += amount,
        }
    }
    // Posted entries of both signs, so both sums are exercised.
    assert!(debits > 0 && credits > 0, "{debits} {credits}");
    assert_eq!(totals["entries"], raw.len());
    assert_eq!(totals["posted_entries"], posted_entries);
    assert_eq!(totals["posted_credits"], credits);
    assert_eq!(totals["posted_debits"], debits);
    assert_eq!(totals["unposted_sum"], unposted);
    assert_eq!(totals["posted_sum"], credits - debits);
    let b = ahrvo(sandbox, &["balances", "get", BALANCE, "-o", "json"]).await;
    b.expect(0);
    let b = b.json();
    let b = if b.is_array() { b[0].clone() } else { b };
    assert_eq!(b["id"], BALANCE);
    for amount in ["posted_amount", "pending_amount", "available_amount"] {
        assert_eq!(totals[amount], b[amount], "{amount}");
    }
    let difference = credits - debits - b["posted_amount"].as_i64().unwrap();
    assert_eq!(totals["difference"], difference);
    assert_eq!(totals["agrees"], difference == 0);
    unposted
}

#[tokio::test(flavor = "multi_thread")]
async fn the_seed_ledger_agrees_in_every_format() {
    let sandbox = seeded().await;
    let table = ahrvo(&sandbox, &["ledger", BALANCE]).await;
    table.expect(0);
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert!(lines[0].starts_with("ID "), "{}", lines[0]);
    assert!(
        lines[0].contains("DEBIT") && lines[0].contains("CREDIT"),
        "{}",
        lines[0]
    );
    for needle in [
        "entries           260",
        "posted_sum        15000.00 USD",
        "posted_amount     15000.00 USD",
        "pending_amount    2500.00 USD",
        "available_amount  12500.00 USD",
        "AGREE: the posted entries add up to posted_amount",
    ] {
        assert!(
            table.stdout.contains(needle),
            "{needle:?} in\n{}",
            table.stdout
        );
    }

    let json = ahrvo(&sandbox, &["ledger", BALANCE, "-o", "json"]).await;
    json.expect(0);
    let doc = json.json();
    assert_eq!(doc["balance"]["id"], BALANCE);
    let entries = doc["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 260);
    // Debits and credits as positive cents, each entry one or the other.
    let (mut credits, mut debits) = (0_i64, 0_i64);
    for e in entries {
        match (e["debit"].as_i64(), e["credit"].as_i64()) {
            (Some(d), None) => debits += d,
            (None, Some(c)) => credits += c,
            other => panic!("{e}: {other:?}"),
        }
    }
    let totals = &doc["totals"];
    assert_independent_totals(&sandbox, entries, totals).await;
    assert_eq!(totals["posted_credits"], credits);
    assert_eq!(totals["posted_debits"], debits);
    assert_eq!(totals["posted_sum"], credits - debits);
    assert_eq!(totals["posted_sum"], totals["posted_amount"]);
    assert_eq!(totals["posted_amount"], 1_500_000);
    assert_eq!(totals["agrees"], true);

    let jsonl = ahrvo(
        &sandbox,
        &["ledger", BALANCE, "-o", "jsonl", "--limit", "30"],
    )
    .await;
    jsonl.expect(0);
    let lines: Vec<&str> = jsonl.stdout.lines().collect();
    assert_eq!(lines.len(), 261);
    let last: serde_json::Value = serde_json::from_str(lines[260]).unwrap();
    assert_eq!(last["totals"]["agrees"], true);

    let csv = ahrvo(&sandbox, &["ledger", BALANCE, "-o", "csv"]).await;
    csv.expect(0);
    let lines = csv.csv_lines();
    assert_eq!(
        lines[0],
        "id,created_at,type,state,posted,debit,credit,description"
    );
    assert_eq!(lines.len(), 261);
    assert!(lines[1].contains(",POSTED,,250000,"), "{}", lines[1]);
    assert!(csv.stderr.contains("AGREE"), "{}", csv.stderr);

    // An ACH top-up is PENDING (no posted_at): counted apart, not in the posted sum. The
    // sandbox counts it in posted_amount at once (posted = available + pending there), so by
    // the documented rule the ledger no longer agrees: exit 1, by exactly its amount.
    let entry = sandbox
        .post_balance_entry(BALANCE, NewBalanceEntry::new("BALANCE_TOP_UP_ACH", 1_234))
        .unwrap();
    let json = ahrvo(&sandbox, &["ledger", BALANCE, "-o", "json"]).await;
    json.expect(1);
    let doc = json.json();
    let entries = doc["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 261);
    let unposted = assert_independent_totals(&sandbox, entries, &doc["totals"]).await;
    assert_eq!(unposted, 1_234);
    assert_eq!(doc["totals"]["posted_sum"], 1_500_000);
    assert_eq!(doc["totals"]["difference"], -1_234);
    // Settled, it is posted: the sums agree again.
    sandbox.settle_balance_entry(&entry).unwrap();
    let json = ahrvo(&sandbox, &["ledger", BALANCE, "-o", "json"]).await;
    json.expect(0);
    let doc = json.json();
    let entries = doc["entries"].as_array().unwrap();
    assert_eq!(
        assert_independent_totals(&sandbox, entries, &doc["totals"]).await,
        0
    );
    assert_eq!(doc["totals"]["posted_sum"], 1_501_234);
}

/// A Balance whose entries do not add up to its posted amount: one posted credit of 100.00, one
/// pending debit, one failed credit; posted_amount 150.00.
fn disagreeing() -> Scripted {
    let entry = |id: &str, amount: i64, state: &str, posted: bool| {
        let posted_at = if posted {
            r#""2024-05-02T00:00:00Z""#
        } else {
            "null"
        };
        format!(
            r#"{{"id":"{id}","created_at":"2024-05-01T00:00:00Z","updated_at":"2024-05-01T00:00:00Z","amount":{amount},"currency":"USD","state":"{state}","type":"TRANSFER","posted_at":{posted_at}}}"#
        )
    };
    let entries = [
        entry("balance_entry_a", 10_000, "SUCCEEDED", true),
        entry("balance_entry_b", -2_500, "PENDING", false),
        entry("balance_entry_c", 99_900, "FAILED", true),
    ]
    .join(",");
    let list = format!(
        r#"{{"_embedded":{{"balance_entries":[{entries}]}},"page":{{"limit":100,"next_cursor":null}}}}"#
    );
    let balance = r#"{"id":"balance_x","created_at":"2024-05-01T00:00:00Z","updated_at":"2024-05-01T00:00:00Z","available_amount":12500,"pending_amount":2500,"posted_amount":15000,"currency":"USD","type":"DISBURSEMENT"}"#;
    Scripted::start(vec![
        ("/balances/balance_x/balance_entries", 200, list),
        ("/balances/balance_x", 200, balance.to_owned()),
    ])
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ledger_that_disagrees_is_a_finding() {
    let server = disagreeing();
    let table = server.ahrvo(&["ledger", "balance_x"]).await;
    table.expect(1);
    assert!(
        table.stdout.contains("posted_sum        100.00 USD"),
        "{}",
        table.stdout
    );
    assert!(
        table.stdout.contains("unposted_sum      974.00 USD"),
        "{}",
        table.stdout
    );
    assert!(
        table.stdout.contains("DISAGREE: the posted entries add up to 100.00 USD, posted_amount is 150.00 USD (difference -50.00 USD)"),
        "{}",
        table.stdout
    );
    let json = server.ahrvo(&["ledger", "balance_x", "-o", "json"]).await;
    json.expect(1);
    let totals = &json.json()["totals"];
    assert_eq!(totals["agrees"], false);
    assert_eq!(totals["difference"], -5_000);
    assert_eq!(totals["posted_entries"], 1);
}
