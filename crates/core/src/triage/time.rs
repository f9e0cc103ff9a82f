//! Time expressions in a narrative ("tonight at 9pm", "in two hours", "two years ago"),
//! resolved against the moment the report was received, in UK time.
//!
//! A small resolver for the expressions people write in reports: clock times ("at 9pm",
//! "21:00", "half nine", "by midnight"), day words ("tonight", "tomorrow morning",
//! "yesterday"), weekdays ("on Friday", "last Saturday night"), relative times ("in two hours",
//! "twenty minutes ago", "for the last 3 days"), periods ("last week", "next month", "the
//! weekend", "all summer") and dates ("3 March", "the 3rd", "03/12/2026", "in 2019"). Words
//! that only sometimes mean a time are read as one only in a time's company: a bare number is
//! not a clock ("she is 14"), "sat" and "sun" are weekdays only after "on", "last" and the
//! like, and "march" or "may" are months only beside a day or a year.
//!
//! Local times are turned into instants by the UK rule (`ukdate::is_bst`), so "at 1:30" on
//! the night the clocks change falls where a clock on the wall says.

use ::time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, Weekday};

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
    /// Where it falls if it names the last such time rather than the next: "at 1am" written
    /// with a verb in the past ("I collected her at 1am") was last night, not tonight.
    pub earlier: When,
}

/// How finely an expression names its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grain {
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

/// The stretch of time an expression covers: [from, to).
#[derive(Debug, Clone, Copy)]
struct Stretch {
    from: OffsetDateTime,
    to: OffsetDateTime,
    grain: Grain,
}

/// Words (or word pairs) longer than this are not looked at: no time word is, and hostile
/// text must not buy work.
const MAX_WORD: usize = 24;
/// Quantities above this ("in 99999 years") are not times anyone means.
const MAX_COUNT: i64 = 1000;

/// The instant a UK wall-clock time stands for. In the autumn hour that happens twice, the
/// first; in the spring hour that never happens, the hour after.
fn instant(local: PrimitiveDateTime) -> OffsetDateTime {
    let as_gmt = local.assume_utc();
    let as_bst = as_gmt - Duration::HOUR;
    if crate::ukdate::is_bst(as_bst) {
        as_bst
    } else {
        as_gmt
    }
}

fn local(at: OffsetDateTime) -> PrimitiveDateTime {
    let utc = at.to_offset(::time::UtcOffset::UTC);
    let utc = PrimitiveDateTime::new(utc.date(), utc.time());
    if crate::ukdate::is_bst(at) {
        utc + Duration::HOUR
    } else {
        utc
    }
}

fn midnight(d: Date) -> OffsetDateTime {
    instant(d.midnight())
}

fn days(d: Date, n: i64) -> Option<Date> {
    d.checked_add(Duration::days(n))
}

fn day_stretch(d: Date) -> Option<Stretch> {
    Some(Stretch {
        from: midnight(d),
        to: midnight(days(d, 1)?),
        grain: Grain::Day,
    })
}

/// Where a time still ahead falls when it is the last one: a clock time a day earlier, a day
/// a week earlier. `None` when it is not ahead.
fn earlier(s: Stretch, now: OffsetDateTime) -> Option<When> {
    if s.from <= now {
        return None;
    }
    let back = match s.grain {
        Grain::Minute | Grain::Hour => Duration::DAY,
        Grain::Day => Duration::WEEK,
        Grain::Week | Grain::Month | Grain::Year => return None,
    };
    classify(
        Stretch {
            from: s.from - back,
            to: s.to - back,
            grain: s.grain,
        },
        now,
    )
}

fn classify(s: Stretch, now: OffsetDateTime) -> Option<When> {
    let Stretch { from, to, grain } = s;
    // "this week", "this year": a period that merely contains now says nothing about today.
    if matches!(grain, Grain::Week | Grain::Month | Grain::Year) && from <= now && to > now {
        return None;
    }
    // "within the next three days": from now until a deadline; the deadline is what counts.
    let from = if (from - now).whole_seconds().abs() < 60 && to > now + Duration::HOUR {
        to - Duration::SECOND
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

/// Every time expression in `text`, resolved against `at`.
pub fn find(text: &str, at: OffsetDateTime) -> Vec<Found> {
    // Far from any real moment of receipt, date arithmetic could leave the calendar.
    if !(1900..=9000).contains(&at.year()) {
        return Vec::new();
    }
    let mut words: Vec<(usize, usize, String)> = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (c.is_whitespace() || c == ',', start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                words.push((s, i, word_of(&text[s..i])));
                start = None;
            }
            _ => {}
        }
    }
    let w: Vec<&str> = words.iter().map(|(_, _, s)| s.as_str()).collect();
    let now = at;
    let ctx = Ctx {
        now,
        local: local(now),
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < w.len() {
        match ctx.parse_at(&w, i) {
            Some((end, stretch)) if end > i => {
                if let Some(when) = classify(stretch, now) {
                    out.push(Found {
                        start: words[i].0,
                        end: words[end - 1].1,
                        when,
                        earlier: earlier(stretch, now).unwrap_or(when),
                    });
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    out
}

/// One word lowered, with quotes and trailing punctuation trimmed ("o'clock" keeps its own).
fn word_of(raw: &str) -> String {
    if raw.len() > MAX_WORD {
        return String::new();
    }
    let w = raw
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_ascii_lowercase()
        .replace('’', "'");
    w.replace("o'clock", "oclock")
}

struct Ctx {
    now: OffsetDateTime,
    local: PrimitiveDateTime,
}

fn number_word(w: &str) -> Option<i64> {
    Some(match w {
        "a" | "an" | "one" => 1,
        "two" | "couple" => 2,
        "three" | "few" | "several" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        _ => return None,
    })
}

fn digits(w: &str) -> Option<i64> {
    (!w.is_empty() && w.len() <= 6 && w.bytes().all(|b| b.is_ascii_digit()))
        .then(|| w.parse().ok())
        .flatten()
}

/// A count at `i` ("3", "twenty five", "a couple of", "a few"), and where it ends.
fn count(w: &[&str], i: usize) -> Option<(i64, usize)> {
    let at = |k: usize| w.get(k).copied().unwrap_or("");
    if let Some(n) = digits(at(i)) {
        return Some((n, i + 1));
    }
    // "a couple of", "a few": the article belongs to the quantity.
    if matches!(at(i), "a" | "an") && matches!(at(i + 1), "couple" | "few") {
        let end = if at(i + 2) == "of" { i + 3 } else { i + 2 };
        return Some((number_word(at(i + 1))?, end));
    }
    let n = number_word(at(i))?;
    if n >= 20 {
        if let Some(u) = number_word(at(i + 1)).filter(|u| (1..10).contains(u)) {
            if !matches!(at(i + 1), "a" | "an") {
                return Some((n + u, i + 2));
            }
        }
    }
    let end = if at(i) == "couple" && at(i + 1) == "of" {
        i + 2
    } else {
        i + 1
    };
    Some((n, end))
}

/// A unit of time as a length in minutes (a month as 30 days, a year as 365).
fn unit(w: &str) -> Option<(i64, Grain)> {
    Some(match w {
        "min" | "mins" | "minute" | "minutes" => (1, Grain::Minute),
        "hr" | "hrs" | "hour" | "hours" => (60, Grain::Hour),
        "day" | "days" => (1440, Grain::Day),
        "week" | "weeks" | "wk" | "wks" => (7 * 1440, Grain::Week),
        "fortnight" | "fortnights" => (14 * 1440, Grain::Week),
        "month" | "months" => (30 * 1440, Grain::Month),
        "year" | "years" | "yr" | "yrs" => (365 * 1440, Grain::Year),
        _ => return None,
    })
}

/// A quantity of time at `i` ("two hours", "half an hour", "a few weeks"), in minutes.
fn quantity(w: &[&str], i: usize) -> Option<(Duration, Grain, usize)> {
    let at = |k: usize| w.get(k).copied().unwrap_or("");
    if at(i) == "half" && matches!(at(i + 1), "a" | "an") {
        let (len, grain) = unit(at(i + 2))?;
        return Some((Duration::minutes(len / 2), grain, i + 3));
    }
    let (n, k) = count(w, i)?;
    let (len, grain) = unit(at(k))?;
    (1..=MAX_COUNT)
        .contains(&n)
        .then(|| (Duration::minutes(n * len), grain, k + 1))
}

/// The day part a word names, as local hours [from, to).
fn part(w: &str) -> Option<(u8, u8)> {
    Some(match w {
        "morning" => (4, 12),
        "lunchtime" | "dinnertime" => (12, 14),
        "afternoon" => (12, 19),
        "evening" | "night" | "tonight" => (18, 24),
        _ => return None,
    })
}

fn weekday(w: &str, guarded: bool) -> Option<Weekday> {
    Some(match w {
        "monday" => Weekday::Monday,
        "tuesday" | "tues" | "tue" => Weekday::Tuesday,
        "wednesday" | "weds" => Weekday::Wednesday,
        "thursday" | "thurs" | "thur" | "thu" => Weekday::Thursday,
        "friday" | "fri" => Weekday::Friday,
        "saturday" => Weekday::Saturday,
        "sunday" => Weekday::Sunday,
        // Also ordinary words ("sat on the wall", "the sun", "wed"): only after "on", "last"…
        "mon" if guarded => Weekday::Monday,
        "wed" if guarded => Weekday::Wednesday,
        "sat" if guarded => Weekday::Saturday,
        "sun" if guarded => Weekday::Sunday,
        _ => return None,
    })
}

fn month(w: &str) -> Option<(Month, bool)> {
    // The bool says the word is a month only beside a day or a year ("march", "may").
    Some(match w {
        "january" | "jan" => (Month::January, false),
        "february" | "feb" => (Month::February, false),
        "march" => (Month::March, true),
        "mar" => (Month::March, false),
        "april" | "apr" => (Month::April, false),
        "may" => (Month::May, true),
        "june" | "jun" => (Month::June, false),
        "july" | "jul" => (Month::July, false),
        "august" | "aug" => (Month::August, false),
        "september" | "sept" | "sep" => (Month::September, false),
        "october" | "oct" => (Month::October, false),
        "november" | "nov" => (Month::November, false),
        "december" | "dec" => (Month::December, false),
        _ => return None,
    })
}

/// A day of the month: "3", "3rd", "21st".
fn day_of_month(w: &str) -> Option<u8> {
    let n = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &w[n.len()..];
    if !matches!(suffix, "" | "st" | "nd" | "rd" | "th") {
        return None;
    }
    digits(n)
        .filter(|d| (1..=31).contains(d))
        .and_then(|d| u8::try_from(d).ok())
}

fn year(w: &str) -> Option<i32> {
    (w.len() == 4)
        .then(|| digits(w))
        .flatten()
        .filter(|y| (1900..=2100).contains(y))
        .and_then(|y| i32::try_from(y).ok())
}

/// A day, the day part it names (local hours [from, to)), and where its words end.
type DayAt = (Date, Option<(u8, u8)>, usize);

/// A clock time as (hour, minute, whether am/pm or the 24-hour clock settled the hour).
#[derive(Debug, Clone, Copy)]
struct Clock {
    hour: u8,
    minute: u8,
    settled: bool,
    grain: Grain,
}

/// Words after which a bare number is a clock ("at 9", "by 6"); "about 14" is an age.
const CLOCK_LEADS: &[&str] = &[
    "at", "by", "since", "until", "till", "til", "before", "after", "from", "gone",
];

const LEADS: &[&str] = &[
    "at",
    "on",
    "by",
    "since",
    "until",
    "till",
    "til",
    "before",
    "after",
    "from",
    "about",
    "around",
    "approx",
    "approximately",
    "roughly",
    "gone",
];

/// Whole days from midnight to midnight.
fn days_span(from: Date, to: Date, grain: Grain) -> Stretch {
    Stretch {
        from: midnight(from),
        to: midnight(to),
        grain,
    }
}

/// This year's season (`y`, or the last or the next); winter runs into the new year.
fn season(word: &str, y: i32) -> Option<Stretch> {
    let (from, to) = match word {
        "spring" => ((y, Month::March, 20), (y, Month::June, 21)),
        "summer" => ((y, Month::June, 21), (y, Month::September, 23)),
        "autumn" => ((y, Month::September, 23), (y, Month::December, 21)),
        _ => ((y, Month::December, 21), (y + 1, Month::March, 20)),
    };
    Some(days_span(
        Date::from_calendar_date(from.0, from.1, from.2).ok()?,
        Date::from_calendar_date(to.0, to.1, to.2).ok()?,
        Grain::Month,
    ))
}

/// The word at `k`, or "" past the end.
fn word_at<'a>(w: &[&'a str], k: usize) -> &'a str {
    w.get(k).copied().unwrap_or("")
}

/// An hour in figures or words ("9", "nine"), 0 to 24; "a", "an" and "couple" are no hour.
fn hour_word(s: &str) -> Option<u8> {
    digits(s)
        .or_else(|| number_word(s).filter(|_| !matches!(s, "a" | "an" | "couple")))
        .filter(|h| (0..=24).contains(h))
        .and_then(|h| u8::try_from(h).ok())
}

/// The hour of a twelve-hour clock on the twenty-four-hour one.
fn hour_of_day(hour: u8, pm: bool) -> u8 {
    match (hour, pm) {
        (12, false) => 0,
        (12, true) => 12,
        (h, true) => h + 12,
        (h, false) => h,
    }
}

/// "am", "pm" or "oclock" at `k` after a clock: settles it (and moves past the word).
fn with_ampm(w: &[&str], k: usize, c: Clock) -> (Clock, usize) {
    match word_at(w, k) {
        "am" | "a.m" | "pm" | "p.m" if c.hour <= 12 => {
            let pm = word_at(w, k).starts_with('p');
            (
                Clock {
                    hour: hour_of_day(c.hour, pm),
                    settled: true,
                    ..c
                },
                k + 1,
            )
        }
        "oclock" => (c, k + 1),
        _ => (c, k),
    }
}

/// "midnight", "noon", "midday".
fn named_clock(word: &str) -> Option<Clock> {
    let hour = match word {
        "midnight" => 0,
        "noon" | "midday" => 12,
        _ => return None,
    };
    Some(Clock {
        hour,
        minute: 0,
        settled: true,
        grain: Grain::Hour,
    })
}

/// "half nine" (UK: 9:30), "half past nine", "quarter to ten", "ten past six".
fn spoken_clock(w: &[&str], i: usize) -> Option<(Clock, usize)> {
    let word = word_at(w, i);
    let m = match word {
        "half" => 30,
        "quarter" => 15,
        _ => count(w, i)
            .filter(|&(n, k)| k == i + 1 && (1..60).contains(&n))
            .map(|(n, _)| n)?,
    };
    let (k, before) = match word_at(w, i + 1) {
        "past" | "after" => (i + 2, false),
        "to" | "til" => (i + 2, true),
        _ if word == "half" => (i + 1, false),
        _ => return None,
    };
    let h = hour_word(word_at(w, k)).filter(|h| (1..=12).contains(h))?;
    let (hour, minute) = if before {
        ((h + 11) % 12, u8::try_from(60 - m).ok()?)
    } else {
        (h, u8::try_from(m).ok()?)
    };
    let c = Clock {
        hour: if hour == 0 { 12 } else { hour },
        minute,
        settled: false,
        grain: Grain::Minute,
    };
    Some(with_ampm(w, k + 1, c))
}

/// "9pm", "9:30pm", "21:00", "21.30", "1900hrs", "7am"; "seven oclock", "nine pm", and a
/// bare "nine" or "9" only after "at" (`lead`).
fn numeric_clock(w: &[&str], i: usize, lead: bool) -> Option<(Clock, usize)> {
    let word = word_at(w, i);
    let num_end = word
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(word.len());
    let (num, rest) = word.split_at(num_end);
    if num.is_empty() {
        // "seven oclock", "nine pm", "at nine".
        let h = hour_word(word).filter(|h| (1..=12).contains(h))?;
        let c = Clock {
            hour: h,
            minute: 0,
            settled: false,
            grain: Grain::Hour,
        };
        let (c, k) = with_ampm(w, i + 1, c);
        return (k > i + 1 || lead).then_some((c, k));
    }
    let (c, tail) = figures(num, rest)?;
    if c.hour > 23 || c.minute > 59 {
        return None;
    }
    match tail {
        "am" | "pm" => {
            if c.hour > 12 {
                return None;
            }
            let hour = hour_of_day(c.hour, tail == "pm");
            Some((
                Clock {
                    hour,
                    settled: true,
                    ..c
                },
                i + 1,
            ))
        }
        "" => {
            let (c2, k) = with_ampm(w, i + 1, c);
            // A bare number is a clock only after "at", "by"… or before "oclock", "pm";
            // "14 year old" never.
            let is_age = matches!(
                word_at(w, k),
                "year" | "years" | "yr" | "yrs" | "yo" | "yrold"
            );
            (!is_age && (c.grain == Grain::Minute || k > i + 1 || lead)).then_some((c2, k))
        }
        _ => None,
    }
}

/// The clock a word's figures give ("21:00", "1900hrs", "9"), and what follows them ("pm").
fn figures<'a>(num: &str, rest: &'a str) -> Option<(Clock, &'a str)> {
    let mut c = Clock {
        hour: 0,
        minute: 0,
        settled: false,
        grain: Grain::Hour,
    };
    let tail = if let Some(m) = rest.strip_prefix([':', '.']) {
        let mm = m.get(..2)?;
        c.hour = u8::try_from(digits(num)?).ok()?;
        c.minute = u8::try_from(digits(mm)?).ok()?;
        c.grain = Grain::Minute;
        c.settled = c.hour == 0 || c.hour > 12 || num.len() == 2;
        &m[2..]
    } else if matches!(rest, "h" | "hrs" | "hr") && num.len() == 4 {
        c.hour = u8::try_from(digits(&num[..2])?).ok()?;
        c.minute = u8::try_from(digits(&num[2..])?).ok()?;
        c.grain = Grain::Minute;
        c.settled = true;
        ""
    } else if num.len() <= 2 {
        c.hour = u8::try_from(digits(num)?).ok()?;
        c.settled = c.hour == 0 || c.hour > 12;
        rest
    } else {
        return None;
    };
    Some((c, tail))
}

impl Ctx {
    fn today(&self) -> Date {
        self.local.date()
    }

    /// The longest time expression starting at word `i`, and where it ends.
    fn parse_at(&self, w: &[&str], i: usize) -> Option<(usize, Stretch)> {
        if let Some(r) = self.relative(w, i) {
            return Some(r);
        }
        let mut j = i;
        while j < w.len() && j < i + 2 && LEADS.contains(&w[j]) {
            j += 1;
        }
        let guarded = j > i || matches!(w.get(i.wrapping_sub(1)), Some(&"on"));
        if j > i {
            if let Some(r) = self.relative(w, j) {
                return Some(r);
            }
        }
        let clock_lead = w[i..j].iter().any(|x| CLOCK_LEADS.contains(x));
        self.moment(w, j, guarded, clock_lead)
    }

    /// "two hours ago", "in 20 minutes", "within the next hour", "for the last 3 days".
    fn relative(&self, w: &[&str], i: usize) -> Option<(usize, Stretch)> {
        let at = |k: usize| w.get(k).copied().unwrap_or("");
        let now = self.now;
        // A point a quantity from now, one hour (or its own unit, if shorter) long.
        let point = |t: OffsetDateTime, grain: Grain| Stretch {
            from: t,
            to: t + if grain == Grain::Minute {
                Duration::MINUTE
            } else {
                Duration::HOUR
            },
            grain: Grain::Minute,
        };
        let ago = |q: Option<(Duration, Grain, usize)>| {
            let (d, g, k) = q?;
            matches!(at(k), "ago" | "back")
                .then(|| Some((k + 1, point(now.checked_sub(d)?, g))))
                .flatten()
        };
        if let Some(r) = ago(quantity(w, i)) {
            return Some(r);
        }
        // "in", "within", "after", "for", "over", "during", then "the next", "the last" ….
        let lead = at(i);
        if !matches!(
            lead,
            "in" | "within" | "after" | "for" | "over" | "during" | "the"
        ) {
            return None;
        }
        let mut k = i + 1;
        if lead != "the" && at(k) == "the" {
            k += 1;
        }
        let direction = match at(k) {
            "next" | "coming" => Some(true),
            "last" | "past" => Some(false),
            _ => None,
        };
        let q = match direction {
            Some(_) => {
                k += 1;
                // "the next hour": one of the unit.
                quantity(w, k).or_else(|| {
                    let (len, g) = unit(at(k))?;
                    Some((Duration::minutes(len), g, k + 1))
                })
            }
            None if lead == "the" => None,
            None => quantity(w, k),
        };
        let (d, g, end) = q?;
        // "moved in 3 weeks ago" is a time ago, not ahead.
        if let Some(r) = ago(Some((d, g, end))).filter(|_| direction.is_none()) {
            return Some(r);
        }
        let s = match (direction, lead) {
            // "in the next 10 minutes", "within 2 hours": from now to the deadline.
            (Some(true), _) | (None, "within") => Stretch {
                from: now,
                to: now.checked_add(d)?,
                grain: Grain::Minute,
            },
            // "for the last twenty minutes": up to now.
            (Some(false), _) => Stretch {
                from: now.checked_sub(d)?,
                to: now,
                grain: Grain::Minute,
            },
            // "in two hours", "after 24 hours".
            (None, "in" | "after") => point(now.checked_add(d)?, g),
            // "for three days", "over a week": a length, not a time.
            _ => return None,
        };
        Some((end, s))
    }

    /// A clock at `i`: "9pm", "9:30", "21:00", "half nine", "quarter to ten", "midnight",
    /// "1900hrs", "7 oclock", and "at 9" (when `lead`: a bare number needs its "at").
    fn clock(&self, w: &[&str], i: usize, lead: bool) -> Option<(Clock, usize)> {
        let word = word_at(w, i);
        if let Some(c) = named_clock(word) {
            return Some((c, i + 1));
        }
        if let Some(found) = spoken_clock(w, i) {
            return Some(found);
        }
        numeric_clock(w, i, lead)
    }

    /// A day at `i`: "today", "tomorrow", "yesterday", "friday", "next friday", "3 march",
    /// "the 3rd", "03/12/2026", "christmas", with the day part it names ("tonight").
    fn day(&self, w: &[&str], i: usize, guarded: bool) -> Option<DayAt> {
        let at = |k: usize| w.get(k).copied().unwrap_or("");
        let today = self.today();
        let word = at(i);
        if let Some(found) = self.named_day(w, i) {
            return Some(found);
        }
        // "last friday", "next friday", "this friday", "friday".
        let (shift, k) = match word {
            "last" => (Some(-1), i + 1),
            "next" => (Some(1), i + 1),
            "this" | "coming" => (None, i + 1),
            _ => (None, i),
        };
        if let Some(wd) = weekday(at(k), guarded || k > i) {
            let ahead = i64::from(wd.number_days_from_monday())
                - i64::from(today.weekday().number_days_from_monday());
            let offset = match shift {
                // The last one before today.
                Some(-1) => {
                    if ahead < 0 {
                        ahead
                    } else {
                        ahead - 7
                    }
                }
                // The next one after today.
                Some(_) => {
                    if ahead > 0 {
                        ahead
                    } else {
                        ahead + 7
                    }
                }
                // Today or the next one.
                None => ahead.rem_euclid(7),
            };
            return Some((days(today, offset)?, None, k + 1));
        }
        if k > i {
            return None;
        }
        if word.contains('/') || word.matches('.').count() == 2 {
            return self.numeric_date(word, i);
        }
        self.spoken_date(w, i)
    }

    /// A day by its name: "today", "tonight", "tomorrow", "yesterday", "christmas",
    /// "boxing day", "halloween", "bonfire night", "the day after tomorrow".
    fn named_day(&self, w: &[&str], i: usize) -> Option<DayAt> {
        let at = |k: usize| w.get(k).copied().unwrap_or("");
        let today = self.today();
        let word = at(i);
        match word {
            "today" => Some((today, None, i + 1)),
            "tonight" => Some((today, part("tonight"), i + 1)),
            "tomorrow" => Some((days(today, 1)?, None, i + 1)),
            "yesterday" => Some((days(today, -1)?, None, i + 1)),
            "christmas" | "xmas" => {
                let (d, k) = match at(i + 1) {
                    "eve" => (24, i + 2),
                    "day" => (25, i + 2),
                    _ => (25, i + 1),
                };
                Some((self.nearest(Month::December, d)?, None, k))
            }
            "boxing" if at(i + 1) == "day" => {
                Some((self.nearest(Month::December, 26)?, None, i + 2))
            }
            "halloween" => Some((self.nearest(Month::October, 31)?, None, i + 1)),
            "bonfire" if at(i + 1) == "night" => {
                Some((self.nearest(Month::November, 5)?, part("night"), i + 2))
            }
            "the" if at(i + 1) == "day" && at(i + 2) == "after" && at(i + 3) == "tomorrow" => {
                Some((days(today, 2)?, None, i + 4))
            }
            "the" if at(i + 1) == "day" && at(i + 2) == "before" && at(i + 3) == "yesterday" => {
                Some((days(today, -2)?, None, i + 4))
            }
            _ => None,
        }
    }

    /// A date in figures, day first as in the UK: "03/12/2026", "3/12", "3.12.2026".
    fn numeric_date(&self, word: &str, i: usize) -> Option<DayAt> {
        let parts: Vec<&str> = word.split(['/', '.']).collect();
        let d = parts.first().and_then(|p| day_of_month(p))?;
        let m = parts
            .get(1)
            .and_then(|p| digits(p))
            .and_then(|m| u8::try_from(m).ok())
            .and_then(|m| Month::try_from(m).ok())?;
        let date = match parts.get(2) {
            Some(y) if parts.len() == 3 => {
                let y = digits(y)?;
                let y = if y < 100 { 2000 + y } else { y };
                Date::from_calendar_date(i32::try_from(y).ok()?, m, d).ok()?
            }
            None => self.nearest(m, d)?,
            _ => return None,
        };
        Some((date, None, i + 1))
    }

    /// A date in words: "3 march", "3rd of march 2026", "the 3rd", "march 3rd".
    fn spoken_date(&self, w: &[&str], i: usize) -> Option<DayAt> {
        let at = |k: usize| w.get(k).copied().unwrap_or("");
        let today = self.today();
        let word = at(i);
        let (the, k) = if word == "the" {
            (true, i + 1)
        } else {
            (false, i)
        };
        if let Some(d) = day_of_month(at(k)) {
            let of = usize::from(at(k + 1) == "of");
            if let Some((m, _)) = month(at(k + 1 + of)) {
                let end = k + 2 + of;
                return self.dated(m, d, at(end), end);
            }
            let ordinal = at(k).len() > 2 && at(k).ends_with(|c: char| c.is_ascii_alphabetic());
            if the && ordinal {
                // "the 3rd": this month's, or next month's if it has gone.
                let this = Date::from_calendar_date(today.year(), today.month(), d).ok();
                let date = match this {
                    Some(t) if t >= today => t,
                    _ => {
                        let next = today.month().next();
                        let y = today.year() + i32::from(next == Month::January);
                        Date::from_calendar_date(y, next, d).ok()?
                    }
                };
                return Some((date, None, k + 1));
            }
            return None;
        }
        if the {
            return None;
        }
        if let Some((m, _)) = month(word) {
            if let Some(d) = day_of_month(at(i + 1)) {
                return self.dated(m, d, at(i + 2), i + 2);
            }
        }
        None
    }

    fn dated(&self, m: Month, d: u8, next: &str, end: usize) -> Option<DayAt> {
        match year(next) {
            Some(y) => Some((Date::from_calendar_date(y, m, d).ok()?, None, end + 1)),
            None => Some((self.nearest(m, d)?, None, end)),
        }
    }

    /// The day and month nearest to today, in this year, the last or the next.
    fn nearest(&self, m: Month, d: u8) -> Option<Date> {
        let today = self.today();
        (today.year() - 1..=today.year() + 1)
            .filter_map(|y| Date::from_calendar_date(y, m, d).ok())
            .min_by_key(|date| (*date - today).abs())
    }

    /// A period: "last week", "next month", "this year", "the weekend", "in march",
    /// "in 2019", "all summer".
    fn period(&self, w: &[&str], i: usize, lead: bool) -> Option<(usize, Stretch)> {
        let at = |k: usize| w.get(k).copied().unwrap_or("");
        // "since march", "since 2019": ongoing since then, which says nothing about when the
        // danger is; the rules read "since" themselves.
        if i > 0 && at(i - 1) == "since" {
            return None;
        }
        let today = self.today();
        let (shift, k): (i32, usize) = match at(i) {
            "last" => (-1, i + 1),
            "next" => (1, i + 1),
            "this" | "the" | "all" | "coming" => (0, i + 1),
            "in" | "during" | "over" if at(i + 1) == "the" => (0, i + 2),
            "in" | "during" => (0, i + 1),
            _ => (0, i),
        };
        let named = k > i || lead;
        let word = at(k);
        let monday = days(today, -i64::from(today.weekday().number_days_from_monday()))?;
        let s = match word {
            "week" if k > i && at(i) != "the" => {
                let from = days(monday, 7 * i64::from(shift))?;
                days_span(from, days(from, 7)?, Grain::Week)
            }
            "weekend" if named => self.weekend(monday, shift)?,
            "month" if k > i && at(i) != "the" => {
                let first = today.replace_day(1).ok()?;
                let from = match shift {
                    -1 => days(first, -1)?.replace_day(1).ok()?,
                    1 => days(first, 32)?.replace_day(1).ok()?,
                    _ => first,
                };
                let to = days(from, 32)?.replace_day(1).ok()?;
                days_span(from, to, Grain::Month)
            }
            "year" if k > i && at(i) != "the" => {
                let y = today.year() + shift;
                days_span(
                    Date::from_calendar_date(y, Month::January, 1).ok()?,
                    Date::from_calendar_date(y + 1, Month::January, 1).ok()?,
                    Grain::Year,
                )
            }
            "summer" | "winter" | "autumn" | "spring" if named || word == "summer" => {
                season(word, today.year() + shift)?
            }
            _ => return self.month_or_year(w, k, named, shift),
        };
        Some((k + 1, s))
    }

    /// Friday 18:00 to Monday: the coming weekend, or the one under way (`shift` weeks on).
    fn weekend(&self, monday: Date, shift: i32) -> Option<Stretch> {
        let friday = days(monday, 4 + 7 * i64::from(shift))?;
        let from = instant(friday.with_time(Time::from_hms(18, 0, 0).ok()?));
        let to = midnight(days(friday, 3)?);
        let (from, to) = if shift == 0 && to <= self.now {
            (from + Duration::weeks(1), to + Duration::weeks(1))
        } else {
            (from, to)
        };
        Some(Stretch {
            from,
            to,
            grain: Grain::Hour,
        })
    }

    /// "in 2019" (when `named`), or "in march", "last may", "march 2026"; never a bare "march".
    fn month_or_year(
        &self,
        w: &[&str],
        k: usize,
        named: bool,
        shift: i32,
    ) -> Option<(usize, Stretch)> {
        let at = |k: usize| w.get(k).copied().unwrap_or("");
        let today = self.today();
        let word = at(k);
        if let Some(y) = year(word).filter(|_| named) {
            let s = days_span(
                Date::from_calendar_date(y, Month::January, 1).ok()?,
                Date::from_calendar_date(y + 1, Month::January, 1).ok()?,
                Grain::Year,
            );
            return Some((k + 1, s));
        }
        let (m, guarded) = month(word)?;
        let y = year(at(k + 1));
        if !(named || y.is_some()) || (guarded && !(named || y.is_some())) {
            return None;
        }
        let (mm, now_m) = (u8::from(m), u8::from(today.month()));
        let y = y.unwrap_or(
            today.year()
                + match shift {
                    -1 => -i32::from(mm >= now_m),
                    1 => i32::from(mm <= now_m),
                    _ => i32::from(mm < now_m),
                },
        );
        let from = Date::from_calendar_date(y, m, 1).ok()?;
        let to = days(from, 32)?.replace_day(1).ok()?;
        let end = if year(at(k + 1)).is_some() {
            k + 2
        } else {
            k + 1
        };
        Some((end, days_span(from, to, Grain::Month)))
    }

    /// A clock, a day, a day part or a period at `j`, with what goes with it ("tonight at
    /// 9pm", "at half nine this evening", "saturday night", "3pm yesterday").
    fn moment(&self, w: &[&str], j: usize, guarded: bool, lead: bool) -> Option<(usize, Stretch)> {
        let at = |k: usize| w.get(k).copied().unwrap_or("");
        if let Some(r) = self.period(w, j, lead) {
            // "last night" is a day part, not a period; "next week" is.
            return Some(r);
        }
        // "now", "right now", "just now".
        let lead_now = usize::from(matches!(at(j), "right" | "just"));
        if at(j + lead_now) == "now" {
            return Some((
                j + lead_now + 1,
                Stretch {
                    from: self.now,
                    to: self.now + Duration::MINUTE,
                    grain: Grain::Minute,
                },
            ));
        }
        let mut k = j;
        let mut clock = None;
        let mut day = None;
        let mut dpart: Option<(u8, u8)> = None;
        let mut this_part = false;
        // Up to three pieces, joined by "at", "on", "in the", "this".
        for _ in 0..3 {
            let start = k;
            let mut m = k;
            while m < w.len() && m < k + 2 && matches!(at(m), "at" | "on" | "by" | "from") {
                m += 1;
            }
            let lead_here = lead || w[k..m].iter().any(|x| CLOCK_LEADS.contains(x));
            if clock.is_none() {
                if let Some((c, e)) = self.clock(w, m, lead_here) {
                    clock = Some(c);
                    k = e;
                    continue;
                }
            }
            if day.is_none() {
                if let Some((d, p, e)) = self.day(w, m, guarded || m > k || start > j) {
                    day = Some(d);
                    if p.is_some() {
                        dpart = p;
                        this_part = true;
                    }
                    k = e;
                    // "friday night", "tomorrow morning".
                    if let Some(p) = part(at(k)).filter(|_| dpart.is_none()) {
                        dpart = Some(p);
                        k += 1;
                    }
                    continue;
                }
            }
            if dpart.is_none() {
                // "this evening", "in the morning", "last night".
                let (p, e, this, yesterday) = match (at(m), at(m + 1), at(m + 2)) {
                    ("this", p, _) => (part(p), m + 2, true, false),
                    ("last", "night", _) => (part("night"), m + 2, true, true),
                    ("in", "the", p) => (part(p), m + 3, false, false),
                    _ => (None, m, false, false),
                };
                if let Some(p) = p {
                    dpart = Some(p);
                    this_part = this;
                    if yesterday {
                        day = Some(days(self.today(), -1)?);
                    }
                    k = e;
                    continue;
                }
            }
            break;
        }
        if k == j {
            return None;
        }
        let stretch = match (clock, day, dpart) {
            (Some(c), d, p) => self.clock_stretch(c, d, p)?,
            (None, Some(d), Some((from, to))) => Stretch {
                from: instant(d.with_time(Time::from_hms(from, 0, 0).ok()?)),
                to: if to == 24 {
                    midnight(days(d, 1)?)
                } else {
                    instant(d.with_time(Time::from_hms(to, 0, 0).ok()?))
                },
                grain: Grain::Hour,
            },
            (None, Some(d), None) => day_stretch(d)?,
            (None, None, Some((from, to))) => self.part_stretch(from, to, this_part)?,
            (None, None, None) => return None,
        };
        Some((k, stretch))
    }

    /// A clock's stretch: on its day, or else the soonest reading still to come; a day part
    /// settles an unsettled hour ("half nine tonight" is 21:30).
    fn clock_stretch(&self, c: Clock, d: Option<Date>, p: Option<(u8, u8)>) -> Option<Stretch> {
        let today = self.today();
        let mut c = c;
        if !c.settled {
            if let Some((from, _)) = p {
                // "half nine tonight" is 21:30; "7 in the morning" is 07:00.
                if from >= 12 && c.hour < 12 {
                    c.hour += 12;
                }
                c.settled = true;
            }
        }
        let time = Time::from_hms(c.hour % 24, c.minute, 0).ok()?;
        let len = if c.grain == Grain::Minute {
            Duration::MINUTE
        } else {
            Duration::HOUR
        };
        let at_day = |d: Date| instant(d.with_time(time));
        let t = match d {
            Some(d) if c.settled || c.hour >= 12 => at_day(d),
            // "tomorrow at 5": the afternoon, unless it is a morning hour.
            Some(d) => {
                if c.hour < 8 {
                    at_day(d) + Duration::hours(12)
                } else {
                    at_day(d)
                }
            }
            None => {
                // The soonest reading still to come: "at 3" at 14:30 is 15:00.
                let mut best: Option<OffsetDateTime> = None;
                for day_ahead in 0..2 {
                    let d = days(today, day_ahead)?;
                    for add in [0, 12] {
                        if add == 12 && (c.settled || c.hour >= 12) {
                            continue;
                        }
                        let t = at_day(d) + Duration::hours(add);
                        if t + len > self.now && best.is_none_or(|b| t < b) {
                            best = Some(t);
                        }
                    }
                }
                best?
            }
        };
        Some(Stretch {
            from: t,
            to: t + len,
            grain: c.grain,
        })
    }

    /// A day part on its own: "this evening" is today's, "in the morning" the next one still
    /// to come.
    fn part_stretch(&self, from: u8, to: u8, this_part: bool) -> Option<Stretch> {
        let today = self.today();
        // "this evening" is today's; "in the morning" the next one still to come.
        let mut d = today;
        let end = |d: Date| -> Option<OffsetDateTime> {
            Some(if to == 24 {
                midnight(days(d, 1)?)
            } else {
                instant(d.with_time(Time::from_hms(to, 0, 0).ok()?))
            })
        };
        if !this_part && end(d)? <= self.now {
            d = days(d, 1)?;
        }
        Some(Stretch {
            from: instant(d.with_time(Time::from_hms(from, 0, 0).ok()?)),
            to: end(d)?,
            grain: Grain::Hour,
        })
    }
}

#[cfg(test)]
mod tests;
