//! Every operation end to end through the facade against the in-process sandbox, including each
//! documented error status, with the sandbox's default credentials.

use ahrvo::issuing::ErrorKind;
use ahrvo::types::{BalanceEntryState, BalanceEntryType};
use ahrvo::{Cents, Client, Config, Currency, IssuingCredentials, PaymentsCredentials};
use ahrvo_sandbox::{CardKind, NewBalance, NewBalanceEntry, Sandbox};

fn client(sandbox: &Sandbox) -> Client {
    let config = Config::new(ahrvo::Environment::custom(sandbox.base_url()).unwrap())
        .with_issuing(IssuingCredentials::new(
            ahrvo::SANDBOX_API_KEY,
            ahrvo::SANDBOX_ACCESS_TOKEN,
        ))
        .with_payments(PaymentsCredentials::new(
            ahrvo::SANDBOX_USERNAME,
            ahrvo::SANDBOX_PASSWORD,
        ));
    Client::new(config).unwrap()
}

#[test]
fn the_facade_defaults_match_the_sandbox_defaults() {
    assert_eq!(ahrvo::SANDBOX_API_KEY, ahrvo_sandbox::DEFAULT_API_KEY);
    assert_eq!(
        ahrvo::SANDBOX_ACCESS_TOKEN,
        ahrvo_sandbox::DEFAULT_ACCESS_TOKEN
    );
    assert_eq!(ahrvo::SANDBOX_USERNAME, ahrvo_sandbox::DEFAULT_USERNAME);
    assert_eq!(ahrvo::SANDBOX_PASSWORD, ahrvo_sandbox::DEFAULT_PASSWORD);
}

#[tokio::test]
async fn seeded_page_examples_work_as_is() {
    let sandbox = Sandbox::start_seeded().await.unwrap();
    let client = client(&sandbox);
    let budgets = client
        .issuing()
        .unwrap()
        .list_budget_balances()
        .await
        .unwrap();
    let shown: Vec<(String, String)> = budgets
        .iter()
        .map(|b| (b.budget_id.to_string(), b.balance.to_string()))
        .collect();
    assert!(
        shown.contains(&("ci202507232016182662".into(), "78900.00".into())),
        "{shown:?}"
    );

    let card = client
        .issuing()
        .unwrap()
        .get_card_balance("card201907021723076245")
        .await
        .unwrap();
    assert_eq!(card.card_number.as_str(), "5157********2686");
    assert_eq!(card.available_balance.to_string(), "1468.87");

    let payments = client.payments().unwrap();
    let balance = payments
        .get_balance("balance_dyz5APsJebDef9oTW9J2Hc")
        .await
        .unwrap();
    assert!(balance.is_consistent());
    let entry = payments
        .get_balance_entry("balance_entry_i5YzFZYEh6CoCrN2zqgPdW")
        .await
        .unwrap();
    assert_eq!(entry.entry_type, BalanceEntryType::BalanceTopUpAch);
    assert_eq!(entry.state, BalanceEntryState::Succeeded);
}

#[tokio::test]
async fn a_new_budget_appears_at_zero_then_funded_and_duplicates_conflict() {
    let sandbox = Sandbox::start().await.unwrap();
    let issuing = client(&sandbox).issuing().unwrap().clone();
    assert!(
        issuing.list_budget_balances().await.unwrap().is_empty(),
        "404 → empty"
    );

    let id = issuing
        .create_budget("  Q1 2026 Operations ")
        .await
        .unwrap()
        .budget_id;
    let listed = issuing.list_budget_balances().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].budget_id, id);
    assert_eq!(listed[0].budget_name, "Q1 2026 Operations");
    assert_eq!(listed[0].balance.to_string(), "0.00");
    assert_eq!(listed[0].currency, Currency::USD);

    sandbox.fund_budget(id.as_str(), "1500.25").unwrap();
    let listed = issuing.list_budget_balances().await.unwrap();
    assert_eq!(listed[0].balance.to_string(), "1500.25");

    let e = issuing
        .create_budget("Q1 2026 Operations")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert_eq!(e.status().map(|s| s.as_u16()), Some(409));
    assert!(!e.message().is_empty());
}

#[tokio::test]
async fn card_errors_from_the_sandbox() {
    let sandbox = Sandbox::start().await.unwrap();
    let budget = sandbox.create_budget("Cards", "USD").unwrap();
    sandbox.fund_budget(&budget, "100.00").unwrap();
    let dedicated = sandbox.create_card(&budget, CardKind::Dedicated).unwrap();
    let shared = sandbox.create_card(&budget, CardKind::Shared).unwrap();
    sandbox.top_up_card(&dedicated, "12.34").unwrap();
    let issuing = client(&sandbox).issuing().unwrap().clone();

    let card = issuing.get_card_balance(dedicated.as_str()).await.unwrap();
    assert_eq!(card.available_balance.to_string(), "12.34");
    let e = issuing.get_card_balance(shared.as_str()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadRequest);
    assert!(e.message().contains("Dedicated"), "{}", e.message());
    let e = issuing
        .get_card_balance("card000000000000000000")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn payments_errors_and_a_settling_ach_entry() {
    let sandbox = Sandbox::start().await.unwrap();
    let balance_id = sandbox.create_balance(NewBalance::new()).unwrap();
    let payments = client(&sandbox).payments().unwrap().clone();
    let entry_id = sandbox
        .post_balance_entry(
            &balance_id,
            NewBalanceEntry::new("BALANCE_TOP_UP_ACH", 25_000),
        )
        .unwrap();

    let pending = payments.get_balance(balance_id.as_str()).await.unwrap();
    assert_eq!(
        (pending.available_amount, pending.pending_amount),
        (Cents::ZERO, Cents::new(25_000))
    );
    assert!(pending.is_consistent());
    let entry = payments.get_balance_entry(entry_id.as_str()).await.unwrap();
    assert_eq!(entry.state, BalanceEntryState::Pending);
    assert_eq!(entry.amount, Cents::new(25_000));

    sandbox.settle_balance_entry(&entry_id).unwrap();
    let settled = payments.get_balance(balance_id.as_str()).await.unwrap();
    assert_eq!(
        (settled.available_amount, settled.pending_amount),
        (Cents::new(25_000), Cents::ZERO)
    );
    assert_eq!(settled.posted_amount, Cents::new(25_000));
    let entry = payments.get_balance_entry(entry_id.as_str()).await.unwrap();
    assert_eq!(entry.state, BalanceEntryState::Succeeded);
    assert!(entry.posted_at.is_some());

    for e in [
        payments.get_balance("balance_missing").await.unwrap_err(),
        payments
            .get_balance_entry("balance_entry_missing")
            .await
            .unwrap_err(),
        payments.get_balance("a/b").await.unwrap_err(),
    ] {
        assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
        assert!(!e.message().is_empty());
    }
}

#[tokio::test]
async fn wrong_or_disabled_credentials_map_to_401_and_403() {
    let sandbox = Sandbox::start_seeded().await.unwrap();
    let url = ahrvo::Environment::custom(sandbox.base_url()).unwrap();
    let wrong = Client::new(
        Config::new(url.clone())
            .with_issuing(IssuingCredentials::new(
                "wrong-key",
                ahrvo::SANDBOX_ACCESS_TOKEN,
            ))
            .with_payments(PaymentsCredentials::new("sandbox", "wrong-password")),
    )
    .unwrap();
    let e = wrong
        .issuing()
        .unwrap()
        .list_budget_balances()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthorized);
    let e = wrong
        .payments()
        .unwrap()
        .get_balance("balance_dyz5APsJebDef9oTW9J2Hc")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthorized);

    let wrong_token = Client::new(
        Config::new(url.clone())
            .with_issuing(IssuingCredentials::new(ahrvo::SANDBOX_API_KEY, "expired")),
    )
    .unwrap();
    let e = wrong_token
        .issuing()
        .unwrap()
        .create_budget("x")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthorized);

    let forbidden = Client::new(Config::new(url).with_issuing(IssuingCredentials::new(
        sandbox.forbidden_api_key(),
        ahrvo::SANDBOX_ACCESS_TOKEN,
    )))
    .unwrap();
    let e = forbidden
        .issuing()
        .unwrap()
        .list_budget_balances()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden);
    assert!(
        forbidden.payments().is_err(),
        "no payments credentials configured"
    );
}
