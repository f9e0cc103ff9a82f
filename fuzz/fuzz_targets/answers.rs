#![no_main]
//! Arbitrary JSON answers against both shipped forms: validation may refuse, never panic.
use libfuzzer_sys::fuzz_target;
use pis_gateway::forms::{validate, FormRegistry};

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let forms = FormRegistry::built_in().expect("built-in forms load");
    let today = pis_gateway::ukdate::uk_today();
    for form in forms.iter() {
        let _ = validate(form, &value, today);
    }
});
