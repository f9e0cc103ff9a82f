//! A structural cue, not a phrase: a child, an adult, a verb in the present tense and a word
//! of now ("now", "still", "tonight", "at the moment", "as I type") in one paragraph.
//!
//! Writers who never read the rules name danger in words no list holds ("he's by the school
//! gates right now, waving the kids over to his van"), but they place it the same way: the
//! people, here, now. The cue alone is common in calm text too (a shift log says "the girls
//! are in bed now"), so it never raises a report by itself; with the learned reader's score at
//! its IMMEDIATE threshold it does (see `Triage::learned`).

/// Words of now. "now" also stands for "right now" and "just now".
const NOW: &[&[&str]] = &[
    &["now"],
    &["currently"],
    &["still"],
    &["tonight"],
    &["at", "the", "moment"],
    &["as", "i", "type"],
    &["as", "we", "speak"],
    &["this", "evening"],
    &["minutes", "ago"],
    &["mins", "ago"],
    &["min", "ago"],
    &["at", "present"],
];

const CHILD: &[&str] = &[
    "girl", "girls", "boy", "boys", "lad", "lads", "son", "daughter", "child", "children", "kid",
    "kids", "yp", "cyp", "teen", "teenager",
];

const ADULT: &[&str] = &[
    "man", "men", "male", "males", "adult", "older", "guy", "bloke", "he", "him", "they", "them",
    "uncle", "driver", "stranger",
];

const PRESENT: &[&str] = &["is", "are", "am", "isn't", "aren't", "keeps", "won't"];

/// The first paragraph (split at blank lines) holding all four, as characters of `text`.
/// `words` are the text's lower-cased words with where each starts, in characters.
pub(super) fn find(text: &str, words: &[(&str, usize)]) -> Option<(usize, usize)> {
    let mut start = 0;
    let mut seen = Seen::default();
    let mut w = 0;
    for (end, next) in paragraph_breaks(text) {
        while w < words.len() && words[w].1 < end {
            seen.read(words, w);
            w += 1;
        }
        if seen.all() {
            return Some((start, end));
        }
        seen = Seen::default();
        start = next;
    }
    None
}

#[derive(Default)]
struct Seen {
    now: bool,
    child: bool,
    adult: bool,
    present: bool,
}

impl Seen {
    fn all(&self) -> bool {
        self.now && self.child && self.adult && self.present
    }

    fn read(&mut self, words: &[(&str, usize)], i: usize) {
        let word = words[i].0;
        // "he's", "they're": the person, and a verb in the present.
        let (stem, tail) = word.split_once('\'').unwrap_or((word, ""));
        self.now |= NOW.iter().any(|phrase| {
            phrase
                .iter()
                .enumerate()
                .all(|(k, p)| words.get(i + k).is_some_and(|(w, _)| w == p))
        });
        self.child |= CHILD.contains(&stem) || young(stem);
        self.adult |= ADULT.contains(&stem);
        self.present |= PRESENT.contains(&word)
            || matches!(tail, "s" | "re")
            || (word.len() > 4 && word.ends_with("ing"));
    }
}

/// A number a child's age could start with, 5 to 17 ("she is 14", "14yo"): loose, as the cue
/// is only ever half the evidence.
fn young(word: &str) -> bool {
    matches!(word.as_bytes(), [b'5'..=b'9', ..] | [b'1', b'0'..=b'7', ..])
}

/// Where each paragraph ends (in characters) and the next begins: at each line holding only
/// white space, and at the end of the text.
fn paragraph_breaks(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    for line in text.split('\n') {
        let n = line.chars().count();
        if line.trim().is_empty() {
            out.push((at, at + n + 1));
        }
        at += n + 1;
    }
    let total = text.chars().count();
    out.push((total, total));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cue(text: &str) -> bool {
        let words = crate::triage::model::words(text);
        let borrowed: Vec<(&str, usize)> = words.iter().map(|(w, at)| (w.as_str(), *at)).collect();
        find(text, &borrowed).is_some()
    }

    #[test]
    fn a_child_an_adult_and_now_in_the_present_are_the_cue() {
        assert!(cue(
            "He's by the school gates right now, waving the kids over to his van."
        ));
        assert!(cue(
            "The lad is sat in a car with an older man at the moment"
        ));
        assert!(cue(
            "Girl, 14, in the back of his van as I type, he keeps driving round"
        ));
    }

    #[test]
    fn each_part_is_needed_and_all_in_one_paragraph() {
        // No word of now.
        assert!(!cue("The lad is sat in a car with an older man."));
        // No child.
        assert!(!cue(
            "The woman is sat in a car with an older man right now."
        ));
        // No adult.
        assert!(!cue("The girl is reading in her room right now."));
        // Past, not present.
        assert!(!cue("The girl was with an older man then, now over."));
        // The child in one paragraph, the adult and now in another.
        assert!(!cue(
            "The girl lives at number 4.\n\nAn older man is parked outside right now."
        ));
    }

    #[test]
    fn the_span_is_the_paragraph() {
        let text = "Shift log.\n\nAll quiet.\n   \nThe boy is in a car with a man right now.\nEnd";
        let words = crate::triage::model::words(text);
        let borrowed: Vec<(&str, usize)> = words.iter().map(|(w, at)| (w.as_str(), *at)).collect();
        let (start, end) = find(text, &borrowed).expect("found");
        let got: String = text.chars().skip(start).take(end - start).collect();
        assert!(got.starts_with("The boy"), "{got:?}");
        assert!(got.trim_end().ends_with("End"), "{got:?}");
    }
}
