use super::*;
use ::time::macros::datetime;

const AT: OffsetDateTime = datetime!(2026-12-01 14:30 UTC);

fn reader() -> Reader {
    Reader::new(
        Rules::from_toml(include_str!("../../../../../config/triage.toml")).expect("shipped rules"),
    )
}

fn top(text: &str) -> Option<Priority> {
    reader()
        .read("details", text, AT)
        .first()
        .map(|f| f.priority)
}

#[test]
fn the_examples_that_were_missed_are_immediate() {
    for t in [
        "an older man is collecting her from the home tonight at 9pm to take her to a hotel",
        "he is outside the chip shop showing a knife",
        "they will share the pictures at midnight unless he pays",
        "she has taken all her tablets",
    ] {
        assert_eq!(top(t), Some(Priority::Immediate), "{t}");
    }
}

#[test]
fn words_out_of_context_do_not_rise() {
    for t in [
        "drill music about knives",
        "there is no immediate danger; she is safe tonight",
        "two years ago she was taken to a hotel by an older man",
        "staff had training on what to do if a child goes missing tonight",
    ] {
        assert_eq!(top(t), None, "{t}");
    }
}

#[test]
fn a_terminator_ends_a_negation() {
    assert_eq!(
        top("there was no knife but he is picking her up tonight"),
        Some(Priority::Immediate)
    );
    assert_eq!(top("there was no knife"), None);
}

#[test]
fn within_days_is_priority_and_the_span_is_the_sentence() {
    let r = reader();
    let text = "All fine at school. He is meeting her on Friday at the park.";
    let f = r.read("details", text, AT);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].priority, Priority::Priority);
    assert_eq!(f[0].reason, "narrative_event_within_days");
    let sentence: String = text
        .chars()
        .skip(f[0].start)
        .take(f[0].end - f[0].start)
        .collect();
    assert_eq!(sentence, "He is meeting her on Friday at the park");
}

fn reasons(text: &str) -> Vec<String> {
    reader()
        .read("details", text, AT)
        .into_iter()
        .map(|f| f.reason)
        .collect()
}

#[test]
fn a_negation_in_an_aside_does_not_cancel_the_main_clause() {
    assert_eq!(
        top("she is meeting an adult male (no trace on our systems) in the park at 7 this evening"),
        Some(Priority::Immediate)
    );
    assert_eq!(
        top("she is meeting a man - not one we know - at the bus station tonight"),
        Some(Priority::Immediate)
    );
}

#[test]
fn a_conditional_threat_is_a_threat() {
    for t in [
        "if she doesn't come back tonight they will hurt her",
        "If he does not pay by 6 they'll kill him",
    ] {
        assert_eq!(top(t), Some(Priority::Immediate), "{t}");
    }
    // What a condition supposes stays supposed.
    assert_eq!(
        top("what do we do if someone turns up with a knife tonight"),
        None
    );
}

#[test]
fn a_later_retraction_withdraws_the_danger() {
    for t in [
        "I thought he was holding a knife outside the shop just now. It turned out to be a vape.",
        "I thought she had gone with him tonight, but she was at her nan's.",
    ] {
        assert_eq!(top(t), None, "{t}");
    }
    // A retraction reaches back only, and a "but" with no supposition withdraws nothing.
    assert_eq!(
        top("It turned out to be nothing last week. Now he is outside showing a knife."),
        Some(Priority::Immediate)
    );
}

#[test]
fn a_negation_ending_inside_a_concept_shares_its_negative_and_denies_nothing() {
    // "is not" ends on the "not" of "not home": the child being away is the concern.
    assert!(top("my lass is 12 and she is not home").is_some());
    // A negation that runs through the concept still denies it.
    assert_eq!(top("she is not missing, she is in her room"), None);
}

#[test]
fn a_closing_word_settles_the_whole_account_only_at_its_end() {
    let note = "Caller said a girl was being held against her will by a group of men right \
                    now. Officer attended. It was a group of friends. Spoke to all of them. NFA.";
    assert_eq!(top(note), None);
    // Further up, the same words are about one thing, not the account.
    let buried = "No concerns about school. She is being held in his flat right now. \
                      He has taken her phone. The door is locked.";
    assert_eq!(top(buried), Some(Priority::Immediate));
    // At the end too, when they are not a sentence of their own that begins with them.
    for t in [
        "She is locked in his flat right now. School had no concerns about her attendance.",
        "She is locked in his flat right now. She keeps saying it's all fine.",
    ] {
        assert_eq!(top(t), Some(Priority::Immediate), "{t}");
    }
}

#[test]
fn doubt_about_danger_now_is_possible_danger_now() {
    let r = reasons("maybe she is in the car with those men right now");
    assert_eq!(r, vec![POSSIBLE_NOW.to_string()], "{r:?}");
    assert_eq!(
        top("maybe she is in the car with those men right now"),
        Some(Priority::Priority)
    );
    // Doubt without a cue of now gives nothing.
    assert_eq!(top("he might end up carrying a knife"), None);
}

#[test]
fn a_clock_time_with_a_verb_in_the_past_is_the_last_one() {
    assert_eq!(top("I collected her from there at 1am."), None);
    assert_eq!(
        top("He is collecting her from there at 1am."),
        Some(Priority::Immediate)
    );
}

#[test]
fn a_child_and_an_adult_written_apart_are_together_now() {
    let text = "A girl of about 14 checked in with two men in their thirties. \
                    Ten minutes ago she went up with them to the room.";
    let f = reader().read("details", text, AT);
    let company = f
        .iter()
        .find(|f| f.reason == "narrative_crime_in_progress")
        .unwrap_or_else(|| panic!("{f:?}"));
    assert_eq!(company.priority, Priority::Immediate);
    assert_eq!(company.start, 0, "the finding shows both sentences");
    // A child alone in a room now is no one's company.
    assert_eq!(
        top("A man called at the house. My son is in his room now."),
        None
    );
}

#[test]
fn the_harm_being_done_stands_in_for_the_place_and_a_day_away_is_not_now() {
    assert_eq!(
        top("Right now a man is passing vodka out of the door to three girls of 13 or 14."),
        Some(Priority::Immediate)
    );
    assert_eq!(
        top("she is there now with him and his mates, my ex, they give her bars. she is 14."),
        Some(Priority::Immediate)
    );
    // The same people and harm, days ago or days ahead, are not now.
    assert_ne!(
            top("I have just found out the man who hangs about with my granddaughter (she is 14, he is 26) has booked a caravan for the bank holiday weekend."),
            Some(Priority::Immediate)
        );
    // Explained away: the participants are withdrawn as a concept's mention would be.
    assert_ne!(
            top("Earlier a girl was in room 8 with an older man. Her mum confirmed he is her grandad. Sorry for the alarm."),
            Some(Priority::Immediate)
        );
}

#[test]
fn the_same_people_on_a_day_ahead_are_a_plan_within_days() {
    let f = reader().read(
        "details",
        "A man has booked a room at the hotel for the Saturday after next and asked \
             for one bed for him and one for his niece, she is 14.",
        AT,
    );
    assert!(
        f.iter()
            .any(|f| f.reason == "narrative_event_within_days" && f.priority == Priority::Priority),
        "{f:?}"
    );
    assert_ne!(
        top("A man booked a room at the hotel for next Saturday."),
        Some(Priority::Immediate)
    );
}

#[test]
fn a_24_hour_clock_time_is_a_time_and_a_past_day_keeps_its_clock_times() {
    assert_eq!(
        top("He is collecting her from the gate at 21:30."),
        Some(Priority::Immediate)
    );
    assert_ne!(
            top("Last Friday at about 17:30 a man was handing a package to a girl in a blazer by the ATM."),
            Some(Priority::Immediate)
        );
}

#[test]
fn an_adult_drawing_a_child_closer_is_priority() {
    let f = reader().read(
        "details",
        "a man she met on snapchat has been sending her train tickets to come and see him",
        AT,
    );
    assert!(
        f.iter()
            .any(|f| f.reason == "narrative_new_contact_escalating"
                && f.priority == Priority::Priority),
        "{f:?}"
    );
}

#[test]
fn hostile_text_never_panics() {
    let r = reader();
    for t in [
        "",
        "....;;;,,,",
        "\u{202e}knife\u{0000} tonight",
        &"tonight ".repeat(2000),
        &"a".repeat(20_000),
        "9:99pm 25:00 at 99 o'clock on the 45th",
    ] {
        let _ = r.read("details", t, AT);
    }
}
