//! `ahrvo budgets list | create | report`; `top-up`, `top-up-status` ([`crate::top_ups`]) and
//! `transfer`, `transfer-status` ([`crate::transfers`]).

use ahrvo::Decimal;
use ahrvo::issuing::operations::{CREATE_BUDGET, LIST_BUDGET_BALANCES};
use ahrvo::reports::issuing::budget_report;
use ahrvo::types::{BudgetBalance, CreateBudgetResult};

use crate::cli::{BudgetsCommand, OutputFormat};
use crate::exit::{CliResult, Status};
use crate::output::{self, Table, left, right};
use crate::{Context, raw};

/// Runs a `budgets` subcommand.
pub async fn run(ctx: &Context, command: BudgetsCommand) -> CliResult {
    match command {
        BudgetsCommand::List => list(ctx).await,
        BudgetsCommand::Create { name } => create(ctx, &name).await,
        BudgetsCommand::Report { threshold } => report(ctx, threshold).await,
        BudgetsCommand::TopUp {
            budget_id,
            amount,
            currency,
            order_id,
        } => crate::top_ups::top_up_budget(ctx, &budget_id, amount, currency, order_id).await,
        BudgetsCommand::TopUpStatus { order_id } => {
            crate::top_ups::top_up_status(ctx, &order_id).await
        }
        BudgetsCommand::Transfer {
            from,
            to,
            amount,
            currency,
            target_currency,
        } => crate::transfers::transfer(ctx, &from, &to, amount, currency, target_currency).await,
        BudgetsCommand::TransferStatus { id } => crate::transfers::transfer_status(ctx, &id).await,
    }
}

async fn list(ctx: &Context) -> CliResult {
    let client = ctx.client()?;
    let issuing = client.issuing()?;
    let budgets = issuing.list_budget_balances().await?;
    // JSON: the reply's `data` as sent; the documented 404 of no budgets has none: `[]`.
    let url = raw::url_of(issuing.base_url(), LIST_BUDGET_BALANCES);
    let reply = ctx
        .reply(url.as_deref())
        .and_then(|b| raw::issuing_data(&b));
    output::emit_reply(ctx.format(), reply, &budgets, || budget_table(&budgets))?;
    Ok(Status::Ok)
}

/// The table of budget balances: id, name, balance (right-aligned), currency.
pub fn budget_table(budgets: &[BudgetBalance]) -> Table {
    let mut table = Table::new(vec![
        left("BUDGET ID", "budget_id"),
        left("NAME", "budget_name"),
        right("BALANCE", "balance"),
        left("CURRENCY", "currency"),
    ]);
    for b in budgets {
        table.push(vec![
            b.budget_id.to_string().into(),
            b.budget_name.clone().into(),
            b.balance.to_string().into(),
            b.currency.to_string().into(),
        ]);
    }
    table
}

async fn create(ctx: &Context, name: &str) -> CliResult {
    let client = ctx.client()?;
    let issuing = client.issuing()?;
    let name = ahrvo::issuing::validate_budget_name(name)?;
    let created = issuing.create_budget(name).await?;
    // JSON: the create's reply `data` as sent; a recovered id came from a list, not a reply.
    let reply = if created.recovered {
        output::note(
            "note: the create's outcome was unknown at first; the budget was found by its name",
        );
        None
    } else {
        let url = raw::url_of(issuing.base_url(), CREATE_BUDGET);
        ctx.reply(url.as_deref())
            .and_then(|b| raw::issuing_data(&b))
    };
    let result = CreateBudgetResult::new(created.budget_id);
    output::emit_reply(ctx.format(), reply, &result, || {
        Table::record(
            vec![left("BUDGET ID", "budget_id"), left("NAME", "budget_name")],
            vec![result.budget_id.to_string().into(), name.into()],
        )
    })?;
    Ok(Status::Ok)
}

/// The default low-balance threshold of `budgets report`: the budget page's example, 1000.00.
pub const DEFAULT_LOW_THRESHOLD: Decimal = Decimal::from_parts(100_000, 0, 0, false, 2);

async fn report(ctx: &Context, threshold: Option<Decimal>) -> CliResult {
    let threshold = threshold.unwrap_or(DEFAULT_LOW_THRESHOLD);
    let client = ctx.client()?;
    let budgets = client.issuing()?.list_budget_balances().await?;
    let report = budget_report(&budgets, threshold);
    let low = report.low_count();
    let budgets_table = || {
        let mut table = Table::new(vec![
            left("BUDGET ID", "budget_id"),
            left("NAME", "budget_name"),
            right("BALANCE", "balance"),
            left("CURRENCY", "currency"),
            right("SHARE %", "share_percent"),
            right("SCORE", "health_score"),
            left("STATUS", "health_status"),
            left("LOW", "low_balance"),
        ]);
        for b in &report.budgets {
            table.push(vec![
                b.budget.budget_id.to_string().into(),
                b.budget.budget_name.clone().into(),
                b.budget.balance.to_string().into(),
                b.budget.currency.to_string().into(),
                b.share_percent.to_string().into(),
                b.health_score.to_string().into(),
                b.health_status.as_str().into(),
                output::Cell::new(
                    if b.low_balance { "LOW" } else { "" },
                    b.low_balance.to_string(),
                ),
            ]);
        }
        table
    };
    match ctx.format() {
        OutputFormat::Json | OutputFormat::Jsonl | OutputFormat::Csv => {
            output::emit(ctx.format(), &report, budgets_table)?;
        }
        OutputFormat::Table => {
            let mut text = String::from("Overview per currency\n");
            let mut currencies = Table::new(vec![
                left("CURRENCY", "currency"),
                right("BUDGETS", "count"),
                right("TOTAL", "total"),
                right("AVERAGE", "average"),
                left("HIGHEST", "highest"),
                right("LOW", "low"),
            ]);
            for c in &report.currencies {
                currencies.push(vec![
                    c.currency.to_string().into(),
                    c.count.to_string().into(),
                    format!("{}{}", c.total, if c.total_saturated { "+" } else { "" }).into(),
                    c.average.to_string().into(),
                    format!("{} ({})", c.highest.budget_name, c.highest.balance).into(),
                    c.low_balance.len().to_string().into(),
                ]);
            }
            text.push_str(&currencies.render());
            text.push_str("\nHealth per budget (least healthy first)\n");
            text.push_str(&budgets_table().render());
            text.push_str(&format!(
                "\n{} budgets; {low} below {} (low balance)\n",
                report.budgets.len(),
                report.threshold
            ));
            output::print(&text)?;
        }
    }
    Ok(if low > 0 { Status::Finding } else { Status::Ok })
}
