#![no_main]
//! A Payments Balance Entry reply (getBalanceEntry).

use ahrvo_types::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ahrvo_fuzz::check_model::<BalanceEntry>("fuzz", data);
});
