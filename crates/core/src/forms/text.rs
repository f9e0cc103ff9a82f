//! Free-text clean-up shared by every text-bearing kind.
//!
//! Unicode NFC; control characters removed; bidirectional overrides and isolates removed, since
//! they can make a line read differently to an officer than it was typed ("unicode tricks").

use super::check::{wrong, Checked, Wrong};
use super::spec::TextFormat;
use crate::reference::Reference;
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;
use validator::ValidateEmail;

fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Cleans one line of text: tabs and line breaks become spaces, runs of spaces collapse, other
/// control characters go, and the ends are trimmed.
pub fn clean_line(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut last_space = true;
    for c in input.nfc() {
        let c = if c == '\t' || c == '\n' || c == '\r' || c == '\u{2028}' || c == '\u{2029}' {
            ' '
        } else {
            c
        };
        if c.is_control() || is_bidi_control(c) {
            continue;
        }
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = false;
        }
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

/// Cleans multi-line text: line breaks normalise to `\n`, trailing spaces per line go, at most
/// two blank lines in a row survive, and other control characters go.
pub fn clean_multiline(input: &str) -> String {
    let unified = input
        .replace("\r\n", "\n")
        .replace(['\r', '\u{2028}', '\u{2029}'], "\n");
    let mut lines: Vec<String> = Vec::new();
    let mut blank_run = 0;
    for raw in unified.split('\n') {
        let line: String = raw
            .nfc()
            .map(|c| if c == '\t' { ' ' } else { c })
            .filter(|c| !c.is_control() && !is_bidi_control(*c))
            .collect();
        let line = line.trim_end().to_string();
        if line.is_empty() {
            blank_run += 1;
            if blank_run > 2 {
                continue;
            }
        } else {
            blank_run = 0;
        }
        lines.push(line);
    }
    lines.join("\n").trim().to_string()
}

/// Length as a person counts it: Unicode scalar values after NFC.
pub fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// Checks a one-line text answer: cleaned, within its lengths, of its format.
pub(crate) fn check_line(
    raw: &str,
    max_length: usize,
    min_length: Option<usize>,
    format: Option<&TextFormat>,
) -> Checked {
    let s = clean_line(raw);
    if s.is_empty() {
        return Ok(None);
    }
    if let Some(w) = length_problem(&s, max_length, min_length) {
        return Err(w);
    }
    match format {
        Some(TextFormat::Name) if !s.chars().all(is_name_char) => wrong(
            "invalid_characters",
            "can only include letters, spaces, hyphens, apostrophes and full stops",
        ),
        Some(TextFormat::Reference) if !s.chars().all(is_reference_char) => wrong(
            "invalid_characters",
            "can only include letters, numbers, spaces, / and -",
        ),
        Some(TextFormat::PisReference) => match Reference::parse(&s) {
            Some(r) => Ok(Some(Value::String(r.to_string()))),
            None => wrong("invalid_format", "must look like PIS-ABCD-1234"),
        },
        _ => Ok(Some(Value::String(s))),
    }
}

/// Checks a long text answer: cleaned (line breaks kept), within its lengths.
pub(crate) fn check_multiline(raw: &str, max_length: usize, min_length: Option<usize>) -> Checked {
    let s = clean_multiline(raw);
    if s.is_empty() {
        return Ok(None);
    }
    match length_problem(&s, max_length, min_length) {
        Some(w) => Err(w),
        None => Ok(Some(Value::String(s))),
    }
}

/// Checks an email address; the domain is kept in lower case.
pub(crate) fn check_email(raw: &str) -> Checked {
    let s = clean_line(raw);
    if s.is_empty() {
        return Ok(None);
    }
    if s.len() > 254 || s.contains(' ') || !s.as_str().validate_email() {
        return wrong(
            "invalid_format",
            "enter an email address in the correct format, like name@example.org",
        );
    }
    let (local, domain) = s.rsplit_once('@').unwrap_or((&s, ""));
    Ok(Some(Value::String(format!(
        "{local}@{}",
        domain.to_lowercase()
    ))))
}

fn length_problem(s: &str, max_length: usize, min_length: Option<usize>) -> Option<Wrong> {
    let len = char_len(s);
    let (code, message) = if len > max_length {
        (
            "too_long",
            format!("must be {max_length} characters or fewer"),
        )
    } else if let Some(min) = min_length.filter(|m| len < *m) {
        ("too_short", format!("must be at least {min} characters"))
    } else {
        return None;
    };
    Some(Wrong { code, message })
}

fn is_name_char(c: char) -> bool {
    c.is_alphabetic() || matches!(c, ' ' | '\'' | '-' | '.' | '’')
}

fn is_reference_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, ' ' | '/' | '-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn lines_lose_controls_and_bidi_overrides() {
        assert_eq!(
            clean_line("  Ann\u{202E}ileM \u{0007}Smith\t\r\n"),
            "AnnileM Smith"
        );
        assert_eq!(clean_line("a\u{2066}b\u{2069}c"), "abc");
    }

    #[test]
    fn text_is_normalised_to_nfc() {
        // "e" followed by a combining acute becomes one character.
        assert_eq!(clean_line("Zoe\u{0301}"), "Zo\u{e9}");
        assert_eq!(char_len(&clean_line("Zoe\u{0301}")), 3);
    }

    #[test]
    fn multiline_text_keeps_paragraphs_but_not_floods_of_blank_lines() {
        assert_eq!(clean_multiline("a\r\nb\n\n\n\n\nc  \n"), "a\nb\n\n\nc");
    }

    proptest! {
        #[test]
        fn cleaned_text_has_no_control_characters(s in "\\PC*|[\\x00-\\x1f\\u{202a}-\\u{202e}a-z ]*") {
            let line = clean_line(&s);
            prop_assert!(!line.chars().any(|c| c.is_control() || is_bidi_control(c)));
            let multi = clean_multiline(&s);
            prop_assert!(!multi.chars().any(|c| (c.is_control() && c != '\n') || is_bidi_control(c)));
        }

        #[test]
        fn cleaning_is_idempotent(s in "\\PC*") {
            let once = clean_line(&s);
            prop_assert_eq!(clean_line(&once), once.clone());
            let m = clean_multiline(&s);
            prop_assert_eq!(clean_multiline(&m), m.clone());
        }
    }
}
