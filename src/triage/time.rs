//! Time expressions in a narrative ("tonight at 9pm", "in two hours", "two years ago"),
//! resolved by `duckling` against the moment the report was received, in UK time.
//!
//! Only duckling's non-latent Time results are used: its latent readings turn bare numbers
//! ("she is 14") into times, and its Duration dimension reads "a hotel" as an hour.

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, TimeZone};
use duckling::{
    Context, DimensionKind, DimensionValue, Grain, Lang, Locale, Options, Region, TimePoint,
    TimeValue,
};
use time::OffsetDateTime;

/// Where a time falls relative to the moment of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum When {
    /// More than a week ago.
    Historical,
    /// Between six hours and a week ago.
    PastDays,
    /// A fortnight or more ahead.
    Later,
    /// Within the next fortnight.
    WithinDays,
    /// Now, within the last six hours or the next 24.
    Within24h,
}

/// A time expression found in text: byte range and where it falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub start: usize,
    pub end: usize,
    pub when: When,
}

fn uk_offset(at: OffsetDateTime) -> FixedOffset {
    let secs = if crate::ukdate::is_bst(at) { 3600 } else { 0 };
    FixedOffset::east_opt(secs)
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("invariant: UTC is a valid offset"))
}

fn reference(at: OffsetDateTime) -> DateTime<FixedOffset> {
    let offset = uk_offset(at);
    offset
        .timestamp_opt(at.unix_timestamp(), 0)
        .single()
        .unwrap_or_else(|| {
            offset
                .timestamp_opt(0, 0)
                .single()
                .expect("invariant: epoch exists")
        })
}

fn grain_len(g: Grain) -> Duration {
    match g {
        Grain::NoGrain | Grain::Second => Duration::seconds(1),
        Grain::Minute => Duration::minutes(1),
        Grain::Hour => Duration::hours(1),
        Grain::Day => Duration::days(1),
        Grain::Week => Duration::weeks(1),
        Grain::Month => Duration::days(31),
        Grain::Quarter => Duration::days(92),
        Grain::Year => Duration::days(366),
    }
}

fn instant(p: &TimePoint, offset: FixedOffset) -> Option<(DateTime<FixedOffset>, Grain)> {
    match p {
        TimePoint::Instant { value, grain } => Some((*value, *grain)),
        TimePoint::Naive { value, grain } => {
            let naive: NaiveDateTime = *value;
            offset
                .from_local_datetime(&naive)
                .earliest()
                .map(|t| (t, *grain))
        }
    }
}

/// The span of time a value covers: [from, to).
fn span(
    v: &TimeValue,
    offset: FixedOffset,
    now: DateTime<FixedOffset>,
) -> Option<(DateTime<FixedOffset>, DateTime<FixedOffset>, Grain)> {
    match v {
        TimeValue::Single { value, values, .. } => {
            // "at 3" at 14:30 reads as 03:00 tomorrow first; 15:00 today is among its values.
            // The soonest reading still to come is the one that matters for urgency.
            let (mut t, g) = instant(value, offset)?;
            let clock = matches!(g, Grain::Hour | Grain::Minute | Grain::Second);
            for v in values.iter().filter(|_| clock) {
                if let Some((u, _)) = instant(v, offset) {
                    if u < t && u + grain_len(g) > now {
                        t = u;
                    }
                }
            }
            Some((t, t + grain_len(g), g))
        }
        TimeValue::Interval { from, to, .. } => {
            let from = from.as_ref().and_then(|p| instant(p, offset));
            let to = to.as_ref().and_then(|p| instant(p, offset));
            match (from, to) {
                (Some((a, g)), Some((b, _))) => Some((a, b, g)),
                // "by midnight", "until 9": open at the start, so from now.
                (None, Some((b, g))) => Some((b - grain_len(g), b, g)),
                // "after 9pm", "since last night": open at the end.
                (Some((a, g)), None) => Some((a, a + grain_len(g), g)),
                (None, None) => None,
            }
        }
    }
}

fn classify(
    from: DateTime<FixedOffset>,
    to: DateTime<FixedOffset>,
    grain: Grain,
    now: DateTime<FixedOffset>,
) -> Option<When> {
    // "this week", "this year": a period that merely contains now says nothing about today.
    if matches!(
        grain,
        Grain::Week | Grain::Month | Grain::Quarter | Grain::Year
    ) && from <= now
        && to > now
    {
        return None;
    }
    // "by midnight", "by the weekend": from now until a deadline; the deadline is what counts.
    let from = if (from - now).num_seconds().abs() < 60 && to > now + Duration::hours(1) {
        to - Duration::seconds(1)
    } else {
        from
    };
    // "on Wednesday" (a whole day) is within 24 hours only when it is today; "tomorrow" and
    // "tonight" are cues of their own in the rules.
    let day_ahead = grain == Grain::Day && from > now;
    Some(if to <= now - Duration::days(7) {
        When::Historical
    } else if to <= now - Duration::hours(6) {
        When::PastDays
    } else if from <= now + Duration::hours(24) && !day_ahead {
        When::Within24h
    } else if from <= now + Duration::days(14) {
        When::WithinDays
    } else {
        When::Later
    })
}

/// Warms duckling's rule tables (its first call builds them and is slow).
pub fn warm() {
    let _ = find("tonight at 9pm", OffsetDateTime::UNIX_EPOCH);
}

/// Every non-latent time expression in `text`, resolved against `at`.
pub fn find(text: &str, at: OffsetDateTime) -> Vec<Found> {
    let offset = uk_offset(at);
    let now = reference(at);
    let locale = Locale::new(Lang::EN, Some(Region::GB));
    let context = Context::new(now, locale);
    let options = Options { with_latent: false };
    // duckling catches its own panics only in release builds; hostile text must never take
    // a request down, so a panic here means "no time found".
    let entities = std::panic::catch_unwind(|| {
        duckling::parse(text, &locale, &[DimensionKind::Time], &context, &options)
    })
    .unwrap_or_default();
    entities
        .into_iter()
        .filter(|e| e.latent != Some(true))
        .filter_map(|e| {
            let DimensionValue::Time(v) = &e.value else {
                return None;
            };
            let (from, to, grain) = span(v, offset, now)?;
            Some(Found {
                start: e.start,
                end: e.end,
                when: classify(from, to, grain, now)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::time::macros::datetime;

    /// A Tuesday afternoon in winter (UK time is UTC).
    const AT: OffsetDateTime = datetime!(2026-12-01 14:30 UTC);

    fn when(text: &str) -> Vec<When> {
        find(text, AT).into_iter().map(|f| f.when).collect()
    }

    #[test]
    fn times_within_a_day_are_within_24h() {
        for t in [
            "tonight at 9pm",
            "in two hours",
            "by midnight",
            "tomorrow morning",
            "twenty minutes ago",
            "this afternoon",
        ] {
            assert_eq!(when(t), vec![When::Within24h], "{t}");
        }
    }

    #[test]
    fn days_ahead_and_years_ago_are_told_apart() {
        assert_eq!(when("on Friday"), vec![When::WithinDays]);
        // A whole day ahead, even tomorrow, is within days; the rules read "tomorrow" itself
        // as soon.
        assert_eq!(when("first thing tomorrow"), vec![When::WithinDays]);
        assert_eq!(when("two years ago"), vec![When::Historical]);
        assert_eq!(when("last year"), vec![When::Historical]);
    }

    #[test]
    fn ages_and_hotels_are_not_times() {
        assert!(when("she is 14 and he took her to a hotel").is_empty());
        assert!(when("this year she has been missing a lot").is_empty());
    }
}
