#![no_main]
//! Wire details of a Balance Entry.

use ahrvo_types::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ahrvo_fuzz::check_model::<WireDetails>("fuzz", data);
});
