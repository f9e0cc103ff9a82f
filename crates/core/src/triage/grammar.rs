//! The small grammar the narrative reader needs beyond its lexicon: contractions written out
//! ("isn't" is "is not", "they'll" is "they will"), so negation and the future are read one
//! way however they were typed, and the tense of a concept's own verb ("collected her" is
//! over, "is collecting her" is not).
//!
//! The same expansion is applied to the rules' phrases when they are compiled, so a rule
//! written "won't let her leave" matches "will not let her leave", "wont let her leave" and
//! "won’t let her leave" alike.

use std::borrow::Cow;

/// Pronouns whose `'s` is "is" ("she's"), unlike a possessive ("the boy's phone").
const IS_PRONOUNS: &[&str] = &[
    "he",
    "she",
    "it",
    "there",
    "that",
    "who",
    "what",
    "where",
    "here",
    "everyone",
    "someone",
    "nobody",
    "somebody",
    "everybody",
    "nothing",
    "something",
];

/// The two words a contraction stands for, or `None` for any other word. Apostrophes are
/// already straight (`'`).
pub fn contraction(word: &str) -> Option<(Cow<'_, str>, &'static str)> {
    if let Some(stem) = word.strip_suffix("n't") {
        let base: Cow<'_, str> = match stem {
            "" => return None,
            "wo" => "will".into(),
            "ca" => "can".into(),
            "sha" => "shall".into(),
            "ai" => "is".into(),
            s => s.into(),
        };
        return Some((base, "not"));
    }
    let (stem, tail) = word.rsplit_once('\'')?;
    if stem.is_empty() {
        return None;
    }
    let second = match tail {
        "ll" => "will",
        "re" => "are",
        "ve" => "have",
        "m" if stem == "i" => "am",
        "d" => "would",
        "s" if IS_PRONOUNS.contains(&stem) => "is",
        _ => return None,
    };
    Some((stem.into(), second))
}

/// Auxiliaries after which an `-ed` word is a participle (passive or perfect: "is being
/// collected", "has collected"), not the simple past.
const PARTICIPLE_AUX: &[&str] = &[
    "is", "are", "am", "be", "being", "been", "get", "gets", "getting", "got", "has", "have",
    "will", "to", "just", "not",
];

/// Common irregular simple pasts that begin the concepts people write about.
const IRREGULAR_PAST: &[&str] = &[
    "took", "went", "came", "drove", "met", "brought", "gave", "left", "ran", "threw", "hit",
    "stole", "sold", "held", "kept", "sent", "caught", "found", "told", "saw", "said",
];

/// Whether `word` (preceded by `before`, if any) is a verb in the simple past: "collected",
/// "picked", "took"; not "is collected", "has picked", "was" (an auxiliary read elsewhere).
pub fn simple_past(word: &str, before: Option<&str>) -> bool {
    if before.is_some_and(|b| PARTICIPLE_AUX.contains(&b)) {
        return false;
    }
    IRREGULAR_PAST.contains(&word)
        || (word.len() > 4 && word.ends_with("ed") && !word.ends_with("eed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(w: &str) -> Option<(String, &'static str)> {
        contraction(w).map(|(a, b)| (a.into_owned(), b))
    }

    #[test]
    fn negative_contractions_are_written_out() {
        for (w, first) in [
            ("isn't", "is"),
            ("aren't", "are"),
            ("won't", "will"),
            ("can't", "can"),
            ("wasn't", "was"),
            ("didn't", "did"),
            ("don't", "do"),
            ("doesn't", "does"),
            ("ain't", "is"),
            ("shan't", "shall"),
        ] {
            assert_eq!(pair(w), Some((first.to_string(), "not")), "{w}");
        }
    }

    #[test]
    fn other_contractions_and_possessives() {
        assert_eq!(pair("they'll"), Some(("they".into(), "will")));
        assert_eq!(pair("they're"), Some(("they".into(), "are")));
        assert_eq!(pair("i'm"), Some(("i".into(), "am")));
        assert_eq!(pair("she's"), Some(("she".into(), "is")));
        assert_eq!(pair("boy's"), None);
        assert_eq!(pair("o'clock"), None);
        assert_eq!(pair("n't"), None);
        assert_eq!(pair("'ll"), None);
        assert_eq!(pair("knife"), None);
    }

    #[test]
    fn the_simple_past_is_told_from_participles() {
        assert!(simple_past("collected", Some("i")));
        assert!(simple_past("took", None));
        assert!(!simple_past("collected", Some("being")));
        assert!(!simple_past("picked", Some("has")));
        assert!(!simple_past("collect", Some("will")));
        assert!(!simple_past("need", None));
        assert!(!simple_past("red", None));
    }
}
