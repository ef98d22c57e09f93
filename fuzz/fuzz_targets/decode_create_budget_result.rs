#![no_main]
//! The Issuing envelope of createBudget.

use ahrvo_types::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ahrvo_fuzz::check_model::<Envelope<CreateBudgetResult>>("fuzz", data);
});
