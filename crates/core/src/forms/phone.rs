//! Telephone numbers.
//!
//! The submitter's own number must be one the police can ring back, so it is checked against the
//! UK numbering plan. Numbers about subjects are taken leniently: a deal-line number that looks
//! odd is still worth having, and `?` marks digits the submitter does not know.

use super::check::{wrong, Checked, Notes};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    /// E.164 (`+447700900123`) where the number parses, else the digits as given.
    pub normalised: String,
    pub partial: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneError {
    InvalidCharacters,
    NotUk,
    WrongLength,
}

fn strip(input: &str) -> Result<String, PhoneError> {
    let mut out = String::with_capacity(input.len());
    for (i, c) in input.trim().chars().enumerate() {
        match c {
            ' ' | '-' | '(' | ')' | '.' => {}
            '+' if i == 0 => out.push('+'),
            '0'..='9' | '?' => out.push(c),
            'x' | 'X' | '*' => out.push('?'),
            _ => return Err(PhoneError::InvalidCharacters),
        }
    }
    Ok(out)
}

/// A UK national number (leading 0) that fits the numbering plan, as E.164.
fn uk_e164(national: &str) -> Option<String> {
    let n = national.len();
    let ok = national.bytes().all(|b| b.is_ascii_digit())
        && match national.get(..2)? {
            "07" => n == 11,
            "01" | "02" => n == 10 || n == 11,
            "03" | "08" | "09" => n == 10 || n == 11,
            _ => false,
        };
    ok.then(|| format!("+44{}", &national[1..]))
}

fn national_form(s: &str) -> Option<String> {
    if let Some(rest) = s.strip_prefix("+44") {
        Some(format!("0{}", rest.trim_start_matches('0')))
    } else if let Some(rest) = s.strip_prefix("0044") {
        Some(format!("0{}", rest.trim_start_matches('0')))
    } else if s.starts_with('0') {
        Some(s.to_string())
    } else {
        None
    }
}

/// The submitter's number: a valid UK number, or `+` and 8 to 15 digits for abroad.
pub fn parse_strict(input: &str) -> Result<Phone, PhoneError> {
    let s = strip(input)?;
    if s.contains('?') {
        return Err(PhoneError::InvalidCharacters);
    }
    if let Some(national) = national_form(&s) {
        return uk_e164(&national)
            .map(|normalised| Phone {
                normalised,
                partial: false,
            })
            .ok_or(PhoneError::NotUk);
    }
    match s.strip_prefix('+') {
        Some(digits) if (8..=15).contains(&digits.len()) => Ok(Phone {
            normalised: s.clone(),
            partial: false,
        }),
        Some(_) => Err(PhoneError::WrongLength),
        None => Err(PhoneError::NotUk),
    }
}

/// A number about a subject: 6 to 15 digits (or `?`), optional leading `+`.
pub fn parse_lenient(input: &str) -> Result<Phone, PhoneError> {
    let s = strip(input)?;
    let digits = s.trim_start_matches('+');
    if !(6..=15).contains(&digits.len()) {
        return Err(PhoneError::WrongLength);
    }
    let partial = s.contains('?');
    let normalised = if partial {
        s.clone()
    } else {
        national_form(&s)
            .and_then(|n| uk_e164(&n))
            .unwrap_or_else(|| s.clone())
    };
    Ok(Phone {
        normalised,
        partial,
    })
}

/// Checks a phone answer: E.164 when whole, noted when partial (`strict`: international form
/// only, as a contact number must be).
pub(crate) fn check(raw: &str, strict: bool, notes: &mut Notes<'_>) -> Checked {
    let s = super::text::clean_line(raw);
    if s.is_empty() {
        return Ok(None);
    }
    let parsed = if strict {
        parse_strict(&s)
    } else {
        parse_lenient(&s)
    };
    match parsed {
        Ok(p) => {
            if p.partial {
                notes.add("partial_phone");
            }
            Ok(Some(Value::String(p.normalised)))
        }
        Err(PhoneError::InvalidCharacters) => wrong(
            "invalid_characters",
            "can only include numbers, spaces, brackets, hyphens and + at the start",
        ),
        Err(PhoneError::NotUk) => wrong(
            "invalid_format",
            "enter a UK phone number, like 01632 960 001 or 07700 900 982, or an international number starting with +",
        ),
        Err(PhoneError::WrongLength) => wrong(
            "invalid_format",
            if strict {
                "must have between 8 and 15 digits after the +"
            } else {
                "must have between 6 and 15 digits"
            },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn uk_numbers_in_any_common_spelling_become_e164() {
        for input in [
            "07700 900123",
            "+44 7700 900123",
            "0044 (0)7700-900123",
            "(07700) 900.123",
        ] {
            assert_eq!(
                parse_strict(input).map(|p| p.normalised),
                Ok("+447700900123".into()),
                "{input}"
            );
        }
        assert_eq!(
            parse_strict("01904 123456").map(|p| p.normalised),
            Ok("+441904123456".into())
        );
        assert_eq!(
            parse_strict("0300 131 2131").map(|p| p.normalised),
            Ok("+443001312131".into())
        );
    }

    #[test]
    fn the_submitter_number_must_be_callable() {
        assert_eq!(parse_strict("0770090012"), Err(PhoneError::NotUk));
        assert_eq!(parse_strict("12345"), Err(PhoneError::NotUk));
        assert_eq!(parse_strict("+1234"), Err(PhoneError::WrongLength));
        assert_eq!(
            parse_strict("0770090012?"),
            Err(PhoneError::InvalidCharacters)
        );
        assert_eq!(
            parse_strict("07700 900123 ext"),
            Err(PhoneError::InvalidCharacters)
        );
        assert_eq!(
            parse_strict("+33 1 23 45 67 89").map(|p| p.normalised),
            Ok("+33123456789".into())
        );
    }

    #[test]
    fn subject_numbers_are_taken_leniently_with_partial_digits() {
        let p = parse_lenient("07700 9001??").expect("partial accepted");
        assert!(p.partial);
        assert_eq!(p.normalised, "077009001??");
        assert_eq!(parse_lenient("1234567").map(|p| p.partial), Ok(false));
        assert_eq!(parse_lenient("12345"), Err(PhoneError::WrongLength));
        assert_eq!(
            parse_lenient("0770<script>"),
            Err(PhoneError::InvalidCharacters)
        );
    }

    proptest! {
        #[test]
        fn parsers_never_panic(s in "\\PC{0,24}") {
            let _ = parse_strict(&s);
            let _ = parse_lenient(&s);
        }

        #[test]
        fn every_uk_mobile_parses(rest in "[0-9]{9}") {
            let n = format!("07{rest}");
            prop_assert_eq!(parse_strict(&n).map(|p| p.normalised), Ok(format!("+447{rest}")));
        }
    }
}
