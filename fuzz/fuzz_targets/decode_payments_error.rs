#![no_main]
//! One Payments (Finix) error.

use ahrvo_types::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ahrvo_fuzz::check_model::<PaymentsError>("fuzz", data);
});
