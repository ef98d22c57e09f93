#![no_main]
//! A createBudget request body.

use ahrvo_types::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ahrvo_fuzz::check_model::<CreateBudgetRequest>("fuzz", data);
});
