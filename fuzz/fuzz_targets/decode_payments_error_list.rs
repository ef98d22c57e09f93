#![no_main]
//! A Payments (Finix) error list.

use ahrvo_types::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ahrvo_fuzz::check_model::<PaymentsErrorList>("fuzz", data);
});
