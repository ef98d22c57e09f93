//! The store: the live state behind a lock, and the mutation protocol (copy, change, check,
//! save, swap).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::persistence::StateFile;
use super::{Card, Failure, State, now_unix_ms};

/// Why the state file could not be used at start.
#[derive(Debug)]
pub(crate) struct LoadError {
    pub(crate) path: PathBuf,
    pub(crate) reason: String,
}

/// The live state behind a lock, and where to save it.
#[derive(Debug)]
pub(crate) struct Store {
    state: Mutex<Live>,
    file: Option<StateFile>,
}

/// The live state and its cards' positions by id. The card-balance route looks a card up on
/// every request: a scan of 10,000 cards under the lock was most of the sandbox's CPU time per
/// request, and the many-card benchmark's lock hold times (docs/performance.md).
#[derive(Debug)]
struct Live {
    state: State,
    cards_by_id: HashMap<String, usize>,
    /// When the earliest `PROCESSING` top-up order is due (Unix ms), if any.
    next_due: Option<u64>,
}

impl Live {
    fn new(state: State) -> Live {
        let mut live = Live {
            state,
            cards_by_id: HashMap::new(),
            next_due: None,
        };
        live.reindex();
        live
    }

    fn reindex(&mut self) {
        self.cards_by_id = (self.state.cards.iter().enumerate())
            .map(|(i, c)| (c.card_id.clone(), i))
            .collect();
        self.next_due = self.state.next_top_up_due();
    }
}

impl Store {
    /// Opens the store: loads `file` when it exists (and must be valid), else starts from the
    /// seeded or empty state and saves it there.
    pub(crate) fn open(file: Option<PathBuf>, seed: bool) -> Result<Store, LoadError> {
        let initial = if seed {
            State::seeded()
        } else {
            State::default()
        };
        let file = file.map(StateFile::new);
        let state = match &file {
            None => initial,
            Some(file) => file.load_or_create(initial)?,
        };
        Ok(Store {
            state: Mutex::new(Live::new(state)),
            file,
        })
    }

    /// The live state, with every due top-up order applied first: whatever reads or changes
    /// the state sees due orders credited, and each is credited once (under this lock).
    fn lock(&self) -> MutexGuard<'_, Live> {
        // Writers replace the state only once a mutation fully succeeded, so a poisoned lock
        // still guards a consistent state.
        let mut live = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let now = now_unix_ms();
        if live.next_due.is_some_and(|due| due <= now) {
            let mut draft = live.state.clone();
            draft.apply_due_top_ups(now);
            let saved = draft
                .check()
                .map_err(|e| format!("refused: {e}"))
                .and_then(|()| {
                    (self.file.as_ref())
                        .map_or(Ok(()), |f| f.save(&draft).map_err(|e| e.to_string()))
                });
            match saved {
                Ok(()) => {
                    live.state = draft;
                    live.reindex();
                }
                // The orders stay PROCESSING; the next request tries again.
                Err(e) => tracing::error!(error = %e, "cannot apply due top-up orders"),
            }
        }
        live
    }

    /// Reads the state.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        f(&self.lock().state)
    }

    /// The card with this id (ids are unique: the invariants say so).
    pub(crate) fn card(&self, card_id: &str) -> Option<Card> {
        let live = self.lock();
        let index = *live.cards_by_id.get(card_id)?;
        live.state.cards.get(index).cloned()
    }

    /// A copy of the whole state.
    pub(crate) fn snapshot(&self) -> State {
        self.lock().state.clone()
    }

    /// Runs `f` on a copy of the state; commits the copy only if `f` succeeds, the invariants
    /// hold and the save (if any) succeeds. Mutations are serialized by the lock.
    pub(crate) fn mutate<R>(
        &self,
        f: impl FnOnce(&mut State) -> Result<R, Failure>,
    ) -> Result<R, Failure> {
        let mut live = self.lock();
        let mut draft = live.state.clone();
        let result = f(&mut draft)?;
        draft
            .check()
            .map_err(|e| Failure::Conflict(format!("refused: {e}")))?;
        if let Some(file) = &self.file {
            file.save(&draft)
                .map_err(|e| Failure::Storage(format!("could not save the state file: {e}")))?;
        }
        live.state = draft;
        live.reindex();
        Ok(result)
    }

    /// Replaces the whole state (reset).
    pub(crate) fn replace(&self, state: State) -> Result<(), Failure> {
        self.mutate(|s| {
            *s = state;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{CardKind, Money};

    #[test]
    fn the_card_index_follows_every_change_of_state() {
        let store = Store::open(None, false).expect("a store");
        let budget = store
            .mutate(|s| s.create_budget("B", "USD", Money(10_000)))
            .expect("budget");
        let card = store
            .mutate(|s| s.create_card(&budget, CardKind::Dedicated, None))
            .expect("card");
        assert_eq!(store.card(&card.card_id), Some(card.clone()));
        let topped = store
            .mutate(|s| s.top_up_card(&card.card_id, 250))
            .expect("top up");
        assert_eq!(store.card(&card.card_id), Some(topped));
        assert_eq!(store.card("card000000000000000000"), None);
        // A refused mutation changes nothing; a replaced state is indexed anew.
        assert!(
            store
                .mutate(|s| s.top_up_card(&card.card_id, 1 << 40))
                .is_err()
        );
        assert!(store.card(&card.card_id).is_some());
        store.replace(State::default()).expect("reset");
        assert_eq!(store.card(&card.card_id), None);
    }
}
