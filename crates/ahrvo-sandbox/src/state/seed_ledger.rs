//! The seed beyond the pages' examples: a ledger for the seed Balance (260 entries, so that
//! pagination is exercised by default; settled ones add up to its `available_amount`, two
//! pending ACH top-ups to its `pending_amount`), the Transfers and Balance Adjustments its entries
//! name, more cards of both types for the card list, and a few funding, top-up and transfer
//! orders. Generated from a fixed PCG32 seed: the same ids and amounts on every start.

use std::collections::BTreeMap;

use rand_core::Rng as _;
use rand_pcg::Pcg32;
use time::{Duration, OffsetDateTime};

use super::entries::{CreatedBy, EntityType, EntryType};
use super::finix::{AdjustmentState, AdjustmentType, Rail, TransferState, TransferType};
use super::funding::{FundResult, FundingStatus};
use super::ids::{rfc3339, rng, token_from};
use super::payments::LinkedType;
use super::{
    BalanceAdjustment, BalanceEntry, Card, CardKind, CardStatus, EntryState, FundingOrder, Money,
    State, TopUpOrder, TopUpStatus, Transfer, TransferOrder,
};

/// The seed Balance (the Balance page's example).
pub(crate) const SEED_BALANCE_ID: &str = "balance_dyz5APsJebDef9oTW9J2Hc";
/// The first seeded Transfer (named by a `TRANSFER` entry of the seed Balance).
pub(crate) const SEED_TRANSFER_ID: &str = "TRf4LSyv5Ko5cBGt3ZpT8xA9";
/// The merchant of every seeded Transfer.
const SEED_MERCHANT_ID: &str = "MUm2LnCfw3T4nPz8Ka7sQe1d";
/// The payment instrument of every seeded Balance Adjustment.
const SEED_INSTRUMENT_ID: &str = "PIhRb6yJ3m8kWqVtN2sXc4Lp";
/// The Balance page's Balance Adjustment (its entry's `entity_id`).
const PAGE_ADJUSTMENT_ID: &str = "balance_adjustment_fR4sgV9mWq3TzYkLb8nXcJ";
/// Generated entries: with the page's own, 260.
const GENERATED_ENTRIES: usize = 259;
/// The last generated entries: ACH top-ups still `PENDING` (no `posted_at`), which hold the
/// seed Balance's `pending_amount`.
const PENDING_ENTRIES: usize = 2;

impl State {
    /// Adds the generated seed to the pages' examples: the settled entries (a `posted_at`)
    /// add up to the seed Balance's `available_amount`, the pending ones to its
    /// `pending_amount`, as the Balance page defines them (posted = available + pending).
    pub(super) fn extend_seed(&mut self) {
        self.seed_cards();
        self.seed_orders();
        let mut rng = rng(0x5EED_1ED6E2);
        self.seed_page_adjustment();
        let (settled, pending) = self.seed_targets();
        let start = OffsetDateTime::from_unix_timestamp(1_704_067_200)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let at = |i: usize| start + Duration::hours(11 * i64::try_from(i).unwrap_or(0));
        let balancing = GENERATED_ENTRIES - PENDING_ENTRIES - 1;
        let mut running = 0_i64;
        for i in 0..balancing {
            let (entry_type, amount) = pick(i, running, &mut rng);
            running += amount;
            self.seed_entry(&mut rng, at(i), entry_type, amount, EntryState::Succeeded);
        }
        // The settled entry that brings the settled sum to its target exactly.
        let rest = settled - running;
        let entry_type = if rest >= 0 {
            EntryType::BalanceTopUpWire
        } else {
            EntryType::Payout
        };
        if rest != 0 {
            self.seed_entry(
                &mut rng,
                at(balancing),
                entry_type,
                rest,
                EntryState::Succeeded,
            );
        }
        // The pending ACH top-ups: three fifths of the pending target, then the rest.
        let first = pending * 3 / 5;
        for (n, amount) in [first, pending - first].into_iter().enumerate() {
            if amount > 0 {
                let when = at(balancing + 1 + n);
                self.seed_entry(
                    &mut rng,
                    when,
                    EntryType::BalanceTopUpAch,
                    amount,
                    EntryState::Pending,
                );
            }
        }
    }

    /// What the seed Balance's generated settled entries must add up to (its
    /// `available_amount`) and its generated pending entries (its `pending_amount`), less
    /// what the page's own entry brings to each.
    fn seed_targets(&self) -> (i64, i64) {
        let Some(balance) = self.balances.iter().find(|b| b.id == SEED_BALANCE_ID) else {
            return (0, 0);
        };
        let page = (self.balance_entries.iter()).filter(|e| e.balance_id == SEED_BALANCE_ID);
        let (mut settled, mut pending) = (balance.available_amount, balance.pending_amount);
        for e in page {
            if e.posted_at.is_some() {
                settled -= e.amount;
            } else {
                pending -= e.amount;
            }
        }
        (settled, pending)
    }

    fn seed_entry(
        &mut self,
        rng: &mut Pcg32,
        at: OffsetDateTime,
        entry_type: EntryType,
        amount: i64,
        state: EntryState,
    ) {
        let is_ach = entry_type == EntryType::BalanceTopUpAch;
        let posted_at = if is_ach { at + Duration::days(3) } else { at };
        let created = rfc3339(at);
        // A pending entry is not posted yet: `estimated_posted_date` is when it should be.
        let posted = rfc3339(posted_at);
        let pending = state == EntryState::Pending;
        let updated = if pending {
            created.clone()
        } else {
            posted.clone()
        };
        let top_up = matches!(
            entry_type,
            EntryType::BalanceTopUpAch | EntryType::BalanceTopUpWire
        );
        let id = token_from(rng, "balance_entry_");
        let entity_id = if top_up {
            token_from(rng, "balance_adjustment_")
        } else if self.transfers.is_empty() {
            SEED_TRANSFER_ID.to_owned()
        } else {
            token_from(rng, "TR")
        };
        let description = match entry_type {
            EntryType::BalanceTopUpAch => "ACH top-up of the disbursement balance",
            EntryType::BalanceTopUpWire => "Wire top-up of the disbursement balance",
            EntryType::Transfer if amount > 0 => "Transfer received",
            EntryType::Transfer => "Transfer sent",
            EntryType::Fee => "Processing fee",
            EntryType::Payout => "Payout to the merchant's bank account",
            _ => "Sandbox entry",
        };
        let entry = BalanceEntry {
            id: id.clone(),
            balance_id: SEED_BALANCE_ID.to_owned(),
            created_at: created.clone(),
            updated_at: updated.clone(),
            amount,
            created_by: CreatedBy::System,
            currency: "USD".to_owned(),
            description: description.to_owned(),
            entity_id: entity_id.clone(),
            entity_type: if top_up {
                EntityType::BalanceAdjustment
            } else {
                EntityType::Transfer
            },
            estimated_posted_date: posted.clone(),
            linked_to: "APgPDQrLD52TYvqazjHJJchM".to_owned(),
            linked_type: LinkedType::Application,
            parent_balance_entry_id: None,
            posted_at: (!pending).then(|| posted.clone()),
            state,
            tags: BTreeMap::new(),
            transaction_date: created.clone(),
            entry_type,
            wire_details: None,
        };
        if top_up {
            self.balance_adjustments.push(BalanceAdjustment {
                id: entity_id,
                created_at: created,
                updated_at: updated,
                amount,
                balance_entry_id: id,
                currency: "USD".to_owned(),
                failure_code: None,
                failure_message: None,
                description: description.to_owned(),
                rail: if is_ach { Rail::Ach } else { Rail::Wire },
                instrument_id: SEED_INSTRUMENT_ID.to_owned(),
                state: if pending {
                    AdjustmentState::Pending
                } else {
                    AdjustmentState::Succeeded
                },
                adjustment_type: AdjustmentType::TopUp,
                tags: BTreeMap::new(),
                trace_id: token_from(rng, "FNX"),
            });
        } else {
            let transfer_type = match entry_type {
                EntryType::Fee => TransferType::Fee,
                _ if amount > 0 => TransferType::Debit,
                _ => TransferType::Credit,
            };
            let instrument = token_from(rng, "PI");
            self.transfers.push(Transfer {
                id: entity_id,
                created_at: created.clone(),
                updated_at: created,
                amount: amount.abs(),
                currency: "USD".to_owned(),
                state: TransferState::Succeeded,
                transfer_type,
                merchant: Some(SEED_MERCHANT_ID.to_owned()),
                source: (transfer_type == TransferType::Debit).then(|| instrument.clone()),
                destination: (transfer_type == TransferType::Credit).then_some(instrument),
                fee: 0,
                ready_to_settle_at: (transfer_type == TransferType::Debit)
                    .then(|| rfc3339(at + Duration::days(1))),
                trace_id: Some(token_from(rng, "FNX")),
                tags: BTreeMap::new(),
            });
        }
        self.balance_entries.push(entry);
    }

    /// The Balance Adjustment the page's Balance Entry names.
    fn seed_page_adjustment(&mut self) {
        let Some(entry) = self
            .balance_entries
            .iter()
            .find(|e| e.entity_id == PAGE_ADJUSTMENT_ID)
        else {
            return;
        };
        let adjustment = BalanceAdjustment {
            id: PAGE_ADJUSTMENT_ID.to_owned(),
            created_at: entry.created_at.clone(),
            updated_at: entry.updated_at.clone(),
            amount: entry.amount,
            balance_entry_id: entry.id.clone(),
            currency: entry.currency.clone(),
            failure_code: None,
            failure_message: None,
            description: entry.description.clone(),
            rail: Rail::Ach,
            instrument_id: SEED_INSTRUMENT_ID.to_owned(),
            state: AdjustmentState::Succeeded,
            adjustment_type: AdjustmentType::TopUp,
            tags: BTreeMap::new(),
            trace_id: "FNXuB4dK7sR2mQ9vX3pL6wZa1".to_owned(),
        };
        self.balance_adjustments.push(adjustment);
    }

    /// Cards 251 to 254: both types, every status, for the card list.
    fn seed_cards(&mut self) {
        let card = |suffix: &str, budget: &str, kind, last4: &str, status, remark: &str| Card {
            card_id: format!("card201907021723076{suffix}"),
            budget_id: format!("ci20250723201618266{budget}"),
            kind,
            card_number: format!("5157********{last4}"),
            available_balance: Money(0),
            currency: "USD".to_owned(),
            status,
            remark: remark.to_owned(),
        };
        self.cards.extend([
            card(
                "251",
                "3",
                CardKind::Dedicated,
                "5791",
                CardStatus::Inactive,
                "New hire",
            ),
            card(
                "252",
                "1",
                CardKind::Shared,
                "6802",
                CardStatus::Active,
                "Marketing shared",
            ),
            card(
                "253",
                "2",
                CardKind::Dedicated,
                "7913",
                CardStatus::Canceled,
                "Lost card",
            ),
            card(
                "254",
                "3",
                CardKind::Shared,
                "8024",
                CardStatus::Revoked,
                "Contractor",
            ),
        ]);
    }

    /// Funding orders of the seed cards, two top-up orders and a transfer order (records of
    /// the past: the seed balances already include them).
    fn seed_orders(&mut self) {
        let funding = [
            (
                "1",
                "245",
                50_000,
                "2025-07-20 10:15:00",
                FundingStatus::Success,
            ),
            (
                "2",
                "246",
                100_000,
                "2025-07-20 11:30:00",
                FundingStatus::Success,
            ),
            (
                "3",
                "247",
                25_000,
                "2025-07-21 09:00:00",
                FundingStatus::Success,
            ),
            (
                "4",
                "248",
                12_000,
                "2025-07-21 16:45:00",
                FundingStatus::Fail,
            ),
            (
                "5",
                "249",
                4_500,
                "2025-07-22 08:20:00",
                FundingStatus::Success,
            ),
            (
                "6",
                "245",
                20_000,
                "2025-07-23 19:05:00",
                FundingStatus::Processing,
            ),
        ];
        for (n, card, cents, created, status) in funding {
            let card_id = format!("card201907021723076{card}");
            let digits: String = created.chars().filter(char::is_ascii_digit).collect();
            self.funding_orders.push(FundingOrder {
                record_id: format!("cf{digits}000{n}"),
                unique_order_id: format!("seed-card-in-000{n}"),
                card_id,
                amount: Money(cents),
                currency: "USD".to_owned(),
                created: created.to_owned(),
                status,
                operate_type: "card_in".to_owned(),
                remark: "Monthly allowance".to_owned(),
            });
        }
        for (n, budget, cents) in [("1", "1", 100_000), ("2", "2", 250_000)] {
            self.top_up_orders.push(TopUpOrder {
                record_id: format!("tu2025072309000{n}0000"),
                unique_order_id: format!("seed-top-up-000{n}"),
                budget_id: format!("ci20250723201618266{budget}"),
                top_up_amount: Money(cents),
                top_up_currency: "USD".to_owned(),
                status: TopUpStatus::Success,
                created: format!("2025-07-23 09:00:0{n}"),
                due_at_ms: 0,
            });
        }
        self.transfer_orders.push(TransferOrder {
            transfer_order_id: "bt202507231000000001".to_owned(),
            source_budget_id: "ci202507232016182661".to_owned(),
            target_budget_id: "ci202507232016182663".to_owned(),
            transfer_amount: Money(50_000),
            source_currency: "USD".to_owned(),
            in_amount: Money(50_000),
            target_currency: "USD".to_owned(),
            fund_result: FundResult::Success,
            created: "2025-07-23 10:00:00".to_owned(),
        });
    }
}

/// The type and amount of generated entry `i`, never overdrawing `running`.
fn pick(i: usize, running: i64, rng: &mut Pcg32) -> (EntryType, i64) {
    let mut between = |low: i64, high: i64| {
        let span = u64::try_from(high - low + 1).unwrap_or(1);
        low + i64::try_from(rng.next_u64() % span).unwrap_or(0)
    };
    let debit = |cents: i64, kind| {
        if running >= cents {
            (kind, -cents)
        } else {
            (EntryType::Transfer, cents)
        }
    };
    match i % 10 {
        0 => (EntryType::BalanceTopUpWire, between(20_000, 80_000)),
        5 => (EntryType::BalanceTopUpAch, between(10_000, 50_000)),
        1 | 3 | 7 => {
            let cents = between(1_000, 15_000);
            if between(0, 1) == 0 {
                (EntryType::Transfer, cents)
            } else {
                debit(cents, EntryType::Transfer)
            }
        }
        2 | 6 => debit(between(50, 500), EntryType::Fee),
        _ => debit(between(2_000, 20_000), EntryType::Payout),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_ledger_adds_up_and_names_what_exists() {
        let state = State::seeded();
        assert_eq!(state.check(), Ok(()));
        let entries: Vec<&BalanceEntry> = (state.balance_entries.iter())
            .filter(|e| e.balance_id == SEED_BALANCE_ID)
            .collect();
        assert_eq!(entries.len(), 260);
        let (settled, pending): (Vec<&&BalanceEntry>, Vec<&&BalanceEntry>) =
            entries.iter().partition(|e| e.posted_at.is_some());
        let sum = |entries: &[&&BalanceEntry]| entries.iter().map(|e| e.amount).sum::<i64>();
        let balance = (state.balances.iter())
            .find(|b| b.id == SEED_BALANCE_ID)
            .cloned()
            .unwrap_or_else(|| panic!("the seed Balance is seeded"));
        // The Balance page's rule: settled entries are available, pending ones pending, and
        // both together posted.
        assert_eq!(
            (balance.available_amount, balance.pending_amount),
            (1_250_000, 250_000)
        );
        assert_eq!(sum(&settled), balance.available_amount);
        assert_eq!(sum(&pending), balance.pending_amount);
        assert_eq!(sum(&settled) + sum(&pending), balance.posted_amount());
        assert_eq!(pending.len(), PENDING_ENTRIES);
        for e in &pending {
            assert_eq!(
                (e.entry_type, e.state, e.entity_type),
                (
                    EntryType::BalanceTopUpAch,
                    EntryState::Pending,
                    EntityType::BalanceAdjustment
                ),
                "{}",
                e.id
            );
            let adjustment = (state.balance_adjustments.iter()).find(|a| a.id == e.entity_id);
            assert_eq!(
                adjustment.map(|a| (a.state, a.balance_entry_id.as_str())),
                Some((AdjustmentState::Pending, e.id.as_str())),
                "{}",
                e.id
            );
        }
        assert!(
            settled
                .iter()
                .all(|e| e.state == EntryState::Succeeded && e.amount != 0)
        );
        for e in &entries {
            match e.entity_type {
                EntityType::Transfer => {
                    assert!(
                        state.transfers.iter().any(|t| t.id == e.entity_id),
                        "{}",
                        e.id
                    )
                }
                EntityType::BalanceAdjustment => assert!(
                    (state.balance_adjustments.iter()).any(|a| a.id == e.entity_id),
                    "{}",
                    e.id
                ),
            }
        }
        assert!(state.transfers.iter().any(|t| t.id == SEED_TRANSFER_ID));
        assert_eq!(State::seeded(), state, "the seed is deterministic");
    }

    /// Settling the seed's pending entries moves them to available: the settled entries then
    /// add up to `available_amount` (all of `posted_amount`), and nothing is pending.
    #[test]
    fn settling_the_seed_pending_entries_keeps_the_ledger_exact() {
        let mut state = State::seeded();
        let pending: Vec<String> = (state.balance_entries.iter())
            .filter(|e| e.balance_id == SEED_BALANCE_ID && e.state == EntryState::Pending)
            .map(|e| e.id.clone())
            .collect();
        assert_eq!(pending.len(), PENDING_ENTRIES);
        for id in &pending {
            assert!(state.settle_entry(id).is_ok(), "{id}");
        }
        assert_eq!(state.check(), Ok(()));
        let settled: i64 = (state.balance_entries.iter())
            .filter(|e| e.balance_id == SEED_BALANCE_ID && e.posted_at.is_some())
            .map(|e| e.amount)
            .sum();
        let balance = state.balances.iter().find(|b| b.id == SEED_BALANCE_ID);
        assert_eq!(
            balance.map(|b| (b.available_amount, b.pending_amount)),
            Some((settled, 0))
        );
        assert_eq!(settled, 1_500_000);
    }
}
