#![no_main]
//! An Issuing error body.

use ahrvo_types::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ahrvo_fuzz::check_model::<IssuingErrorBody>("fuzz", data);
});
