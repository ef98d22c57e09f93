//! The SDK end to end against an embedded sandbox: no credentials, no network.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! It starts `ahrvo-sandbox` in-process on 127.0.0.1 (seeded with the API pages' own examples),
//! then creates a budget, funds it, lists every budget balance, queries a Dedicated Funds Card,
//! fetches a Balance and a Balance Entry, and shows the typed error of a duplicate budget name.

use ahrvo::{Client, Config, ErrorKind};
use ahrvo_sandbox::Sandbox;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The sandbox's own credentials on both sides: `Config::sandbox` never sends the AHRVO_*
    // credentials of your shell to it.
    let sandbox = Sandbox::start_seeded().await?;
    println!("Ahrvo SDK quickstart: sandbox at {}\n", sandbox.base_url());
    let client = Client::new(Config::sandbox(sandbox.base_url())?)?;
    let issuing = client.issuing()?;
    let payments = client.payments()?;

    println!("1. Create a budget account");
    let name = "Quickstart Marketing Budget";
    let budget_id = issuing.create_budget(name).await?.budget_id;
    println!("   created {name:?} → budget_id {budget_id}\n");

    println!("2. Fund it (sandbox admin API, not part of Ahrvo's API)");
    sandbox.fund_budget(budget_id.as_str(), "2500.00")?;
    println!("   +2500.00 USD\n");

    println!("3. List all budget balances");
    let budgets = issuing.list_budget_balances().await?;
    for b in &budgets {
        println!(
            "   {:<24} {:<30} {:>12} {}",
            b.budget_id.as_str(),
            b.budget_name,
            b.balance.to_string(),
            b.currency
        );
    }
    println!("   ({} budgets)\n", budgets.len());

    println!("4. Query a Dedicated Funds Card balance");
    let card = issuing.get_card_balance("card201907021723076245").await?;
    println!(
        "   card {} available {}\n",
        card.card_number, card.available_balance
    );

    println!("5. Fetch a Balance (Payments, integer cents)");
    let balance = payments
        .get_balance("balance_dyz5APsJebDef9oTW9J2Hc")
        .await?;
    let c = balance.currency;
    println!(
        "   {} available {} {c}, pending {} {c}, posted {} {c} (posted = available + pending: {})\n",
        balance.id,
        balance.available_amount.to_decimal(c),
        balance.pending_amount.to_decimal(c),
        balance.posted_amount.to_decimal(c),
        balance.is_consistent()
    );

    println!("6. Fetch a Balance Entry");
    let entry = payments
        .get_balance_entry("balance_entry_i5YzFZYEh6CoCrN2zqgPdW")
        .await?;
    println!(
        "   {} {} {} {} ({})\n",
        entry.id,
        entry.entry_type,
        entry.amount.to_decimal(entry.currency),
        entry.currency,
        entry.state
    );

    println!("7. A typed error: create the same budget name again");
    match issuing.create_budget(name).await {
        Err(e) if e.kind() == ErrorKind::Conflict => {
            println!("   error:   {e}");
            println!("   kind:    {}", e.kind());
            if let Some(status) = e.status() {
                println!("   status:  {}", status.as_u16());
            }
            println!("   code:    {}", e.api_code().unwrap_or("-"));
            println!("   message: {}", e.message());
        }
        other => return Err(format!("expected a conflict, got {other:?}").into()),
    }
    println!("\nDone.");
    Ok(())
}
