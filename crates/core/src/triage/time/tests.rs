use super::*;
use ::time::macros::datetime;

/// A Tuesday afternoon in winter (UK time is UTC).
const AT: OffsetDateTime = datetime!(2026-12-01 14:30 UTC);

fn when_at(text: &str, at: OffsetDateTime) -> Vec<When> {
    find(text, at).into_iter().map(|f| f.when).collect()
}

fn when(text: &str) -> Vec<When> {
    when_at(text, AT)
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

#[test]
fn clock_times() {
    for t in [
        "at 9pm",
        "at 9:30pm",
        "21:00",
        "at 21.30",
        "at half nine",
        "half 3",
        "at half past nine",
        "quarter to ten",
        "at 7 oclock",
        "at 7 o'clock",
        "at 4",
        "by 6 tonight",
        "at about 3",
        "at noon",
        "1900hrs",
        "at half nine this evening",
        "at 8am",
    ] {
        assert_eq!(when(t), vec![When::Within24h], "{t}");
    }
    // A bare number is not a clock, nor is an age after "at".
    for t in [
        "she is 14",
        "at 14 years old",
        "doing 100",
        "at 99",
        "25:00",
        "9:99pm",
    ] {
        assert!(when(t).is_empty(), "{t}");
    }
    // Yesterday's afternoon is days ago.
    assert_eq!(when("at 3pm yesterday"), vec![When::PastDays]);
    assert_eq!(when("yesterday at 3pm"), vec![When::PastDays]);
}

#[test]
fn day_words_and_day_parts() {
    assert_eq!(when("tonight"), vec![When::Within24h]);
    assert_eq!(when("today"), vec![When::Within24h]);
    assert_eq!(when("this morning"), vec![When::Within24h]);
    assert_eq!(when("first thing in the morning"), vec![When::Within24h]);
    assert_eq!(when("now"), vec![When::Within24h]);
    assert_eq!(when("yesterday"), vec![When::PastDays]);
    assert_eq!(when("last night"), vec![When::PastDays]);
    assert_eq!(when("tomorrow"), vec![When::WithinDays]);
    // Tomorrow evening starts more than 24 hours after 14:30 today.
    assert_eq!(when("tomorrow night"), vec![When::WithinDays]);
}

#[test]
fn weekdays() {
    // 1 December 2026 is a Tuesday.
    assert_eq!(when("on tuesday"), vec![When::Within24h]);
    assert_eq!(when("saturday night"), vec![When::WithinDays]);
    assert_eq!(when("next friday"), vec![When::WithinDays]);
    assert_eq!(when("monday morning"), vec![When::WithinDays]);
    assert_eq!(when("last saturday"), vec![When::PastDays]);
    assert_eq!(when("on sat"), vec![When::WithinDays]);
    // Ordinary words that are also weekdays.
    assert!(when("he sat on the wall in the sun").is_empty());
}

#[test]
fn relative_times() {
    assert_eq!(when("in 20 minutes"), vec![When::Within24h]);
    assert_eq!(when("in half an hour"), vec![When::Within24h]);
    assert_eq!(when("in the next 10 minutes"), vec![When::Within24h]);
    assert_eq!(when("within the next hour"), vec![When::Within24h]);
    assert_eq!(when("after 24 hours"), vec![When::Within24h]);
    assert_eq!(when("for the last twenty minutes"), vec![When::Within24h]);
    assert_eq!(when("in 3 days"), vec![When::WithinDays]);
    assert_eq!(when("in 3 weeks"), vec![When::Later]);
    assert_eq!(when("about 5 minutes ago"), vec![When::Within24h]);
    assert_eq!(when("an hour ago"), vec![When::Within24h]);
    assert_eq!(when("ten hours ago"), vec![When::PastDays]);
    assert_eq!(when("3 days ago"), vec![When::PastDays]);
    assert_eq!(when("a couple of weeks ago"), vec![When::Historical]);
    assert_eq!(when("a few weeks back"), vec![When::Historical]);
    assert_eq!(when("he moved in 3 weeks ago"), vec![When::Historical]);
    assert_eq!(when("twenty five minutes ago"), vec![When::Within24h]);
    // A length is not a time.
    assert!(when("for three days").is_empty());
    assert!(when("ten minutes later").is_empty());
}

#[test]
fn periods_and_dates() {
    assert_eq!(when("last week"), vec![When::PastDays]);
    assert_eq!(when("next week"), vec![When::WithinDays]);
    assert!(when("this week").is_empty());
    assert_eq!(when("at the weekend"), vec![When::WithinDays]);
    assert_eq!(when("next month"), vec![When::Later]);
    assert_eq!(when("all summer"), vec![When::Historical]);
    assert_eq!(when("in 2019"), vec![When::Historical]);
    assert_eq!(when("in march"), vec![When::Later]);
    assert_eq!(when("on 3 December"), vec![When::WithinDays]);
    assert_eq!(when("3rd of march 2026"), vec![When::Historical]);
    assert_eq!(when("on 28 november"), vec![When::PastDays]);
    assert_eq!(when("on the 3rd"), vec![When::WithinDays]);
    assert_eq!(when("03/12/2026"), vec![When::WithinDays]);
    assert_eq!(when("01/12/2026"), vec![When::Within24h]);
    assert_eq!(when("christmas"), vec![When::Later]);
    // "march" and "may" are verbs unless beside a day or a year.
    assert!(when("they march her to the car").is_empty());
    assert!(when("he may come round").is_empty());
    assert_eq!(when("may 2019"), vec![When::Historical]);
}

#[test]
fn uk_time_around_the_clock_changes() {
    // Saturday 24 October 2026, 23:30 BST (22:30 UTC): the clocks go back at 02:00 BST
    // on Sunday. "at 1:30" is the first 01:30, in two hours.
    let before_autumn = datetime!(2026-10-24 22:30 UTC);
    let f = find("at 1:30", before_autumn);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].when, When::Within24h);
    // "tonight" at 23:30 BST is this evening, under way.
    assert_eq!(when_at("tonight", before_autumn), vec![When::Within24h]);
    // In summer time, 23:30 UTC is already tomorrow in the UK: "today" is the 15th, and
    // "yesterday" (the 14th) ended 30 minutes ago.
    let summer_night = datetime!(2026-07-14 23:30 UTC);
    assert_eq!(when_at("yesterday", summer_night), vec![When::Within24h]);
    // 23:45 BST on 14 July: "at 11pm" has gone, so it is 23:00 tomorrow, within 24h;
    // "at 00:30" is in 45 minutes.
    let late = datetime!(2026-07-14 22:45 UTC);
    assert_eq!(when_at("at 11pm", late), vec![When::Within24h]);
    assert_eq!(when_at("at 00:30", late), vec![When::Within24h]);
    // The local clock is an hour ahead: 22:45 UTC is 23:45 BST, so "in an hour" and
    // "by midnight" both fall in the next hour.
    assert_eq!(instant(local(late)), late);
    // Spring: 01:30 on 29 March 2026 never happens on a UK clock; read as 02:30 BST.
    let spring = datetime!(2026-03-29 00:10 UTC);
    let t = instant(::time::macros::date!(2026 - 03 - 29).with_time(::time::macros::time!(1:30)));
    assert_eq!(t, datetime!(2026-03-29 01:30 UTC));
    assert_eq!(when_at("at 1:30", spring), vec![When::Within24h]);
    // Autumn: 01:30 on 25 October 2026 happens twice; the first is 00:30 UTC.
    let t = instant(::time::macros::date!(2026 - 10 - 25).with_time(::time::macros::time!(1:30)));
    assert_eq!(t, datetime!(2026-10-25 00:30 UTC));
}

#[test]
fn hostile_text_is_bounded_and_never_panics() {
    let huge = "at 9 tonight in 3 days half nine ".repeat(20_000);
    let f = find(&huge, AT);
    assert!(f.len() <= huge.split_whitespace().count());
    for t in [
        "",
        "in 999999999999 years",
        "999999 years ago",
        "in 1000 years",
        "the 31st",
        "31/02/2026",
        "00/00/0000",
        "99:99",
        "at 24",
        "half",
        "quarter to",
        "last",
        "next next next",
        "\u{202e}tonight\u{0000}",
        "ａｔ ９ｐｍ",
        &"9".repeat(5000),
        "29/02/2027 29 february",
    ] {
        let _ = find(t, AT);
        let _ = find(t, datetime!(9999-12-31 23:00 UTC));
        let _ = find(t, datetime!(-9999-01-01 00:00 UTC));
    }
}

#[test]
fn a_clock_with_its_am_or_pm_is_read_whatever_the_first_word_is() {
    // The clock's own "pm" settles it; a text that happens to begin with "pm" does not
    // unsettle it (it once read the first word of the text as the clock's).
    assert_eq!(when("pm he is meeting her at 9pm"), vec![When::Within24h]);
    assert_eq!(when("he is meeting her at 9pm"), vec![When::Within24h]);
}
