//! `ahrvo demo`: a numbered walkthrough of the SDK against an embedded, seeded sandbox.

use ahrvo::{
    Client, Config, Environment, ErrorKind, IssuingCredentials, PaymentsCredentials,
    SANDBOX_ACCESS_TOKEN, SANDBOX_API_KEY, SANDBOX_PASSWORD, SANDBOX_USERNAME,
};
use ahrvo_sandbox::{CardKind, Sandbox, SandboxConfig};

use crate::exit::{CliError, CliResult, Status};
use crate::output::escape;
use crate::{balances, budgets, output};

const BUDGET_NAME: &str = "Demo Marketing Budget";
const SEEDED_BALANCE: &str = "balance_dyz5APsJebDef9oTW9J2Hc";
const SEEDED_ENTRY: &str = "balance_entry_i5YzFZYEh6CoCrN2zqgPdW";

fn admin_error(e: ahrvo_sandbox::AdminError) -> CliError {
    CliError::Other(format!("sandbox admin: {e}"))
}

/// Indents every line of a block by three spaces.
fn indent(text: &str) -> String {
    text.lines().map(|l| format!("   {l}\n")).collect()
}

/// Runs the walkthrough. Every step prints what it does and what came back.
pub async fn run() -> CliResult {
    let sandbox = Sandbox::start_with(SandboxConfig::default().with_seed(true))
        .await
        .map_err(crate::sandbox::start_error)?;
    let url = sandbox.base_url().to_owned();
    output::print(&format!(
        "Ahrvo SDK walkthrough against an embedded sandbox at {url}\n\
         (seeded with the API pages' examples; no credentials or network needed)\n\n"
    ))?;
    let config = Config::new(Environment::custom(&url)?)
        .with_issuing(IssuingCredentials::new(
            SANDBOX_API_KEY,
            SANDBOX_ACCESS_TOKEN,
        ))
        .with_payments(PaymentsCredentials::new(SANDBOX_USERNAME, SANDBOX_PASSWORD));
    let client = Client::new(config)?;
    let issuing = client.issuing()?;
    let payments = client.payments()?;
    let p = |text: String| output::print(&text);

    p(format!(
        "1. Create a budget account\n   $ ahrvo budgets create \"{BUDGET_NAME}\"\n"
    ))?;
    let budget_id = issuing.create_budget(BUDGET_NAME).await?.budget_id;
    p(format!(
        "   created \"{BUDGET_NAME}\": budget_id {}\n\n",
        escape(budget_id.as_str())
    ))?;

    p(
        "2. Fund it with 2500.00 USD (the sandbox's admin helper: not part of Ahrvo's API)\n"
            .into(),
    )?;
    sandbox
        .fund_budget(budget_id.as_str(), "2500.00")
        .map_err(admin_error)?;
    p("   funded: +2500.00 USD\n\n".into())?;

    p("3. List all budget balances\n   $ ahrvo budgets list\n".into())?;
    let all = issuing.list_budget_balances().await?;
    p(indent(&budgets::budget_table(&all).render()))?;
    p(format!("   ({} budget accounts)\n\n", all.len()))?;

    p("4. Query a Dedicated Funds Card's balance\n".into())?;
    let card_id = sandbox
        .create_card(budget_id.as_str(), CardKind::Dedicated)
        .map_err(admin_error)?;
    sandbox
        .top_up_card(&card_id, "500.00")
        .map_err(admin_error)?;
    let shown = escape(&card_id);
    p(format!(
        "   (sandbox: issued card {shown} on the new budget and moved 500.00 to it)\n\
         \x20  $ ahrvo cards balance {shown}\n"
    ))?;
    let card = issuing.get_card_balance(card_id.as_str()).await?;
    p(format!(
        "   card {} ({}): available {}\n\n",
        escape(&card_id),
        escape(card.card_number.as_str()),
        card.available_balance
    ))?;

    p(format!(
        "5. Fetch a Balance (Payments: amounts in integer cents)\n   $ ahrvo balances get {SEEDED_BALANCE}\n"
    ))?;
    let balance = payments.get_balance(SEEDED_BALANCE).await?;
    p(indent(&balances::balance_table(&balance).render()))?;
    p(format!(
        "   posted = available + pending: {}\n\n",
        if balance.is_consistent() { "yes" } else { "NO" }
    ))?;

    p(format!(
        "6. Fetch a Balance Entry\n   $ ahrvo balance-entries get {SEEDED_ENTRY}\n"
    ))?;
    let entry = payments.get_balance_entry(SEEDED_ENTRY).await?;
    p(indent(&balances::entry_table(&entry).render()))?;
    p("\n".into())?;

    p(format!(
        "7. A typed error: create \"{BUDGET_NAME}\" again\n   $ ahrvo budgets create \"{BUDGET_NAME}\"\n"
    ))?;
    match issuing.create_budget(BUDGET_NAME).await {
        Err(e) if e.kind() == ErrorKind::Conflict => {
            p(format!(
                "   kind:    {:?}\n   status:  {}\n   code:    {}\n   message: {}\n\
                 \x20  the CLI prints \"error: {}\" and exits {}\n\n",
                e.kind(),
                e.status()
                    .map(|s| s.as_u16().to_string())
                    .unwrap_or_default(),
                escape(e.api_code().unwrap_or("-")),
                escape(e.message()),
                escape(&e.to_string()),
                crate::exit::Status::of_kind(e.kind()).code(),
            ))?;
        }
        Err(e) => return Err(e.into()),
        Ok(created) => {
            return Err(CliError::Other(format!(
                "expected a conflict for a duplicate name, but budget {} was created",
                created.budget_id
            )));
        }
    }
    p("Done: every step ran against the embedded sandbox, which stops now.\n".into())?;
    Ok(Status::Ok)
}
