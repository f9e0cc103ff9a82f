//! Dates that may be only partly known: `YYYY-MM-DD`, `YYYY-MM` or `YYYY`, never in the future.

use super::check::{wrong, Checked};
use serde_json::Value;
use time::{Date, Month};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FuzzyDate {
    Day(Date),
    Month(i32, Month),
    Year(i32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateError {
    Format,
    NotReal,
    Future,
    TooLongAgo,
}

impl FuzzyDate {
    /// The first day the answer could mean; "never in the future" is judged on it, so "this
    /// month" is allowed on its first day.
    pub fn earliest(&self) -> Date {
        match *self {
            FuzzyDate::Day(d) => d,
            FuzzyDate::Month(y, m) => Date::from_calendar_date(y, m, 1)
                .expect("invariant: year and month were checked when parsed"),
            FuzzyDate::Year(y) => Date::from_calendar_date(y, Month::January, 1)
                .expect("invariant: year was checked when parsed"),
        }
    }

    pub fn year(&self) -> i32 {
        match *self {
            FuzzyDate::Day(d) => d.year(),
            FuzzyDate::Month(y, _) | FuzzyDate::Year(y) => y,
        }
    }
}

impl std::fmt::Display for FuzzyDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            FuzzyDate::Day(d) => write!(
                f,
                "{:04}-{:02}-{:02}",
                d.year(),
                u8::from(d.month()),
                d.day()
            ),
            FuzzyDate::Month(y, m) => write!(f, "{y:04}-{:02}", u8::from(m)),
            FuzzyDate::Year(y) => write!(f, "{y:04}"),
        }
    }
}

fn number(s: &str, len: usize) -> Result<u32, DateError> {
    if s.len() != len || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DateError::Format);
    }
    s.parse().map_err(|_| DateError::Format)
}

pub fn parse(input: &str) -> Result<FuzzyDate, DateError> {
    let parts: Vec<&str> = input.trim().split('-').collect();
    let year = number(parts[0], 4)? as i32;
    if year < 1000 {
        return Err(DateError::NotReal);
    }
    let month = |s: &str| -> Result<Month, DateError> {
        let m = number(s, 2)?;
        Month::try_from(m as u8).map_err(|_| DateError::NotReal)
    };
    match parts.as_slice() {
        [_] => Ok(FuzzyDate::Year(year)),
        [_, m] => Ok(FuzzyDate::Month(year, month(m)?)),
        [_, m, d] => {
            let day = number(d, 2)? as u8;
            Date::from_calendar_date(year, month(m)?, day)
                .map(FuzzyDate::Day)
                .map_err(|_| DateError::NotReal)
        }
        _ => Err(DateError::Format),
    }
}

/// Parses and applies the rules: not after `today`, and no more than `max_years_ago` years back.
pub fn parse_checked(
    input: &str,
    today: Date,
    max_years_ago: Option<u32>,
) -> Result<FuzzyDate, DateError> {
    let d = parse(input)?;
    if d.earliest() > today {
        return Err(DateError::Future);
    }
    if let Some(years) = max_years_ago {
        if d.year() < today.year() - years as i32 {
            return Err(DateError::TooLongAgo);
        }
    }
    Ok(d)
}

/// Builds the answer from the three boxes of a GOV.UK date input. All empty is no answer; a day
/// without a month, or a month without a year, cannot be read.
pub fn from_parts(day: &str, month: &str, year: &str) -> Result<Option<String>, DateError> {
    let (day, month, year) = (day.trim(), month.trim(), year.trim());
    let pad = |s: &str| -> Result<String, DateError> {
        if s.is_empty() || s.len() > 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DateError::Format);
        }
        Ok(format!("{s:0>2}"))
    };
    match (day.is_empty(), month.is_empty(), year.is_empty()) {
        (true, true, true) => Ok(None),
        (true, true, false) => Ok(Some(year.to_string())),
        (true, false, false) => Ok(Some(format!("{year}-{}", pad(month)?))),
        (false, false, false) => Ok(Some(format!("{year}-{}-{}", pad(month)?, pad(day)?))),
        _ => Err(DateError::Format),
    }
}

/// Checks a date answer: a real date, not in the future, within `max_years_ago` of `today`.
pub(crate) fn check(raw: &str, today: Date, max_years_ago: Option<u32>) -> Checked {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match parse_checked(s, today, max_years_ago) {
        Ok(d) => Ok(Some(Value::String(d.to_string()))),
        Err(DateError::Format) => wrong(
            "invalid_format",
            "enter a date as day, month and year, or month and year, or year only",
        ),
        Err(DateError::NotReal) => wrong("invalid_date", "must be a real date"),
        Err(DateError::Future) => wrong("future_date", "must be today or in the past"),
        Err(DateError::TooLongAgo) => wrong(
            "too_long_ago",
            format!(
                "must be within the last {} years",
                max_years_ago.unwrap_or(0)
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 23);

    #[test]
    fn three_precisions_are_accepted() {
        assert_eq!(
            parse("2026-11-01"),
            Ok(FuzzyDate::Day(date!(2026 - 11 - 01)))
        );
        assert_eq!(
            parse("2026-02"),
            Ok(FuzzyDate::Month(2026, Month::February))
        );
        assert_eq!(parse("2019"), Ok(FuzzyDate::Year(2019)));
        assert_eq!(
            parse("2026-11-01").map(|d| d.to_string()),
            Ok("2026-11-01".into())
        );
    }

    #[test]
    fn impossible_and_malformed_dates_are_refused() {
        assert_eq!(parse("2026-02-30"), Err(DateError::NotReal));
        assert_eq!(parse("2026-13"), Err(DateError::NotReal));
        assert_eq!(parse("26-01-01"), Err(DateError::Format));
        assert_eq!(parse("2026/01/01"), Err(DateError::Format));
        assert_eq!(parse("2026-1-1"), Err(DateError::Format));
        assert_eq!(parse(""), Err(DateError::Format));
        assert_eq!(parse("2026-01-01-01"), Err(DateError::Format));
    }

    #[test]
    fn future_dates_are_refused_but_this_month_and_year_are_fine() {
        assert_eq!(
            parse_checked("2026-11-24", TODAY, None),
            Err(DateError::Future)
        );
        assert_eq!(parse_checked("2027", TODAY, None), Err(DateError::Future));
        assert!(parse_checked("2026-11-23", TODAY, None).is_ok());
        assert!(parse_checked("2026-11", TODAY, None).is_ok());
        assert!(parse_checked("2026", TODAY, None).is_ok());
    }

    #[test]
    fn dates_of_birth_more_than_120_years_ago_are_refused() {
        assert_eq!(
            parse_checked("1899-01-01", TODAY, Some(120)),
            Err(DateError::TooLongAgo)
        );
        assert!(parse_checked("1907", TODAY, Some(120)).is_ok());
    }

    #[test]
    fn three_boxes_make_one_answer() {
        assert_eq!(from_parts("", "", ""), Ok(None));
        assert_eq!(from_parts("", "", "2025"), Ok(Some("2025".into())));
        assert_eq!(from_parts("", "3", "2025"), Ok(Some("2025-03".into())));
        assert_eq!(from_parts("7", "3", "2025"), Ok(Some("2025-03-07".into())));
        assert_eq!(from_parts("7", "", "2025"), Err(DateError::Format));
        assert_eq!(from_parts("7", "3", ""), Err(DateError::Format));
        assert_eq!(from_parts("x", "3", "2025"), Err(DateError::Format));
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,16}") {
            let _ = parse_checked(&s, TODAY, Some(120));
        }

        #[test]
        fn formatted_dates_round_trip(y in 1900i32..2100, m in 1u8..=12, d in 1u8..=28) {
            let s = format!("{y:04}-{m:02}-{d:02}");
            prop_assert_eq!(parse(&s).map(|x| x.to_string()), Ok(s));
        }
    }
}
