//! Seed data: the documentation pages' own example objects, so that every example works as is.

use std::collections::BTreeMap;

use super::entries::{CreatedBy, EntityType, EntryType};
use super::payments::{BalanceType, LinkedType};
use super::{
    Balance, BalanceEntry, Budget, Card, CardKind, CardStatus, EntryState, Money, STATE_VERSION,
    State,
};

/// The seeded Shared Funds Card (no page names one).
pub(crate) const SEED_SHARED_CARD_ID: &str = "card201907021723076250";

/// Application id the seeded Balance and Balance Entry are linked to.
const SEED_APPLICATION_ID: &str = "APgPDQrLD52TYvqazjHJJchM";

impl State {
    /// The state that makes every example of the documentation pages work as is.
    pub(crate) fn seeded() -> State {
        let budget = |id: &str, name: &str, cents: i64| Budget {
            budget_id: id.to_owned(),
            budget_name: name.to_owned(),
            balance: Money(cents),
            currency: "USD".to_owned(),
        };
        let dedicated = |suffix: &str, budget_id: &str, last4: &str, cents: i64| Card {
            card_id: format!("card201907021723076{suffix}"),
            budget_id: budget_id.to_owned(),
            kind: CardKind::Dedicated,
            card_number: format!("5157********{last4}"),
            available_balance: Money(cents),
            currency: "USD".to_owned(),
            status: CardStatus::Active,
            remark: String::new(),
        };
        let tags = BTreeMap::new();
        let mut state = State {
            version: STATE_VERSION,
            sequence: 0,
            budgets: vec![
                budget(
                    "ci202507232016182661",
                    "Marketing Department Budget",
                    4_525_075,
                ),
                budget("ci202507232016182662", "Engineering Team Budget", 7_890_000),
                budget("ci202507232016182663", "Travel Expenses", 1_250_050),
            ],
            // The card page's examples: 245 to 249 are Dedicated Funds Cards (its reconcile
            // example expects 246 = 2500.00 and 247 = 850.50; 248 and 249 are listed without a
            // balance, so theirs are the sandbox's); 250 is the sandbox's own Shared Funds Card.
            cards: vec![
                dedicated("245", "ci202507232016182661", "2686", 146_887),
                dedicated("246", "ci202507232016182662", "1357", 250_000),
                dedicated("247", "ci202507232016182663", "2468", 85_050),
                dedicated("248", "ci202507232016182661", "3579", 32_000),
                dedicated("249", "ci202507232016182662", "4680", 4_500),
                Card {
                    card_id: SEED_SHARED_CARD_ID.to_owned(),
                    budget_id: "ci202507232016182662".to_owned(),
                    kind: CardKind::Shared,
                    card_number: "5157********8888".to_owned(),
                    available_balance: Money(0),
                    currency: "USD".to_owned(),
                    status: CardStatus::Active,
                    remark: String::new(),
                },
            ],
            balances: vec![Balance {
                id: "balance_dyz5APsJebDef9oTW9J2Hc".to_owned(),
                created_at: "2024-05-01T18:04:33.42Z".to_owned(),
                updated_at: "2024-05-06T15:21:09.17Z".to_owned(),
                available_amount: 1_250_000,
                pending_amount: 250_000,
                currency: "USD".to_owned(),
                linked_to: SEED_APPLICATION_ID.to_owned(),
                linked_type: LinkedType::Application,
                tags: tags.clone(),
                balance_type: BalanceType::Disbursement,
            }],
            balance_entries: vec![BalanceEntry {
                id: "balance_entry_i5YzFZYEh6CoCrN2zqgPdW".to_owned(),
                balance_id: "balance_dyz5APsJebDef9oTW9J2Hc".to_owned(),
                created_at: "2024-05-01T18:04:33.42Z".to_owned(),
                updated_at: "2024-05-06T15:21:09.17Z".to_owned(),
                amount: 250_000,
                created_by: CreatedBy::System,
                currency: "USD".to_owned(),
                description: "ACH top-up of the disbursement balance".to_owned(),
                entity_id: "balance_adjustment_fR4sgV9mWq3TzYkLb8nXcJ".to_owned(),
                entity_type: EntityType::BalanceAdjustment,
                estimated_posted_date: "2024-05-06T15:00:00Z".to_owned(),
                linked_to: SEED_APPLICATION_ID.to_owned(),
                linked_type: LinkedType::Application,
                parent_balance_entry_id: None,
                posted_at: Some("2024-05-06T15:21:09.17Z".to_owned()),
                state: EntryState::Succeeded,
                tags,
                transaction_date: "2024-05-01T18:04:33.42Z".to_owned(),
                entry_type: EntryType::BalanceTopUpAch,
                wire_details: None,
            }],
            ..State::default()
        };
        state.extend_seed();
        state.fill_totals_if_missing();
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The card page (001): 245 to 249 are Dedicated Funds Cards, and its reconcile example's
    /// expected balances hold.
    #[test]
    fn seed_cards_follow_the_card_page() {
        let state = State::seeded();
        let card = |suffix: &str| {
            let id = format!("card201907021723076{suffix}");
            state
                .cards
                .iter()
                .find(|c| c.card_id == id)
                .cloned()
                .unwrap_or_else(|| panic!("{id} is not seeded"))
        };
        for suffix in ["245", "246", "247", "248", "249"] {
            assert_eq!(card(suffix).kind, CardKind::Dedicated, "card {suffix}");
        }
        assert_eq!(card("245").available_balance, Money(146_887));
        assert_eq!(card("246").available_balance, Money(250_000));
        assert_eq!(card("247").available_balance, Money(85_050));
        assert_eq!(card("250").kind, CardKind::Shared);
    }

    #[test]
    fn seed_holds_invariants() {
        assert_eq!(State::seeded().check(), Ok(()));
        assert_eq!(State::default().check(), Ok(()));
    }

    #[test]
    fn seed_state_file_format_is_unchanged() {
        // The enums write the same words the strings did.
        let value = serde_json::to_value(State::seeded()).unwrap_or_default();
        let entry = &value["balance_entries"][0];
        assert_eq!(entry["state"], "SUCCEEDED");
        assert_eq!(entry["type"], "BALANCE_TOP_UP_ACH");
        assert_eq!(entry["entity_type"], "BALANCE_ADJUSTMENT");
        assert_eq!(entry["created_by"], "SYSTEM");
        assert_eq!(entry["linked_type"], "APPLICATION");
        assert_eq!(value["balances"][0]["type"], "DISBURSEMENT");
        assert_eq!(value["cards"][5]["type"], "SHARED");
        let back: Result<State, _> = serde_json::from_value(value);
        assert_eq!(back.ok(), Some(State::seeded()));
    }
}
