//! Today's date in the UK (Europe/London), for "never in the future" rules.
//!
//! A submitter near midnight in summer time is an hour ahead of UTC; judging their "today" by
//! the UTC date would reject a correct answer. The UK rule is fixed in law (Summer Time Order
//! 2002): summer time runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last
//! Sunday of October.

use time::{Date, Month, OffsetDateTime, Weekday};

fn last_sunday(year: i32, month: Month) -> Date {
    let mut d = Date::from_calendar_date(year, month, month.length(year))
        .expect("invariant: the last day of a month is a valid date");
    while d.weekday() != Weekday::Sunday {
        d = d.previous_day().expect("invariant: within the same month");
    }
    d
}

/// True when the instant falls within British Summer Time.
pub fn is_bst(now: OffsetDateTime) -> bool {
    let utc = now.to_offset(time::UtcOffset::UTC);
    let year = utc.year();
    let start = last_sunday(year, Month::March)
        .with_hms(1, 0, 0)
        .expect("invariant: 01:00 is a valid time")
        .assume_utc();
    let end = last_sunday(year, Month::October)
        .with_hms(1, 0, 0)
        .expect("invariant: 01:00 is a valid time")
        .assume_utc();
    utc >= start && utc < end
}

/// The calendar date in the UK at the given instant.
pub fn uk_date(now: OffsetDateTime) -> Date {
    let utc = now.to_offset(time::UtcOffset::UTC);
    if is_bst(utc) {
        (utc + time::Duration::HOUR).date()
    } else {
        utc.date()
    }
}

pub fn uk_today() -> Date {
    uk_date(OffsetDateTime::now_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn summer_evenings_after_23_utc_are_already_tomorrow_in_the_uk() {
        assert_eq!(
            uk_date(datetime!(2026-07-14 23:30 UTC)),
            time::macros::date!(2026 - 07 - 15)
        );
        assert_eq!(
            uk_date(datetime!(2026-01-14 23:30 UTC)),
            time::macros::date!(2026 - 01 - 14)
        );
    }

    #[test]
    fn summer_time_changes_on_the_last_sundays_at_one_utc() {
        // 2026: 29 March and 25 October.
        assert!(!is_bst(datetime!(2026-03-29 00:59 UTC)));
        assert!(is_bst(datetime!(2026-03-29 01:00 UTC)));
        assert!(is_bst(datetime!(2026-10-25 00:59 UTC)));
        assert!(!is_bst(datetime!(2026-10-25 01:00 UTC)));
    }
}
