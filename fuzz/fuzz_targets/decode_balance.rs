#![no_main]
//! A Payments Balance reply (getBalance).

use ahrvo_types::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ahrvo_fuzz::check_model::<Balance>("fuzz", data);
});
