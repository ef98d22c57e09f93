//! What every stored state satisfies: unique ids and names, documented id shapes, no negative
//! or oversized amounts, no balance on a shared card, `posted = available + pending`, and no
//! more in pending entries than a Balance's `pending_amount`; money conserved on the issuing
//! side (budgets and cards add up to what entered it); orders unique by id and client id,
//! naming budgets and cards that exist, with positive amounts; payments Transfers and
//! Balance Adjustments unique, adjustments naming entries that exist.

use std::collections::{BTreeMap, BTreeSet};

use super::ids::{is_currency, is_masked_card_number, is_prefixed_digits};
use super::top_ups::validate_order_id;
use super::{CardKind, EntryState, MAX_CENTS, Money, STATE_VERSION, State};

impl State {
    /// Checks every invariant; the error names the first one broken.
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.version != STATE_VERSION {
            return Err(format!(
                "unsupported state version {} (expected {STATE_VERSION})",
                self.version
            ));
        }
        let budget_ids = self.check_budgets()?;
        self.check_cards(&budget_ids)?;
        self.check_balances_and_entries()?;
        self.check_conservation()?;
        self.check_orders(&budget_ids)?;
        self.check_payments_objects()
    }

    fn check_orders(&self, budget_ids: &BTreeSet<&str>) -> Result<(), String> {
        let card_ids: BTreeSet<&str> = self.cards.iter().map(|c| c.card_id.as_str()).collect();
        let known_budget = |id: &str, what: &str| {
            if budget_ids.contains(id) {
                Ok(())
            } else {
                Err(format!("{what} names unknown budget {id}"))
            }
        };
        let mut records = BTreeSet::new();
        let mut client_ids = BTreeSet::new();
        for o in &self.top_up_orders {
            unique(&mut records, &o.record_id, "top-up record_id")?;
            unique(
                &mut client_ids,
                &o.unique_order_id,
                "top-up unique_order_id",
            )?;
            check_order_id(&o.unique_order_id)?;
            known_budget(&o.budget_id, &o.record_id)?;
            check_positive(o.top_up_amount, &o.record_id)?;
        }
        let mut records = BTreeSet::new();
        let mut client_ids = BTreeSet::new();
        for o in &self.funding_orders {
            unique(&mut records, &o.record_id, "funding record_id")?;
            unique(
                &mut client_ids,
                &o.unique_order_id,
                "funding unique_order_id",
            )?;
            check_order_id(&o.unique_order_id)?;
            if !card_ids.contains(o.card_id.as_str()) {
                return Err(format!("{} names unknown card {}", o.record_id, o.card_id));
            }
            check_positive(o.amount, &o.record_id)?;
        }
        let mut records = BTreeSet::new();
        for o in &self.transfer_orders {
            unique(&mut records, &o.transfer_order_id, "transfer_order_id")?;
            known_budget(&o.source_budget_id, &o.transfer_order_id)?;
            known_budget(&o.target_budget_id, &o.transfer_order_id)?;
            if o.source_budget_id == o.target_budget_id {
                return Err(format!("{} moves a budget to itself", o.transfer_order_id));
            }
            check_positive(o.transfer_amount, &o.transfer_order_id)?;
            check_positive(o.in_amount, &o.transfer_order_id)?;
        }
        Ok(())
    }

    fn check_payments_objects(&self) -> Result<(), String> {
        let entry_ids: BTreeSet<&str> = (self.balance_entries.iter())
            .map(|e| e.id.as_str())
            .collect();
        let mut ids = BTreeSet::new();
        for t in &self.transfers {
            unique(&mut ids, &t.id, "Transfer id")?;
            if !(0..=MAX_CENTS).contains(&t.amount) || !(0..=MAX_CENTS).contains(&t.fee) {
                return Err(format!("Transfer {} amount or fee is out of range", t.id));
            }
            check_currency(&t.currency)?;
        }
        let mut ids = BTreeSet::new();
        for a in &self.balance_adjustments {
            unique(&mut ids, &a.id, "Balance Adjustment id")?;
            if !(1..=MAX_CENTS).contains(&a.amount) {
                return Err(format!(
                    "Balance Adjustment {} amount is out of range",
                    a.id
                ));
            }
            if !entry_ids.contains(a.balance_entry_id.as_str()) {
                return Err(format!(
                    "Balance Adjustment {} names unknown Balance Entry {}",
                    a.id, a.balance_entry_id
                ));
            }
        }
        Ok(())
    }

    fn check_budgets(&self) -> Result<BTreeSet<&str>, String> {
        let mut budget_ids = BTreeSet::new();
        let mut budget_names = BTreeSet::new();
        for b in &self.budgets {
            if !is_prefixed_digits(&b.budget_id, "ci", 18) {
                return Err(format!(
                    "budget id {:?} is not `ci` + 18 digits",
                    b.budget_id
                ));
            }
            if !budget_ids.insert(b.budget_id.as_str()) {
                return Err(format!("duplicate budget id {}", b.budget_id));
            }
            if b.budget_name.trim().is_empty() || !budget_names.insert(b.budget_name.as_str()) {
                return Err(format!(
                    "empty or duplicate budget name {:?}",
                    b.budget_name
                ));
            }
            check_money(b.balance, &b.budget_id)?;
            check_currency(&b.currency)?;
        }
        Ok(budget_ids)
    }

    fn check_cards(&self, budget_ids: &BTreeSet<&str>) -> Result<(), String> {
        let mut card_ids = BTreeSet::new();
        for c in &self.cards {
            if !is_prefixed_digits(&c.card_id, "card", 18) {
                return Err(format!("card id {:?} is not `card` + 18 digits", c.card_id));
            }
            if !card_ids.insert(c.card_id.as_str()) {
                return Err(format!("duplicate card id {}", c.card_id));
            }
            if !budget_ids.contains(c.budget_id.as_str()) {
                return Err(format!(
                    "card {} names unknown budget {}",
                    c.card_id, c.budget_id
                ));
            }
            if !is_masked_card_number(&c.card_number) {
                return Err(format!(
                    "card {} number is not masked as 1234********5678",
                    c.card_id
                ));
            }
            check_money(c.available_balance, &c.card_id)?;
            if c.kind == CardKind::Shared && c.available_balance.0 != 0 {
                return Err(format!("shared-funds card {} holds a balance", c.card_id));
            }
            check_currency(&c.currency)?;
        }
        Ok(())
    }

    fn check_balances_and_entries(&self) -> Result<(), String> {
        let mut balance_ids = BTreeSet::new();
        let mut pending_by_balance: BTreeMap<&str, i64> = BTreeMap::new();
        for b in &self.balances {
            if !balance_ids.insert(b.id.as_str()) {
                return Err(format!("duplicate Balance id {}", b.id));
            }
            for (what, amount) in [
                ("available", b.available_amount),
                ("pending", b.pending_amount),
            ] {
                if !(0..=MAX_CENTS).contains(&amount) {
                    return Err(format!(
                        "Balance {} {what}_amount {amount} is out of range",
                        b.id
                    ));
                }
            }
            check_currency(&b.currency)?;
            pending_by_balance.insert(b.id.as_str(), 0);
        }
        let mut entry_ids = BTreeSet::new();
        for e in &self.balance_entries {
            if !entry_ids.insert(e.id.as_str()) {
                return Err(format!("duplicate Balance Entry id {}", e.id));
            }
            let Some(pending) = pending_by_balance.get_mut(e.balance_id.as_str()) else {
                return Err(format!(
                    "Balance Entry {} names unknown Balance {}",
                    e.id, e.balance_id
                ));
            };
            if e.amount == 0 || !(-MAX_CENTS..=MAX_CENTS).contains(&e.amount) {
                return Err(format!(
                    "Balance Entry {} amount {} is invalid",
                    e.id, e.amount
                ));
            }
            match e.state {
                EntryState::Pending => {
                    if e.amount < 0 || e.posted_at.is_some() {
                        return Err(format!("pending Balance Entry {} is inconsistent", e.id));
                    }
                    *pending = pending.saturating_add(e.amount);
                }
                EntryState::Succeeded => {
                    if e.posted_at.is_none() {
                        return Err(format!("succeeded Balance Entry {} has no posted_at", e.id));
                    }
                }
            }
        }
        // Only `pending entries <= pending_amount`, not `settled entries == available_amount`
        // and `pending entries == pending_amount`: `POST /_sandbox/balances` (and
        // `Sandbox::create_balance`) sets a new Balance's amounts without any entry, so a
        // reachable state may hold amounts no entry explains (the seed's entries do add up).
        for b in &self.balances {
            let pending = pending_by_balance.get(b.id.as_str()).copied().unwrap_or(0);
            if pending > b.pending_amount {
                return Err(format!(
                    "Balance {} has {pending} in pending entries but pending_amount {}",
                    b.id, b.pending_amount
                ));
            }
        }
        Ok(())
    }
}

fn check_money(amount: Money, owner: &str) -> Result<(), String> {
    if (0..=MAX_CENTS).contains(&amount.0) {
        Ok(())
    } else {
        Err(format!("{owner} balance {amount} is negative or too large"))
    }
}

fn unique<'a>(seen: &mut BTreeSet<&'a str>, id: &'a str, what: &str) -> Result<(), String> {
    if seen.insert(id) {
        Ok(())
    } else {
        Err(format!("duplicate {what} {id}"))
    }
}

fn check_positive(amount: Money, owner: &str) -> Result<(), String> {
    if (1..=MAX_CENTS).contains(&amount.0) {
        Ok(())
    } else {
        Err(format!(
            "{owner} amount {amount} is not positive or too large"
        ))
    }
}

fn check_order_id(id: &str) -> Result<(), String> {
    validate_order_id(id).map_err(|f| f.message().to_owned())
}

fn check_currency(code: &str) -> Result<(), String> {
    if is_currency(code) {
        Ok(())
    } else {
        Err(format!("currency {code:?} is not a 3-letter ISO 4217 code"))
    }
}
