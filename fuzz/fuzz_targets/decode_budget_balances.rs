#![no_main]
//! The Issuing envelope of listBudgetBalances.

use ahrvo_types::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ahrvo_fuzz::check_model::<Envelope<Vec<BudgetBalance>>>("fuzz", data);
});
