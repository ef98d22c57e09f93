//! Checks on a Balance that the pages state as invariants.

use crate::{Balance, Cents};

impl Balance {
    /// Whether `posted_amount = available_amount + pending_amount`, as the API documents.
    /// A balance that fails this should not be used for decisions.
    pub fn is_consistent(&self) -> bool {
        self.posted_discrepancy() == Some(Cents::ZERO)
    }

    /// `posted - (available + pending)`: zero for a consistent balance, `None` on overflow.
    pub fn posted_discrepancy(&self) -> Option<Cents> {
        let sum = self.available_amount.checked_add(self.pending_amount)?;
        self.posted_amount.checked_sub(sum)
    }
}
