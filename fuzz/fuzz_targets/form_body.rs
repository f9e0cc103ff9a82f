#![no_main]
//! An urlencoded body read into answers and validated, as the HTML form path does.
use libfuzzer_sys::fuzz_target;
use pis_gateway::forms::{html, validate, FormRegistry};

fuzz_target!(|data: &[u8]| {
    let pairs: Vec<(String, String)> = url_pairs(data);
    let forms = FormRegistry::built_in().expect("built-in forms load");
    for form in forms.iter() {
        let posted = html::read_posted(form, &pairs);
        let _ = validate(form, &posted.answers, pis_gateway::ukdate::uk_today());
    }
});

/// Splits like `application/x-www-form-urlencoded` without decoding: the parser under test is
/// the gateway's, not the decoder's.
fn url_pairs(data: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(data)
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (kv.to_string(), String::new()),
        })
        .collect()
}
