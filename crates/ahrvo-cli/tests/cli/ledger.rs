//! `ahrvo ledger BALANCE_ID`: debits and credits, and three sums beside the Balance: settled
//! entries against `available_amount`, pending ones against `pending_amount`, both against
//! `posted_amount` (available + pending, as the Balance page defines it).

use ahrvo_sandbox::{NewBalance, NewBalanceEntry, Sandbox};

use crate::common::{BALANCE, Scripted, ahrvo, seeded};

/// The sums computed here, from the entries as the API sent them: SETTLED is a `posted_at`
/// and a state other than FAILED, PENDING no `posted_at` and not FAILED, FAILED counts nowhere.
#[derive(Debug, Default, PartialEq, Eq)]
struct Sums {
    settled_credits: i64,
    settled_debits: i64,
    settled: i64,
    pending: i64,
    failed: i64,
    counts: (u64, u64, u64),
}

fn sums(raw: &[serde_json::Value]) -> Sums {
    let mut s = Sums::default();
    for e in raw {
        let amount = e["amount"].as_i64().unwrap();
        if e["state"] == "FAILED" {
            s.failed += amount;
            s.counts.2 += 1;
        } else if e["posted_at"].is_null() {
            s.pending += amount;
            s.counts.1 += 1;
        } else {
            s.settled += amount;
            s.counts.0 += 1;
            if amount < 0 {
                s.settled_debits -= amount;
            } else {
                s.settled_credits += amount;
            }
        }
    }
    s
}

/// Asserts the ledger's `entries` and `totals` (`-o json`) against [`sums`] of `raw` (the
/// entries as the API sent them) and the Balance `balance` (as the API sent it). Returns the
/// sums and the names of the checks that differ, by this test's reckoning.
fn assert_independent_totals(
    raw: &[serde_json::Value],
    balance: &serde_json::Value,
    entries: &[serde_json::Value],
    totals: &serde_json::Value,
) -> (Sums, Vec<&'static str>) {
    assert_eq!(raw.len(), entries.len());
    for (e, line) in raw.iter().zip(entries) {
        let amount = e["amount"].as_i64().unwrap();
        let settled = !e["posted_at"].is_null() && e["state"] != "FAILED";
        assert_eq!(line["id"], e["id"], "the ledger keeps the API's order");
        assert_eq!(line["posted"], settled, "{line} vs {e}");
        if amount < 0 {
            assert_eq!(line["debit"], -amount, "{line} vs {e}");
        } else {
            assert_eq!(line["credit"], amount, "{line} vs {e}");
        }
    }
    let s = sums(raw);
    assert_eq!(totals["entries"], raw.len());
    assert_eq!(totals["settled_entries"], s.counts.0);
    assert_eq!(totals["pending_entries"], s.counts.1);
    assert_eq!(totals["failed_entries"], s.counts.2);
    assert_eq!(totals["settled_credits"], s.settled_credits);
    assert_eq!(totals["settled_debits"], s.settled_debits);
    assert_eq!(totals["settled_sum"], s.settled);
    assert_eq!(totals["pending_sum"], s.pending);
    assert_eq!(totals["failed_sum"], s.failed);
    assert_eq!(totals["posted_sum"], s.settled + s.pending);
    let mut differs = Vec::new();
    for (name, sum) in [
        ("available", s.settled),
        ("pending", s.pending),
        ("posted", s.settled + s.pending),
    ] {
        let amount = balance[format!("{name}_amount")].as_i64().unwrap();
        let check = &totals[name];
        assert_eq!(check["sum"], sum, "{name}: {check}");
        assert_eq!(check["amount"], amount, "{name}: {check}");
        assert_eq!(check["difference"], sum - amount, "{name}: {check}");
        assert_eq!(check["agrees"], sum == amount, "{name}: {check}");
        if sum != amount {
            differs.push(name);
        }
    }
    assert_eq!(totals["differs"], serde_json::json!(differs));
    assert_eq!(totals["agrees"], differs.is_empty());
    (s, differs)
}

/// The entries (`balance-entries list`) and the Balance (`balances get`) of `balance_id`, as
/// the sandbox sends them.
async fn from_sandbox(
    sandbox: &Sandbox,
    balance_id: &str,
) -> (Vec<serde_json::Value>, serde_json::Value) {
    let raw = ahrvo(
        sandbox,
        &["balance-entries", "list", balance_id, "-o", "jsonl"],
    )
    .await;
    raw.expect(0);
    let raw = raw
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let b = ahrvo(sandbox, &["balances", "get", balance_id, "-o", "json"]).await;
    b.expect(0);
    let b = b.json();
    let b = if b.is_array() { b[0].clone() } else { b };
    assert_eq!(b["id"], balance_id);
    (raw, b)
}

/// `ahrvo ledger BALANCE_ID -o json` against the sandbox, checked against the sums computed
/// here; exits `code`. Returns the sums and the checks that differ.
async fn checked_ledger(
    sandbox: &Sandbox,
    balance_id: &str,
    code: i32,
) -> (Sums, Vec<&'static str>) {
    let json = ahrvo(sandbox, &["ledger", balance_id, "-o", "json"]).await;
    json.expect(code);
    let doc = json.json();
    assert_eq!(doc["balance"]["id"], balance_id);
    let (raw, balance) = from_sandbox(sandbox, balance_id).await;
    for amount in ["available_amount", "pending_amount", "posted_amount"] {
        assert_eq!(doc["balance"][amount], balance[amount], "{amount}");
    }
    assert_independent_totals(
        &raw,
        &balance,
        doc["entries"].as_array().unwrap(),
        &doc["totals"],
    )
}

/// `cents` as the ledger prints a non-negative USD amount (`12500.00 USD`).
fn usd(cents: i64) -> String {
    assert!(cents >= 0, "{cents}");
    format!("{}.{:02} USD", cents / 100, cents % 100)
}

/// The seed Balance (the page's example: available 12500.00, pending 2500.00, posted
/// 15000.00): its settled entries add up to available_amount and its pending ACH top-ups to
/// pending_amount, so the ledger agrees and exits 0. The sums are computed here from the
/// entries as the sandbox sends them. The formats are checked here on its 260 entries (pages
/// of 100 and of 30).
#[tokio::test(flavor = "multi_thread")]
async fn the_seed_ledger_in_every_format() {
    let sandbox = seeded().await;
    let (s, differs) = checked_ledger(&sandbox, BALANCE, 0).await;
    assert_eq!(differs, Vec::<&str>::new());
    let (settled, pending, failed) = s.counts;
    assert_eq!((settled + pending, failed), (260, 0));
    assert!(pending > 0, "{s:?}");
    // The page's amounts, from the entries.
    assert_eq!((s.settled, s.pending), (1_250_000, 250_000));
    assert!(s.settled_debits > 0 && s.settled_credits > 0, "{s:?}");

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
        "entries           260".to_owned(),
        format!("settled_entries   {settled}"),
        format!("settled_sum       {}", usd(s.settled)),
        format!("available_amount  {}", usd(s.settled)),
        "available         agrees".to_owned(),
        format!("pending_entries   {pending}"),
        format!("pending_sum       {}", usd(s.pending)),
        format!("pending_amount    {}", usd(s.pending)),
        "pending           agrees".to_owned(),
        format!("posted_sum        {}", usd(s.settled + s.pending)),
        format!("posted_amount     {}", usd(s.settled + s.pending)),
        "posted            agrees".to_owned(),
        "AGREE: settled entries add up to available_amount, pending entries to \
         pending_amount, both to posted_amount"
            .to_owned(),
    ] {
        assert!(
            table.stdout.contains(&needle),
            "{needle:?} in\n{}",
            table.stdout
        );
    }
    assert!(!table.stdout.contains("DISAGREE"), "{}", table.stdout);

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
    assert_eq!(last["totals"]["differs"], serde_json::json!([]));
    for (name, sum) in [
        ("available", s.settled),
        ("pending", s.pending),
        ("posted", s.settled + s.pending),
    ] {
        assert_eq!(last["totals"][name]["sum"], sum, "{name}");
        assert_eq!(last["totals"][name]["agrees"], true, "{name}");
    }

    let csv = ahrvo(&sandbox, &["ledger", BALANCE, "-o", "csv"]).await;
    csv.expect(0);
    let lines = csv.csv_lines();
    assert_eq!(
        lines[0],
        "id,created_at,type,state,posted,debit,credit,description"
    );
    assert_eq!(lines.len(), 261);
    assert!(lines[1].contains(",POSTED,,250000,"), "{}", lines[1]);
    let pending_rows = (lines.iter())
        .filter(|l| l.contains(",BALANCE_TOP_UP_ACH,PENDING,,"))
        .count();
    assert_eq!(u64::try_from(pending_rows).unwrap(), pending);
    for needle in [
        format!(
            "settled entries {} beside available_amount {}: agrees",
            usd(s.settled),
            usd(s.settled)
        ),
        format!(
            "pending entries {} beside pending_amount {}: agrees",
            usd(s.pending),
            usd(s.pending)
        ),
        format!(
            "settled + pending entries {} beside posted_amount {}: agrees",
            usd(s.settled + s.pending),
            usd(s.settled + s.pending)
        ),
        "AGREE: settled".to_owned(),
    ] {
        assert!(csv.stderr.contains(&needle), "{needle:?} in {}", csv.stderr);
    }
}

/// A Balance of the sandbox that starts empty and gets its money from entries: a settled wire
/// top-up, a payout, a fee and a PENDING ACH top-up. The ACH entry adds to pending_amount
/// (and so to posted_amount) until it settles, then moves to available_amount: the ledger
/// agrees before and after, in every format.
#[tokio::test(flavor = "multi_thread")]
async fn a_pending_ach_entry_agrees_and_still_agrees_once_settled() {
    let sandbox = seeded().await;
    let id = sandbox.create_balance(NewBalance::new()).unwrap();
    for (kind, amount) in [
        ("BALANCE_TOP_UP_WIRE", 500_000),
        ("PAYOUT", -120_000),
        ("FEE", -35),
    ] {
        sandbox
            .post_balance_entry(&id, NewBalanceEntry::new(kind, amount))
            .unwrap();
    }
    let ach = sandbox
        .post_balance_entry(&id, NewBalanceEntry::new("BALANCE_TOP_UP_ACH", 1_234))
        .unwrap();

    let (s, differs) = checked_ledger(&sandbox, &id, 0).await;
    assert_eq!(differs, Vec::<&str>::new());
    assert_eq!(s.counts, (3, 1, 0));
    assert_eq!((s.settled, s.pending), (379_965, 1_234));
    let table = ahrvo(&sandbox, &["ledger", &id]).await;
    table.expect(0);
    for needle in [
        "settled_sum       3799.65 USD",
        "available_amount  3799.65 USD",
        "available         agrees",
        "pending_sum       12.34 USD",
        "pending_amount    12.34 USD",
        "pending           agrees",
        "posted_sum        3811.99 USD",
        "posted_amount     3811.99 USD",
        "posted            agrees",
        "AGREE: settled entries add up to available_amount, pending entries to \
         pending_amount, both to posted_amount",
    ] {
        assert!(
            table.stdout.contains(needle),
            "{needle:?} in\n{}",
            table.stdout
        );
    }
    let csv = ahrvo(&sandbox, &["ledger", &id, "-o", "csv"]).await;
    csv.expect(0);
    assert!(csv.stderr.contains("AGREE: settled"), "{}", csv.stderr);
    let jsonl = ahrvo(&sandbox, &["ledger", &id, "-o", "jsonl"]).await;
    jsonl.expect(0);
    let last: serde_json::Value =
        serde_json::from_str(jsonl.stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["totals"]["agrees"], true);
    assert_eq!(last["totals"]["pending"]["sum"], 1_234);

    // Settled, the ACH entry is posted and its amount available: still agrees.
    sandbox.settle_balance_entry(&ach).unwrap();
    let (s, differs) = checked_ledger(&sandbox, &id, 0).await;
    assert_eq!(differs, Vec::<&str>::new());
    assert_eq!(s.counts, (4, 0, 0));
    assert_eq!((s.settled, s.pending), (381_199, 0));
}

/// A scripted Balance's entries: a settled credit of 100.00 and debit of 25.00, a pending
/// credit of 12.34 and a failed credit of 999.00 (with a posted_at: FAILED still counts
/// nowhere). Agreeing amounts: available 75.00, pending 12.34, posted 87.34.
fn scripted_entries() -> Vec<serde_json::Value> {
    let entry = |id: &str, amount: i64, state: &str, posted: bool| {
        serde_json::json!({
            "id": id,
            "created_at": "2024-05-01T00:00:00Z",
            "updated_at": "2024-05-01T00:00:00Z",
            "amount": amount,
            "currency": "USD",
            "state": state,
            "type": "TRANSFER",
            "posted_at": if posted { serde_json::json!("2024-05-02T00:00:00Z") } else { serde_json::Value::Null },
        })
    };
    vec![
        entry("balance_entry_a", 10_000, "SUCCEEDED", true),
        entry("balance_entry_b", -2_500, "SUCCEEDED", true),
        entry("balance_entry_c", 1_234, "PENDING", false),
        entry("balance_entry_d", 99_900, "FAILED", true),
    ]
}

/// A loopback server serving [`scripted_entries`] and a Balance with these amounts.
fn scripted(available: i64, pending: i64, posted: i64) -> (Scripted, serde_json::Value) {
    let entries = scripted_entries();
    let list = serde_json::json!({
        "_embedded": {"balance_entries": entries},
        "page": {"limit": 100, "next_cursor": null},
    });
    let balance = serde_json::json!({
        "id": "balance_x",
        "created_at": "2024-05-01T00:00:00Z",
        "updated_at": "2024-05-01T00:00:00Z",
        "available_amount": available,
        "pending_amount": pending,
        "posted_amount": posted,
        "currency": "USD",
        "type": "DISBURSEMENT",
    });
    let server = Scripted::start(vec![
        ("/balances/balance_x/balance_entries", 200, list.to_string()),
        ("/balances/balance_x", 200, balance.to_string()),
    ]);
    (server, balance)
}

/// `ahrvo ledger balance_x` (json and table) against a scripted Balance: the exit code, the
/// checks that differ (asserted against the sums computed here) and the table's text.
async fn scripted_ledger(
    available: i64,
    pending: i64,
    posted: i64,
) -> (i32, Vec<&'static str>, String) {
    let (server, balance) = scripted(available, pending, posted);
    let json = server.ahrvo(&["ledger", "balance_x", "-o", "json"]).await;
    let doc = json.json();
    let (s, differs) = assert_independent_totals(
        &scripted_entries(),
        &balance,
        doc["entries"].as_array().unwrap(),
        &doc["totals"],
    );
    assert_eq!((s.settled, s.pending, s.failed), (7_500, 1_234, 99_900));
    let table = server.ahrvo(&["ledger", "balance_x"]).await;
    assert_eq!(table.code, json.code, "{}", table.stdout);
    (json.code, differs, table.stdout)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scripted_ledger_that_adds_up_agrees() {
    let (code, differs, table) = scripted_ledger(7_500, 1_234, 8_734).await;
    assert_eq!((code, differs), (0, vec![]), "{table}");
    assert!(table.contains("failed_sum        999.00 USD"), "{table}");
    assert!(table.contains("AGREE: settled"), "{table}");
}

#[tokio::test(flavor = "multi_thread")]
async fn available_off_by_one_cent_is_a_finding_naming_available() {
    // posted = available + pending on the server too, so posted is a cent off as well.
    let (code, differs, table) = scripted_ledger(7_501, 1_234, 8_735).await;
    assert_eq!((code, differs), (1, vec!["available", "posted"]), "{table}");
    for needle in [
        "available         differs by -0.01 USD",
        "pending           agrees",
        "posted            differs by -0.01 USD",
        "DISAGREE on available_amount: the settled entries add up to 75.00 USD, \
         available_amount is 75.01 USD (difference -0.01 USD); posted_amount:",
    ] {
        assert!(table.contains(needle), "{needle:?} in\n{table}");
    }
    assert!(!table.contains("on pending_amount"), "{table}");
    // A server whose posted_amount still adds up: available alone differs, still exit 1.
    let (code, differs, table) = scripted_ledger(7_501, 1_234, 8_734).await;
    assert_eq!((code, differs), (1, vec!["available"]), "{table}");
}

#[tokio::test(flavor = "multi_thread")]
async fn pending_off_by_one_cent_is_a_finding_naming_pending() {
    let (code, differs, table) = scripted_ledger(7_500, 1_233, 8_733).await;
    assert_eq!((code, differs), (1, vec!["pending", "posted"]), "{table}");
    for needle in [
        "available         agrees",
        "pending           differs by 0.01 USD",
        "DISAGREE on pending_amount: the pending entries add up to 12.34 USD, pending_amount \
         is 12.33 USD (difference 0.01 USD); posted_amount:",
    ] {
        assert!(table.contains(needle), "{needle:?} in\n{table}");
    }
    assert!(!table.contains("available_amount: the"), "{table}");
    // A server whose posted_amount still adds up: pending alone differs, still exit 1.
    let (code, differs, table) = scripted_ledger(7_500, 1_233, 8_734).await;
    assert_eq!((code, differs), (1, vec!["pending"]), "{table}");
    assert!(
        table.contains("DISAGREE on pending_amount: the pending entries add up to 12.34 USD"),
        "{table}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn posted_off_alone_is_a_finding_naming_posted() {
    // A server whose posted_amount is not available + pending: only the total differs.
    let (code, differs, table) = scripted_ledger(7_500, 1_234, 8_000).await;
    assert_eq!((code, differs), (1, vec!["posted"]), "{table}");
    assert!(
        table.contains(
            "DISAGREE on posted_amount: the settled + pending entries add up to 87.34 USD, \
             posted_amount is 80.00 USD (difference 7.34 USD)"
        ),
        "{table}"
    );
}
