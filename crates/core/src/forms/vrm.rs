//! UK vehicle registration marks (VRM).
//!
//! A misread or foreign plate is still intelligence, so an unusual plate is accepted with a note,
//! never refused. `?` or `*` mark characters the submitter could not read.

use super::check::{wrong, Checked, Notes};
use regex::Regex;
use serde_json::Value;
use std::sync::LazyLock;

static CURRENT: LazyLock<Regex> = LazyLock::new(|| re(r"^[A-HJ-PR-Y]{2}[0-9]{2}[A-HJ-PR-Z]{3}$"));
static PREFIX: LazyLock<Regex> = LazyLock::new(|| re(r"^[A-Z][0-9]{1,3}[A-Z]{3}$"));
static SUFFIX: LazyLock<Regex> = LazyLock::new(|| re(r"^[A-Z]{3}[0-9]{1,3}[A-Z]$"));
static DATELESS: LazyLock<Regex> =
    LazyLock::new(|| re(r"^([A-Z]{1,3}[0-9]{1,4}|[0-9]{1,4}[A-Z]{1,3})$"));
static NORTHERN_IRELAND: LazyLock<Regex> = LazyLock::new(|| re(r"^[A-Z]{2,3}[0-9]{1,4}$"));

fn re(p: &str) -> Regex {
    Regex::new(p).expect("invariant: plate patterns are valid regexes")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plate {
    Current,
    Prefix,
    Suffix,
    Dateless,
    NorthernIreland,
    /// Matches no UK format: foreign, personalised, or misread.
    Unusual,
    /// Contains unknown characters.
    Partial,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vrm {
    /// Upper-case, no spaces: the form to store and to match on.
    pub normalised: String,
    pub plate: Plate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VrmError {
    InvalidCharacters,
    WrongLength,
}

pub fn parse(input: &str) -> Result<Vrm, VrmError> {
    let normalised: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| {
            if c == '*' {
                '?'
            } else {
                c.to_ascii_uppercase()
            }
        })
        .collect();
    if !normalised
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '?')
    {
        return Err(VrmError::InvalidCharacters);
    }
    if normalised.is_empty() || normalised.len() > 8 {
        return Err(VrmError::WrongLength);
    }
    let plate = if normalised.contains('?') {
        Plate::Partial
    } else if CURRENT.is_match(&normalised) {
        Plate::Current
    } else if PREFIX.is_match(&normalised) {
        Plate::Prefix
    } else if SUFFIX.is_match(&normalised) {
        Plate::Suffix
    } else if DATELESS.is_match(&normalised) {
        Plate::Dateless
    } else if NORTHERN_IRELAND.is_match(&normalised) {
        Plate::NorthernIreland
    } else {
        Plate::Unusual
    };
    Ok(Vrm { normalised, plate })
}

/// The plate as printed: current plates split after the age identifier, older ones before the
/// last letters (suffix) or before the letters (prefix).
pub fn display(vrm: &str) -> String {
    let Ok(v) = parse(vrm) else {
        return vrm.to_string();
    };
    let s = &v.normalised;
    let first_change = || {
        let b = s.as_bytes();
        (1..b.len()).find(|&i| b[i].is_ascii_digit() != b[i - 1].is_ascii_digit())
    };
    let split = match v.plate {
        Plate::Current => Some(4),
        Plate::Prefix => Some(s.len() - 3),
        Plate::Suffix | Plate::Dateless | Plate::NorthernIreland => first_change(),
        Plate::Unusual | Plate::Partial => None,
    };
    match split {
        Some(i) if i > 0 && i < s.len() => format!("{} {}", &s[..i], &s[i..]),
        _ => s.clone(),
    }
}

/// Checks a vehicle registration: compact, noted when partial or of no UK pattern.
pub(crate) fn check(raw: &str, notes: &mut Notes<'_>) -> Checked {
    let s = super::text::clean_line(raw);
    if s.is_empty() {
        return Ok(None);
    }
    match parse(&s) {
        Ok(v) => {
            match v.plate {
                Plate::Partial => notes.add("partial_registration"),
                Plate::Unusual => notes.add("unusual_registration"),
                _ => {}
            }
            Ok(Some(Value::String(v.normalised)))
        }
        Err(VrmError::InvalidCharacters) => wrong(
            "invalid_characters",
            "can only include letters, numbers, spaces and ? for characters you could not see",
        ),
        Err(VrmError::WrongLength) => wrong(
            "invalid_format",
            "must be between 1 and 8 letters and numbers",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn each_uk_format_is_recognised() {
        for (input, plate) in [
            ("YX21 KCD", Plate::Current),
            ("yx21kcd", Plate::Current),
            ("A123 BCD", Plate::Prefix),
            ("ABC 123D", Plate::Suffix),
            ("ABC 1", Plate::Dateless),
            ("1 ABC", Plate::Dateless),
            ("ABZ 1234", Plate::Dateless),
            ("YX?? K*D", Plate::Partial),
            ("D-123-ABCD", Plate::Unusual),
        ] {
            assert_eq!(parse(input).map(|v| v.plate), Ok(plate), "{input}");
        }
    }

    #[test]
    fn unusual_plates_are_kept_not_refused() {
        let v = parse("AB1 C2D3").expect("kept");
        assert_eq!(v.normalised, "AB1C2D3");
        assert_eq!(v.plate, Plate::Unusual);
    }

    #[test]
    fn punctuation_and_overlong_input_are_refused() {
        assert_eq!(parse("AB<1>CD"), Err(VrmError::InvalidCharacters));
        assert_eq!(parse("ÅB12CDE"), Err(VrmError::InvalidCharacters));
        assert_eq!(parse("ABCDEFGHJ"), Err(VrmError::WrongLength));
        assert_eq!(parse("  "), Err(VrmError::WrongLength));
    }

    #[test]
    fn plates_display_with_their_usual_spacing() {
        assert_eq!(display("YX21KCD"), "YX21 KCD");
        assert_eq!(display("A123BCD"), "A123 BCD");
        assert_eq!(display("ABC123D"), "ABC 123D");
        assert_eq!(display("ABZ1234"), "ABZ 1234");
        assert_eq!(display("YX??K?D"), "YX??K?D");
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,16}") {
            let _ = parse(&s);
            let _ = display(&s);
        }

        #[test]
        fn current_plates_always_parse_as_current(
            tag in "[A-HJ-PR-Y]{2}", age in 2u8..99, tail in "[A-HJ-PR-Z]{3}"
        ) {
            let plate = format!("{tag}{age:02} {tail}");
            prop_assert_eq!(parse(&plate).map(|v| v.plate), Ok(Plate::Current));
        }
    }
}
