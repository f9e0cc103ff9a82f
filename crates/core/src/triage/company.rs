//! Participants carried across the sentences of a paragraph: a child, an adult who may pose a
//! risk, and a place where harm happens or the harm itself (drink, drugs, a debt), written in
//! different sentences, with a cue of now in one of them ("A girl of about 14 checked in with a man in his forties. As I type this they
//! are both upstairs."). Each sentence alone says too little; together, within a few
//! sentences, they say a child is with that adult there now.
//!
//! The words for each participant are rules (`[participants]` in `config/triage.toml`); this
//! module compiles them and decides from what the reader found where.

use super::rules::{compile_all, Pattern};
use serde::Deserialize;

/// `[participants]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyFile {
    /// The concept whose reason and plain words a finding takes (`crime_in_progress`).
    code: String,
    child: Vec<String>,
    adult: Vec<String>,
    place: Vec<String>,
    /// What is being done to the child (drink or drugs given, a debt, being "checked over"):
    /// it stands in for a place, since the harm says where the danger is as well as a room does.
    #[serde(default)]
    harm: Vec<String>,
    /// Sentences a paragraph's participants are carried across (default 3).
    #[serde(default = "default_window")]
    window: usize,
}

fn default_window() -> usize {
    3
}

/// The participants' phrases, compiled.
#[derive(Debug, Clone)]
pub struct Company {
    /// Index of the concept a finding stands for.
    pub concept: usize,
    /// Child, adult, place and harm phrases: index 0 to 3 of `Participant`.
    pub phrases: [Vec<Pattern>; 4],
    pub window: usize,
}

/// Which participant a phrase names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Participant {
    Child = 0,
    Adult = 1,
    Place = 2,
    Harm = 3,
}

impl Participant {
    pub const ALL: [Participant; 4] = [
        Participant::Child,
        Participant::Adult,
        Participant::Place,
        Participant::Harm,
    ];
}

impl CompanyFile {
    pub fn compile(self, concept_codes: &[&str]) -> Result<Company, String> {
        let concept = concept_codes
            .iter()
            .position(|c| *c == self.code)
            .ok_or_else(|| format!("participants: code `{}` is no concept's", self.code))?;
        if !(1..=6).contains(&self.window) {
            return Err("participants: window must be 1 to 6 sentences".into());
        }
        Ok(Company {
            concept,
            phrases: [
                compile_all(&self.child, "participants.child")?,
                compile_all(&self.adult, "participants.adult")?,
                compile_all(&self.place, "participants.place")?,
                compile_all(&self.harm, "participants.harm")?,
            ],
            window: self.window,
        })
    }
}

/// What the reader found, by sentence, for the participants' rule.
pub struct Seen<'a> {
    /// Affirmed participants: which, and in which sentence.
    pub participants: &'a [(Participant, usize)],
    /// Sentences with an affirmed cue of now ("right now", "just", "tonight").
    pub now: &'a [usize],
    /// Sentences that put people together ("with", "both", "together").
    pub referring: &'a [usize],
}

/// The first and last sentence of a paragraph stretch where a child, an adult and a place
/// (or the harm being done) are all written within `window` sentences of a cue of now, that
/// sentence itself putting people together ("with her", "both") and naming one of them, or
/// naming the child and the adult both.
pub fn together(seen: &Seen<'_>, window: usize) -> Option<(usize, usize)> {
    for &n in seen.now {
        let lo = n.saturating_sub(window - 1);
        let hi = n + 1;
        let within = |s: usize| (lo..=hi).contains(&s);
        let has = |p: Participant| seen.participants.iter().any(|&(q, s)| q == p && within(s));
        let setting = has(Participant::Place) || has(Participant::Harm);
        if !(has(Participant::Child) && has(Participant::Adult) && setting) {
            continue;
        }
        let names = |p: Participant| seen.participants.iter().any(|&(q, s)| q == p && s == n);
        // The sentence of now is about these people: it puts people together and names one
        // of them, or it names the child and the adult both ("right now a man is passing
        // vodka out to three girls").
        let about_them = (seen.referring.contains(&n)
            && Participant::ALL.iter().any(|&p| names(p)))
            || (names(Participant::Child) && names(Participant::Adult));
        if !about_them {
            continue;
        }
        let sentences = seen
            .participants
            .iter()
            .map(|&(_, s)| s)
            .filter(|&s| within(s));
        let first = sentences.clone().min().unwrap_or(n).min(n);
        let last = sentences.max().unwrap_or(n).max(n);
        return Some((first, last));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use Participant::*;

    #[test]
    fn a_child_an_adult_and_a_place_with_now_nearby_are_together() {
        let participants = [(Child, 0), (Adult, 0), (Place, 1)];
        let seen = Seen {
            participants: &participants,
            now: &[1],
            referring: &[1],
        };
        assert_eq!(together(&seen, 3), Some((0, 1)));
        // The harm being done says where the danger is as well as a place does.
        let harmed = [(Child, 0), (Adult, 0), (Harm, 1)];
        let seen = Seen {
            participants: &harmed,
            now: &[1],
            referring: &[1],
        };
        assert_eq!(together(&seen, 3), Some((0, 1)));
    }

    #[test]
    fn too_far_apart_or_missing_one_is_not() {
        let far = [(Child, 0), (Adult, 0), (Place, 5)];
        let seen = Seen {
            participants: &far,
            now: &[5],
            referring: &[5],
        };
        assert_eq!(together(&seen, 3), None);
        let no_place = [(Child, 0), (Adult, 1)];
        let seen = Seen {
            participants: &no_place,
            now: &[1],
            referring: &[1],
        };
        assert_eq!(together(&seen, 3), None);
        // Now in a sentence about something else.
        let all = [(Child, 0), (Adult, 0), (Place, 0)];
        let seen = Seen {
            participants: &all,
            now: &[1],
            referring: &[],
        };
        assert_eq!(together(&seen, 3), None);
    }
}
