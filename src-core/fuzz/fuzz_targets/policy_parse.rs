//! The policy parser must never panic, and must fail only with the two codes it documents.
#![no_main]

use coffer_core::ErrorCode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = coffer_core::policy::parse(text) {
        assert!(matches!(
            e.code,
            ErrorCode::MalformedPolicyDocument | ErrorCode::Validation
        ));
    }
});
