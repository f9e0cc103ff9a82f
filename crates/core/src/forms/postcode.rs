//! UK postcodes (BS 7666), with the outward code alone accepted where a form allows a partial one.

use super::check::{wrong, Checked, Notes};
use regex::Regex;
use serde_json::Value;
use std::sync::LazyLock;

static FULL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(GIR 0AA|(([A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?|[A-PR-UWYZ][0-9][A-HJKSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]) [0-9][ABD-HJLNP-UW-Z]{2}))$",
    )
    .expect("invariant: the postcode pattern is a valid regex")
});

static OUTWARD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^([A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?|[A-PR-UWYZ][0-9][A-HJKSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])$",
    )
    .expect("invariant: the outward-code pattern is a valid regex")
});

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Postcode {
    Full(String),
    Outward(String),
}

impl Postcode {
    pub fn as_str(&self) -> &str {
        match self {
            Postcode::Full(s) | Postcode::Outward(s) => s,
        }
    }

    /// The outward code ("YO1" of "YO1 7HH"), the key for locality look-ups.
    pub fn outward(&self) -> &str {
        match self {
            Postcode::Full(s) => s.split(' ').next().unwrap_or(s),
            Postcode::Outward(s) => s,
        }
    }
}

/// Parses a postcode: trims, upper-cases, and puts one space before the inward code.
pub fn parse(input: &str, allow_partial: bool) -> Option<Postcode> {
    let compact: String = input
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if !compact.is_ascii() || compact.len() > 8 {
        return None;
    }
    if allow_partial && OUTWARD.is_match(&compact) {
        return Some(Postcode::Outward(compact));
    }
    if compact.len() < 5 {
        return None;
    }
    let (out, inw) = compact.split_at(compact.len() - 3);
    let spaced = format!("{out} {inw}");
    FULL.is_match(&spaced).then_some(Postcode::Full(spaced))
}

/// Checks a postcode answer: spaced and upper case, noted when only its first part is given.
pub(crate) fn check(raw: &str, partial: bool, notes: &mut Notes<'_>) -> Checked {
    let s = super::text::clean_line(raw);
    if s.is_empty() {
        return Ok(None);
    }
    match parse(&s, partial) {
        Some(p) => {
            if matches!(p, Postcode::Outward(_)) {
                notes.add("partial_postcode");
            }
            Ok(Some(Value::String(p.as_str().to_string())))
        }
        None if partial => wrong(
            "invalid_format",
            "enter a real postcode, like YO1 7HH, or the first part only, like YO1",
        ),
        None => wrong("invalid_format", "enter a real postcode, like YO1 7HH"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_bs7666_shape_parses_and_normalises() {
        for (input, want) in [
            ("yo1 7hh", "YO1 7HH"),
            ("YO17HH", "YO1 7HH"),
            (" hg1  2ab ", "HG1 2AB"),
            ("M1 1AE", "M1 1AE"),
            ("B33 8TH", "B33 8TH"),
            ("CR2 6XH", "CR2 6XH"),
            ("DN55 1PT", "DN55 1PT"),
            ("W1A 0AX", "W1A 0AX"),
            ("EC1A 1BB", "EC1A 1BB"),
            ("gir0aa", "GIR 0AA"),
        ] {
            assert_eq!(
                parse(input, false),
                Some(Postcode::Full(want.into())),
                "{input}"
            );
        }
    }

    #[test]
    fn letters_barred_by_the_standard_are_refused() {
        for input in [
            "QO1 7HH", "VO1 7HH", "XO1 7HH", "AI1 1AA", "AZ1 1AA", "YO1 7CH", "YO1 7HI", "YO1 7KO",
            "W1I 0AX", "EC1C 1BB", "YO1", "12345", "", "YO1 7HHH",
        ] {
            assert_eq!(parse(input, false), None, "{input}");
        }
    }

    #[test]
    fn the_outward_code_alone_counts_only_when_allowed() {
        assert_eq!(parse("yo1", true), Some(Postcode::Outward("YO1".into())));
        assert_eq!(parse("yo1", false), None);
        assert_eq!(
            parse("DL10", true).map(|p| p.outward().to_string()),
            Some("DL10".into())
        );
        assert_eq!(
            parse("YO1 7HH", true).map(|p| p.outward().to_string()),
            Some("YO1".into())
        );
    }

    proptest! {
        #[test]
        fn parse_never_panics_and_output_reparses(s in "\\PC{0,12}") {
            if let Some(p) = parse(&s, true) {
                prop_assert_eq!(parse(p.as_str(), true), Some(p.clone()));
            }
        }

        #[test]
        fn generated_valid_postcodes_always_parse(
            area in "[A-PR-UWYZ][A-HK-Y]",
            district in 1u8..99,
            sector in 0u8..9,
            unit in "[ABD-HJLNP-UW-Z]{2}",
        ) {
            let pc = format!("{area}{district} {sector}{unit}");
            prop_assert_eq!(parse(&pc.to_lowercase(), false), Some(Postcode::Full(pc)));
        }
    }
}
