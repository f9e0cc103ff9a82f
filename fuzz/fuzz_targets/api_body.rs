#![no_main]
//! The API's strict JSON parser on arbitrary bytes.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = pis_gateway::http::strict_json::parse(data);
});
