#![no_main]
//! Every field-kind parser on arbitrary text: none may panic.
use libfuzzer_sys::fuzz_target;
use pis_gateway::forms::{date, phone, postcode, text, vrm};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let _ = postcode::parse(s, true);
    let _ = postcode::parse(s, false);
    let _ = vrm::parse(s);
    let _ = vrm::display(s);
    let _ = phone::parse_strict(s);
    let _ = phone::parse_lenient(s);
    let _ = date::parse(s);
    let _ = text::clean_line(s);
    let _ = text::clean_multiline(s);
    let _ = pis_gateway::reference::Reference::parse(s);
});
