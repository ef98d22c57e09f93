//! The Issuing reports with the pages' own numbers, and their edges.
#![cfg(feature = "issuing")]

use std::fmt;

use ahrvo_reports::issuing::*;
use ahrvo_types::{BudgetBalance, CardBalance, CardId, Currency, Decimal, MaskedCardNumber};

/// A query error of the caller's own, as `ahrvo::Error` is one: a kind and a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ErrorKind {
    NotFound,
}

#[derive(Debug, PartialEq)]
struct Error {
    kind: ErrorKind,
    message: &'static str,
}

impl Error {
    fn new(kind: ErrorKind, message: &'static str) -> Self {
        Error { kind, message }
    }

    fn kind(&self) -> ErrorKind {
        self.kind
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "getCardBalance: {:?}: {}", self.kind, self.message)
    }
}

fn d(s: &str) -> Decimal {
    ahrvo_types::money::parse_decimal(s).unwrap()
}

fn budget(id: &str, name: &str, balance: &str, currency: Currency) -> BudgetBalance {
    BudgetBalance::new(id.into(), name.into(), d(balance), currency)
}

/// The three budgets of the budget page's example reply.
fn page_budgets() -> Vec<BudgetBalance> {
    vec![
        budget(
            "ci202507232016182661",
            "Marketing Department Budget",
            "45250.75",
            Currency::USD,
        ),
        budget(
            "ci202507232016182662",
            "Engineering Team Budget",
            "78900.00",
            Currency::USD,
        ),
        budget(
            "ci202507232016182663",
            "Travel Expenses",
            "12500.50",
            Currency::USD,
        ),
    ]
}

fn card(id: &str, balance: &str) -> (CardId, CardBalance) {
    (
        id.into(),
        CardBalance::new(MaskedCardNumber::new("5157********2686"), d(balance)),
    )
}

// ---- overview ---------------------------------------------------------------------------------

#[test]
fn overview_of_the_page_budgets() {
    let budgets = page_budgets();
    let overview = budget_overview(&budgets, d("1000"));
    assert_eq!(overview.len(), 1);
    let usd = &overview[0];
    assert_eq!(usd.currency, Currency::USD);
    assert_eq!(usd.count, 3);
    assert_eq!(usd.total.to_string(), "136651.25");
    assert!(!usd.total_saturated);
    // 136651.25 / 3 = 45550.41666… → 45550.42
    assert_eq!(usd.average.to_string(), "45550.42");
    assert_eq!(usd.highest.budget_name, "Engineering Team Budget");
    assert!(usd.low_balance.is_empty());
    let shares: Vec<(&str, String)> = usd
        .shares
        .iter()
        .map(|s| (s.budget.budget_name.as_str(), s.percent.to_string()))
        .collect();
    assert_eq!(
        shares,
        [
            ("Engineering Team Budget", "57.74".to_owned()),
            ("Marketing Department Budget", "33.11".to_owned()),
            ("Travel Expenses", "9.15".to_owned()),
        ]
    );
}

#[test]
fn low_balance_is_strictly_below_the_threshold() {
    let budgets = page_budgets();
    let at = budget_overview(&budgets, d("12500.50"));
    assert!(at[0].low_balance.is_empty());
    let above = budget_overview(&budgets, d("12500.51"));
    assert_eq!(above[0].low_balance.len(), 1);
    assert_eq!(above[0].low_balance[0].budget_name, "Travel Expenses");
    // The page's low-balance alert threshold of 5000 catches none of the three.
    assert!(
        budget_overview(&page_budgets(), d("5000"))[0]
            .low_balance
            .is_empty()
    );
}

#[test]
fn currencies_are_never_added_together() {
    let budgets = vec![
        budget("u1", "US ops", "100.00", Currency::USD),
        budget("e1", "Paris", "200.00", Currency::EUR),
        budget("g1", "London", "50.25", Currency::GBP),
        budget("u2", "US travel", "300.00", Currency::USD),
        budget("e2", "Berlin", "0.50", Currency::EUR),
    ];
    let overview = budget_overview(&budgets, d("100"));
    let summary: Vec<(&str, usize, String, String)> = overview
        .iter()
        .map(|o| {
            (
                o.currency.as_str(),
                o.count,
                o.total.to_string(),
                o.average.to_string(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("EUR", 2, "200.50".to_owned(), "100.25".to_owned()),
            ("GBP", 1, "50.25".to_owned(), "50.25".to_owned()),
            ("USD", 2, "400.00".to_owned(), "200.00".to_owned()),
        ]
    );
    // Shares are of the currency's own total.
    assert_eq!(overview[2].shares[0].percent.to_string(), "75.00");
    assert_eq!(overview[2].shares[1].percent.to_string(), "25.00");
    // Low balances per currency: below 100 in each.
    assert_eq!(overview[0].low_balance[0].budget_name, "Berlin");
    assert_eq!(overview[1].low_balance[0].budget_name, "London");
    assert!(overview[2].low_balance.is_empty());
}

#[test]
fn overview_edges_empty_zero_ties_and_overflow() {
    assert!(budget_overview(&[], d("1000")).is_empty());

    let zeros = vec![
        budget("a", "A", "0.00", Currency::USD),
        budget("b", "B", "0", Currency::USD),
    ];
    let o = &budget_overview(&zeros, d("0"))[0];
    assert_eq!(o.total, Decimal::ZERO);
    assert_eq!(o.average.to_string(), "0.00");
    assert!(o.shares.iter().all(|s| s.percent.to_string() == "0.00"));
    // A tie for highest goes to the first; shares keep input order on ties.
    assert_eq!(o.highest.budget_id, "a");
    assert_eq!(o.shares[0].budget.budget_id, "a");
    assert!(o.low_balance.is_empty());

    let huge = vec![
        budget("a", "A", "79228162514264337593543950335", Currency::USD),
        budget("b", "B", "79228162514264337593543950335", Currency::USD),
    ];
    let o = &budget_overview(&huge, d("0"))[0];
    assert!(o.total_saturated);
    assert_eq!(o.total, Decimal::MAX);
}

// ---- health -----------------------------------------------------------------------------------

#[test]
fn health_bands_are_the_pages_with_inclusive_floors() {
    let cases = [
        ("50000", 100, "Excellent"),
        ("50000.00", 100, "Excellent"),
        ("49999.99", 80, "Good"),
        ("25000", 80, "Good"),
        ("24999.99", 60, "Fair"),
        ("10000.00", 60, "Fair"),
        ("9999.99", 40, "Low"),
        ("5000", 40, "Low"),
        ("4999.99", 20, "Critical"),
        ("0", 20, "Critical"),
        ("-1.00", 20, "Critical"),
        ("78900.00", 100, "Excellent"),
    ];
    for (balance, score, word) in cases {
        let h = budget_health(d(balance));
        assert_eq!(
            (h.score, h.status.to_string().as_str()),
            (score, word),
            "{balance}"
        );
        assert_eq!(h.status.score(), score);
    }
}

#[test]
fn health_report_is_least_healthy_first_then_by_name() {
    let mut budgets = page_budgets();
    budgets.push(budget("ci9", "Another Fair", "10000.00", Currency::EUR));
    let report = budget_health_report(&budgets);
    let order: Vec<(&str, u8, HealthStatus)> = report
        .iter()
        .map(|l| {
            (
                l.budget.budget_name.as_str(),
                l.health.score,
                l.health.status,
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            ("Another Fair", 60, HealthStatus::Fair),
            ("Travel Expenses", 60, HealthStatus::Fair),
            ("Marketing Department Budget", 80, HealthStatus::Good),
            ("Engineering Team Budget", 100, HealthStatus::Excellent),
        ]
    );
    assert!(budget_health_report(&[]).is_empty());
}

// ---- scale ------------------------------------------------------------------------------------

/// 100,000 budgets, as a 15 MB balance/all reply holds, nearly all in one currency: the report
/// is whole and consistent. Checked, never timed (`cargo bench -p ahrvo-reports --bench report`
/// times it against decoding). When each line looked its share up among its currency's shares
/// (5·10⁹ comparisons here), this test ran for minutes; it now takes well under a second.
#[test]
fn a_report_of_100k_budgets_is_whole_and_consistent() {
    const N: usize = 100_000;
    let currency = |i: usize| match i % 1000 {
        0 => Currency::EUR,
        1 => Currency::GBP,
        _ => Currency::USD,
    };
    let budgets: Vec<BudgetBalance> = (0..N)
        .map(|i| {
            BudgetBalance::new(
                format!("ci{i:018}").into(),
                format!("Budget {}", i % 977),
                Decimal::new(((i * 7919) % 10_000_000) as i64, 2),
                currency(i),
            )
        })
        .collect();
    let threshold = d("1000");
    let report = budget_report(&budgets, threshold);
    assert_eq!(report.budgets.len(), N);
    assert_eq!(report.currencies.len(), 3);
    assert_eq!(report.currencies.iter().map(|c| c.count).sum::<usize>(), N);
    let low = budgets.iter().filter(|b| b.balance < threshold).count();
    assert_eq!(report.low_count(), low);
    // Each line's share is its currency's share of it, computed from that currency's total.
    let mut shares = std::collections::HashMap::new();
    for overview in &report.currencies {
        assert_eq!(overview.shares.len(), overview.count);
        for share in &overview.shares {
            shares.insert(&share.budget.budget_id, share.percent);
        }
        // Highest balance first.
        assert!(
            overview
                .shares
                .windows(2)
                .all(|w| w[0].budget.balance >= w[1].budget.balance)
        );
        assert_eq!(overview.highest.balance, overview.shares[0].budget.balance);
    }
    assert_eq!(shares.len(), N);
    for line in &report.budgets {
        assert_eq!(shares[&line.budget.budget_id], line.share_percent);
        assert_eq!(line.low_balance, line.budget.balance < threshold);
    }
    // Least healthy first, then by name and id.
    assert!(report.budgets.windows(2).all(|w| {
        let key = |l: &BudgetReportLine<'_>| {
            (
                l.health_score,
                l.budget.budget_name.clone(),
                l.budget.budget_id.clone(),
            )
        };
        key(&w[0]) <= key(&w[1])
    }));
    let first = &report.budgets[0].budget;
    let expected = budgets
        .iter()
        .min_by_key(|b| (budget_health(b.balance).score, &b.budget_name, &b.budget_id))
        .unwrap();
    assert_eq!(first.budget_id, expected.budget_id);
}

// ---- distribution and alerts ------------------------------------------------------------------

#[test]
fn distribution_uses_the_pages_ranges() {
    let cards = [
        card("a", "-5.00"),
        card("b", "99.99"),
        card("c", "100.00"),
        card("d", "499.99"),
        card("e", "500"),
        card("f", "999.99"),
        card("g", "1000.00"),
        card("h", "1468.87"),
        card("i", "4999.99"),
        card("j", "5000.00"),
    ];
    let dist = card_balance_distribution(&cards);
    let buckets: Vec<(&str, usize, String)> = dist
        .buckets
        .iter()
        .map(|b| (b.bucket.label(), b.count, b.total.to_string()))
        .collect();
    assert_eq!(
        buckets,
        [
            ("$0-$100", 2, "94.99".to_owned()),
            ("$100-$500", 2, "599.99".to_owned()),
            ("$500-$1,000", 2, "1499.99".to_owned()),
            ("$1,000-$5,000", 3, "7468.86".to_owned()),
            ("$5,000+", 1, "5000.00".to_owned()),
        ]
    );
    assert_eq!(dist.count, 10);
    assert_eq!(dist.total.to_string(), "14663.83");
    assert_eq!(dist.average.unwrap().to_string(), "1466.38");
    assert_eq!(dist.min, Some(d("-5")));
    assert_eq!(dist.max, Some(d("5000")));
    assert_eq!(BalanceBucket::of(d("100")), BalanceBucket::From100To500);
    assert_eq!(BalanceBucket::From5000.to_string(), "$5,000+");
}

#[test]
fn distribution_of_nothing() {
    let dist = card_balance_distribution(&[]);
    assert_eq!(dist.count, 0);
    assert_eq!(dist.total, Decimal::ZERO);
    assert_eq!((dist.average, dist.min, dist.max), (None, None, None));
    assert_eq!(dist.buckets.len(), 5);
    assert!(dist.buckets.iter().all(|b| b.count == 0));
}

#[test]
fn card_alert_levels_use_the_pages_thresholds() {
    let t = CardAlertThresholds::default();
    assert_eq!(
        (t.critical, t.warning, t.low),
        (d("50"), d("100"), d("250"))
    );
    let cases = [
        ("-1", CardAlertLevel::Critical),
        ("50.00", CardAlertLevel::Critical),
        ("50.01", CardAlertLevel::Warning),
        ("100.00", CardAlertLevel::Warning),
        ("100.01", CardAlertLevel::Low),
        ("250", CardAlertLevel::Low),
        ("250.01", CardAlertLevel::Normal),
        ("1468.87", CardAlertLevel::Normal),
    ];
    for (balance, level) in cases {
        assert_eq!(classify_card(d(balance), &t), level, "{balance}");
    }
    assert_eq!(CardAlertLevel::Critical.to_string(), "CRITICAL");
    assert!(CardAlertLevel::Warning.needs_alert() && !CardAlertLevel::Low.needs_alert());
    let own = CardAlertThresholds::new(d("10"), d("20"), d("30"));
    assert_eq!(classify_card(d("25"), &own), CardAlertLevel::Low);
}

// ---- funds ------------------------------------------------------------------------------------

#[test]
fn funds_check_is_exact() {
    // The page's example: a 500.00 transaction on the 1468.87 card.
    assert_eq!(
        check_funds(d("1468.87"), d("500.00")).unwrap(),
        FundsCheck::Sufficient {
            remaining: d("968.87")
        }
    );
    assert_eq!(
        check_funds(d("500.00"), d("500")).unwrap(),
        FundsCheck::Sufficient {
            remaining: Decimal::ZERO
        }
    );
    let short = check_funds(d("0.10"), d("0.30")).unwrap();
    assert_eq!(short, FundsCheck::Insufficient { shortage: d("0.2") });
    assert!(!short.is_sufficient());
    for bad in ["0", "0.00", "-1"] {
        // The one error of the reports: invalid input (what the SDK's `ErrorKind::Validation` was).
        let e: ahrvo_reports::InvalidInput = check_funds(d("100"), d(bad)).unwrap_err();
        assert!(
            e.message()
                .starts_with("the amount must be greater than zero"),
            "{bad}: {e}"
        );
    }
    let e: ahrvo_reports::InvalidInput = check_funds(Decimal::MIN, Decimal::MAX).unwrap_err();
    assert!(e.message().contains("out of range"), "{e}");
}

// ---- reconcile --------------------------------------------------------------------------------

#[test]
fn reconcile_matches_within_one_cent_only() {
    let expected = vec![
        ("card201907021723076245".into(), d("1468.87")),
        ("card201907021723076246".into(), d("2500.00")),
        ("card201907021723076247".into(), d("850.50")),
        ("card-missing".into(), d("1.00")),
        ("card-unknown".into(), d("2.00")),
        ("card-low".into(), d("10.00")),
    ];
    let actual = vec![
        card("card201907021723076245", "1468.87"),
        card("card201907021723076246", "2500.01"),
        card("card201907021723076247", "850.489"),
        card("card-low", "9.99"),
    ];
    let mut actual: Vec<(CardId, Result<CardBalance, Error>)> =
        actual.into_iter().map(|(id, b)| (id, Ok(b))).collect();
    actual.push((
        "card-unknown".into(),
        Err(Error::new(ErrorKind::NotFound, "card does not exist")),
    ));
    let lines = reconcile(&expected, &actual);
    assert_eq!(lines.len(), 6);
    assert_eq!(
        lines[0].status,
        ReconcileStatus::Match {
            actual: d("1468.87"),
            difference: Decimal::ZERO
        }
    );
    assert_eq!(
        lines[0].card_number.as_ref().unwrap().as_str(),
        "5157********2686"
    );
    // 0.01 is within the tolerance…
    assert!(lines[1].is_match());
    // …0.011 is not.
    assert_eq!(
        lines[2].status,
        ReconcileStatus::Discrepancy {
            expected: d("850.50"),
            actual: d("850.489"),
            difference: d("-0.011"),
        }
    );
    assert_eq!(lines[3].status, ReconcileStatus::Missing);
    assert!(matches!(
        &lines[4].status,
        ReconcileStatus::Failed { error } if error.kind() == ErrorKind::NotFound && error.to_string().contains("card does not exist")
    ));
    assert!(
        lines[5].is_match(),
        "9.99 vs 10.00 is a one-cent difference"
    );

    let summary = reconcile_summary(&lines);
    assert_eq!(
        (
            summary.checked,
            summary.matched,
            summary.discrepancies,
            summary.missing,
            summary.failed
        ),
        (6, 3, 1, 1, 1)
    );
    assert_eq!(summary.total_discrepancy, d("0.011"));
    assert!(!summary.all_matched());
    assert!(reconcile(&[], &actual).is_empty());
    assert!(reconcile_summary::<&Error>(&[]).all_matched());
}

#[test]
fn reconcile_survives_extreme_amounts() {
    let expected = vec![("c".into(), Decimal::MIN)];
    let actual: Vec<(CardId, Result<CardBalance, Error>)> =
        vec![(card("c", "0").0, Ok(card("c", "0").1))];
    let lines = reconcile(&expected, &actual);
    assert!(matches!(
        lines[0].status,
        ReconcileStatus::Discrepancy { difference, .. } if difference == Decimal::MAX
    ));
}

#[test]
fn expected_csv_is_read_exactly() {
    let text = "\u{feff}Card_ID , Balance\r\n\r\ncard201907021723076245,1468.87\r\n\"card201907021723076246\", \"2500.00\"\r\ncard3,850.5\r\n";
    let rows = parse_expected_csv(text).unwrap();
    let shown: Vec<(String, String)> = rows
        .iter()
        .map(|(id, b)| (id.to_string(), b.to_string()))
        .collect();
    assert_eq!(
        shown,
        [
            ("card201907021723076245".to_owned(), "1468.87".to_owned()),
            ("card201907021723076246".to_owned(), "2500.00".to_owned()),
            ("card3".to_owned(), "850.5".to_owned()),
        ]
    );
    assert!(parse_expected_csv("card_id,balance\n").unwrap().is_empty());
}

#[test]
fn expected_csv_errors_name_the_line() {
    let cases = [
        ("", "line 1:"),
        ("\n\n", "line 1:"),
        ("card1,12.00\n", "line 1:"),
        ("card_id,balance,extra\n", "line 1:"),
        ("card_id,balance\ncard1,12.00,x\n", "line 2:"),
        ("card_id,balance\ncard1\n", "line 2:"),
        ("card_id,balance\n,12.00\n", "line 2:"),
        ("card_id,balance\ncard1,1.00\n\ncard2,$3\n", "line 4:"),
        ("card_id,balance\ncard1,1e3\n", "line 2:"),
        ("card_id,balance\ncard1,\n", "line 2:"),
        ("card_id,balance\ncard1,1.00\ncard1,2.00\n", "line 3:"),
    ];
    for (text, prefix) in cases {
        let e: ahrvo_reports::InvalidInput = parse_expected_csv(text).unwrap_err();
        assert!(e.message().starts_with(prefix), "{text:?}: {e}");
    }
    let e = parse_expected_csv("card_id,balance\ncard1,1.00\ncard1,2.00\n").unwrap_err();
    assert!(e.message().contains("line 2"), "{e}");
}

// ---- changes ----------------------------------------------------------------------------------

#[test]
fn budget_diffs_by_id() {
    let previous = page_budgets();
    let mut current = page_budgets();
    current[0].balance = d("44250.75"); // Marketing spent 1000.00
    current[1].budget_name = "Engineering".into(); // renamed, same balance
    current.remove(2); // Travel closed
    current.push(budget("ci4", "New", "0.00", Currency::USD));
    let changes = diff_budgets(&previous, &current);
    assert_eq!(changes.len(), 4, "{changes:#?}");
    assert!(matches!(
        &changes[0],
        BudgetChange::Changed { delta, .. } if *delta == d("-1000.00")
    ));
    assert_eq!(changes[1].delta(), Some(Decimal::ZERO));
    assert!(matches!(&changes[2], BudgetChange::Added(b) if b.budget_id == "ci4"));
    assert!(
        matches!(&changes[3], BudgetChange::Removed(b) if b.budget_id == "ci202507232016182663")
    );

    let big = significant_changes(&changes, d("1000"));
    let ids: Vec<&str> = big.iter().map(|c| c.budget_id().as_str()).collect();
    assert_eq!(
        ids,
        ["ci202507232016182661", "ci4", "ci202507232016182663"],
        "|delta| >= 1000 is inclusive; added and removed are kept"
    );
    assert_eq!(significant_changes(&changes, d("1000.01")).len(), 2);
}

#[test]
fn budget_diffs_edges() {
    assert!(diff_budgets(&[], &[]).is_empty());
    let same = page_budgets();
    assert!(diff_budgets(&same, &same).is_empty());
    // Scale alone is no change.
    let a = [budget("x", "X", "100.0", Currency::USD)];
    let b = [budget("x", "X", "100.00", Currency::USD)];
    assert!(diff_budgets(&a, &b).is_empty());
    // A currency change is a removal and an addition.
    let c = [budget("x", "X", "100.00", Currency::EUR)];
    let changes = diff_budgets(&a, &c);
    assert!(matches!(
        changes.as_slice(),
        [BudgetChange::Removed(_), BudgetChange::Added(_)]
    ));
    // Duplicate ids: the first entry counts; deltas saturate.
    let min = [
        budget("x", "X", "-79228162514264337593543950335", Currency::USD),
        budget("x", "X", "5", Currency::USD),
    ];
    let max = [budget(
        "x",
        "X",
        "79228162514264337593543950335",
        Currency::USD,
    )];
    let changes = diff_budgets(&min, &max);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].delta(), Some(Decimal::MAX));
}

// ---- CSV, RFC 4180 both ways ----------------------------------------------------------------

#[test]
fn expected_csv_reads_quoted_fields_as_written_by_a_csv_writer() {
    let ids = [
        "card, with a comma",
        "card \"quoted\"\nand a new line",
        "plain",
    ];
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(["card_id", "balance"]).unwrap();
    for (i, id) in ids.iter().enumerate() {
        writer.write_record([*id, &format!("{i}.50")]).unwrap();
    }
    let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
    assert!(text.contains("\"card, with a comma\""), "{text}");
    assert!(
        text.contains("\"card \"\"quoted\"\"\nand a new line\""),
        "{text}"
    );
    let rows = parse_expected_csv(&text).unwrap();
    let read: Vec<(&str, String)> = rows
        .iter()
        .map(|(id, b)| (id.as_str(), b.to_string()))
        .collect();
    assert_eq!(
        read,
        [
            (ids[0], "0.50".to_owned()),
            (ids[1], "1.50".to_owned()),
            (ids[2], "2.50".to_owned()),
        ]
    );
    // A line break inside a quoted field does not shift the line numbers of errors.
    let e = parse_expected_csv(&format!("{text}plain,9\n")).unwrap_err();
    assert!(e.message().starts_with("line 6:"), "{e}");
}

// ---- serialization ----------------------------------------------------------------------------

#[test]
fn reports_serialize_money_as_exact_strings() {
    let budgets = page_budgets();
    let report = budget_report(&budgets, d("20000"));
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["threshold"], "20000");
    let usd = &json["currencies"][0];
    assert_eq!(usd["currency"], "USD");
    assert_eq!(usd["count"], 3);
    assert_eq!(usd["total"], "136651.25");
    assert_eq!(usd["average"], "45550.42");
    assert_eq!(usd["total_saturated"], false);
    assert_eq!(usd["highest"]["balance"], "78900.00");
    assert_eq!(usd["shares"][0]["percent"], "57.74");
    assert_eq!(usd["low_balance"][0]["budget_name"], "Travel Expenses");
    let first = &json["budgets"][0];
    assert_eq!(
        first,
        &serde_json::json!({
            "budget_id": "ci202507232016182663",
            "budget_name": "Travel Expenses",
            "balance": "12500.50",
            "currency": "USD",
            "share_percent": "9.15",
            "health_score": 60,
            "health_status": "Fair",
            "low_balance": true
        })
    );
    assert_eq!(report.low_count(), 1);

    let cards = [card("a", "40.00"), card("b", "1468.87")];
    let report = card_report(&cards, CardAlertThresholds::default());
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(
        json["thresholds"],
        serde_json::json!({"critical": "50.00", "warning": "100.00", "low": "250.00"})
    );
    assert_eq!(
        json["distribution"]["buckets"][1],
        serde_json::json!({"range": "$100-$500", "count": 0, "total": "0.00"})
    );
    assert_eq!(json["distribution"]["average"], "754.44");
    assert_eq!(
        json["cards"][0],
        serde_json::json!({
            "card_id": "a",
            "card_number": "5157********2686",
            "available_balance": "40.00",
            "range": "$0-$100",
            "alert_level": "CRITICAL",
            "alert": true
        })
    );
    let empty = serde_json::to_value(card_balance_distribution(&[])).unwrap();
    assert_eq!(empty["average"], serde_json::Value::Null);
    assert_eq!(empty["total"], "0.00");

    let (id, balance) = card("c", "1468.87");
    let check = check_card_funds(id, balance, d("1468.87")).unwrap();
    assert_eq!(
        serde_json::to_value(&check).unwrap(),
        serde_json::json!({
            "card_id": "c",
            "card_number": "5157********2686",
            "available_balance": "1468.87",
            "amount": "1468.87",
            "sufficient": true,
            "remaining": "0.00"
        })
    );
}

#[test]
fn a_reconciliation_serializes_one_flat_object_per_line() {
    let expected = vec![
        ("m".into(), d("1468.87")),
        ("d".into(), d("1000")),
        ("x".into(), d("1.00")),
        ("f".into(), d("2.00")),
    ];
    let actual: Vec<(CardId, Result<CardBalance, Error>)> = vec![
        (card("m", "1468.87").0, Ok(card("m", "1468.87").1)),
        (card("d", "1468.87").0, Ok(card("d", "1468.87").1)),
        (
            "f".into(),
            Err(Error::new(ErrorKind::NotFound, "card does not exist")),
        ),
    ];
    let report = ReconcileReport::new(reconcile(&expected, &actual));
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(
        json["summary"],
        serde_json::json!({
            "checked": 4, "matched": 1, "discrepancies": 1, "missing": 1, "failed": 1,
            "total_discrepancy": "468.87"
        })
    );
    assert_eq!(
        json["lines"],
        serde_json::json!([
            {"card_id": "m", "card_number": "5157********2686", "expected": "1468.87",
             "status": "MATCH", "actual": "1468.87", "difference": "0.00"},
            {"card_id": "d", "card_number": "5157********2686", "expected": "1000",
             "status": "DISCREPANCY", "actual": "1468.87", "difference": "468.87"},
            {"card_id": "x", "expected": "1.00", "status": "MISSING"},
            {"card_id": "f", "expected": "2.00", "status": "FAILED",
             "error": "getCardBalance: NotFound: card does not exist"},
        ])
    );
    assert_eq!(report.lines[1].status.label(), "DISCREPANCY");
    assert_eq!(report.lines[1].status.difference(), Some(d("468.87")));
    assert!(report.lines[3].status.error().is_some());
}

#[test]
fn budget_changes_serialize_as_events() {
    let previous = page_budgets();
    let mut current = page_budgets();
    current[0].balance = d("44250.75");
    current.remove(2);
    current.push(budget("ci4", "New", "0.00", Currency::EUR));
    let changes = diff_budgets(&previous, &current);
    let json = serde_json::to_value(&changes).unwrap();
    assert_eq!(
        json,
        serde_json::json!([
            {"event": "changed", "budget_id": "ci202507232016182661",
             "budget_name": "Marketing Department Budget", "currency": "USD",
             "previous_balance": "45250.75", "balance": "44250.75", "delta": "-1000.00"},
            {"event": "added", "budget_id": "ci4", "budget_name": "New", "currency": "EUR",
             "balance": "0.00"},
            {"event": "removed", "budget_id": "ci202507232016182663",
             "budget_name": "Travel Expenses", "currency": "USD", "previous_balance": "12500.50"},
        ])
    );
}
