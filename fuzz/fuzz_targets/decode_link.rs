#![no_main]
//! A hypermedia link.

use ahrvo_types::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ahrvo_fuzz::check_model::<Link>("fuzz", data);
});
