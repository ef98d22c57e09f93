#![no_main]
//! Every extensible enum: any string decodes (unknown values kept) and is written back as sent.

use ahrvo_types::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    ahrvo_fuzz::check_model::<BalanceEntryState>("fuzz", data);
    ahrvo_fuzz::check_model::<BalanceEntryType>("fuzz", data);
    ahrvo_fuzz::check_model::<BalanceType>("fuzz", data);
    ahrvo_fuzz::check_model::<CreatedBy>("fuzz", data);
    ahrvo_fuzz::check_model::<EntityType>("fuzz", data);
    ahrvo_fuzz::check_model::<LinkedType>("fuzz", data);
    if let Ok(s) = std::str::from_utf8(data) {
        let v = BalanceEntryType::from(s);
        assert_eq!(v.as_str(), s);
    }
});
