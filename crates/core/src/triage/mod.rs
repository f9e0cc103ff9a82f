//! Triage: IMMEDIATE, PRIORITY or ROUTINE, with a reason code for each escalation.
//!
//! Structured answers decide first (`structured`): the gate question, the urgency questions
//! and facts about people. The narrative reader (`narrative`) then reads what people wrote,
//! with rules from `config/triage.toml` (`rules`) and times resolved against the moment of
//! receipt (`time`). Triage only escalates, never refuses a submission, and records reason
//! codes in the cleartext record, never the text that matched; the sealed full view carries
//! the field and sentence behind each narrative reason, for the officer.

pub mod company;
pub mod eval;
pub mod grammar;
pub mod language;
pub mod model;
pub mod narrative;
pub mod packs;
mod presence;
pub mod rules;
pub mod structured;
pub mod time;
mod tokens;

use crate::forms::fields;
use ::time::OffsetDateTime;
pub use narrative::{Finding, Reader};
use rules::Rules;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::Path;
pub use structured::{GATE_FIELD, NOW_SIGNALS, SOON_SIGNALS};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Priority {
    Routine,
    Priority,
    Immediate,
}

impl Priority {
    pub fn as_str(&self) -> &'static str {
        match self {
            Priority::Routine => "ROUTINE",
            Priority::Priority => "PRIORITY",
            Priority::Immediate => "IMMEDIATE",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ROUTINE" => Some(Priority::Routine),
            "PRIORITY" => Some(Priority::Priority),
            "IMMEDIATE" => Some(Priority::Immediate),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub priority: Priority,
    pub reasons: Vec<String>,
    /// Where each narrative reason was written. Holds positions in submission content: for
    /// the sealed full view only, never the cleartext record, logs or a narrower view.
    pub findings: Vec<Finding>,
    /// The answers written in a language other than English, and whether a pack read them:
    /// for the sealed full view only.
    pub languages: Vec<WrittenIn>,
}

/// An answer written in a language other than English (`field` is empty for the narrative
/// as a whole, when only its answers together tell the language).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrittenIn {
    pub field: String,
    /// ISO 639 code ("pl", or the detector's "fra").
    pub code: String,
    /// The language's name in English.
    pub name: String,
    /// Whether a language pack read it; if not, only a person can.
    pub read: bool,
}

/// What the readers found in the free-text answers: each finding with the pack that raised
/// it (none for English), and the languages written.
#[derive(Debug, Default)]
struct Reading {
    findings: Vec<(Option<usize>, Finding)>,
    languages: Vec<WrittenIn>,
}

impl Assessment {
    fn new() -> Self {
        Assessment {
            priority: Priority::Routine,
            reasons: Vec::new(),
            findings: Vec::new(),
            languages: Vec::new(),
        }
    }

    /// Raises the priority to at least `to`, recording why. Never lowers it.
    pub fn escalate(&mut self, to: Priority, reason: &str) {
        self.priority = self.priority.max(to);
        if !self.reasons.iter().any(|r| r == reason) {
            self.reasons.push(reason.to_string());
        }
    }
}

/// The rules shipped in `config/triage.toml`, built in for `triage-eval` away from a checkout.
pub const SHIPPED_RULES: &str = include_str!("../../../../config/triage.toml");

/// The learned reader's weights (`model`), built in likewise.
pub const SHIPPED_MODEL: &str = include_str!("../../../../config/triage-model.toml");

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("{0}")]
    Invalid(String),
}

/// Triage with its narrative rules, loaded once at start.
#[derive(Debug, Clone, Default)]
pub struct Triage {
    reader: Option<Reader>,
    /// The highest priority words alone may give (`[triage] narrative_max`).
    narrative_max: Option<Priority>,
    /// Readers for other languages (`config/triage/*.toml`), and what tells them.
    packs: Vec<packs::Pack>,
    detector: language::Detector,
    /// The learned reader, which only ever raises a report one step (see `assess`).
    model: Option<model::Model>,
}

impl Triage {
    /// Loads the narrative rules, and the language packs: those built in, each replaced by a
    /// file of its name in the `triage/` folder beside `path`; and the learned reader's
    /// weights, built in unless a `triage-model.toml` lies beside `path`.
    pub fn load(path: &Path) -> Result<Self, RulesError> {
        let rules = Rules::load(path).map_err(RulesError::Invalid)?;
        let beside = path.parent().unwrap_or(Path::new("."));
        let packs = packs::load(&beside.join("triage"), &rules).map_err(RulesError::Invalid)?;
        let weights = beside.join("triage-model.toml");
        let model = match std::fs::read_to_string(&weights) {
            Ok(source) => model::Model::from_toml(&source),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                model::Model::from_toml(SHIPPED_MODEL)
            }
            Err(e) => Err(format!("cannot read {}: {e}", weights.display())),
        }
        .map_err(RulesError::Invalid)?;
        Ok(Self::with_packs(rules, packs, model))
    }

    /// English rules from `source`, with the packs and the learned reader built in.
    pub fn from_toml(source: &str) -> Result<Self, RulesError> {
        let rules = Rules::from_toml(source).map_err(RulesError::Invalid)?;
        let packs = packs::shipped(&rules).map_err(RulesError::Invalid)?;
        let model = model::Model::from_toml(SHIPPED_MODEL).map_err(RulesError::Invalid)?;
        Ok(Self::with_packs(rules, packs, model))
    }

    fn with_packs(rules: Rules, packs: Vec<packs::Pack>, model: model::Model) -> Self {
        Triage {
            detector: language::Detector::new(packs.iter().map(|p| &p.language)),
            reader: Some(Reader::new(rules)),
            narrative_max: None,
            packs,
            model: Some(model),
        }
    }

    /// The same without the learned reader: the rules alone, as they read before it.
    pub fn without_model(mut self) -> Self {
        self.model = None;
        self
    }

    /// The languages read besides English, by code.
    pub fn pack_languages(&self) -> Vec<&str> {
        self.packs
            .iter()
            .map(|p| p.language.code.as_str())
            .collect()
    }

    /// The language one text is written in, as the readers are chosen.
    pub fn detect(&self, text: &str) -> language::Written {
        self.detector.detect(text)
    }

    /// Words alone raise a submission no higher than `max`.
    pub fn with_narrative_max(mut self, max: Priority) -> Self {
        self.narrative_max = Some(max);
        self
    }

    pub fn rule_count(&self) -> usize {
        self.reader.as_ref().map_or(0, |r| r.rules.concepts.len())
    }

    /// What the narrative readers find in every free-text answer.
    pub fn read_narrative(&self, answers: &Map<String, Value>, at: OffsetDateTime) -> Vec<Finding> {
        self.reading(answers, at)
            .findings
            .into_iter()
            .map(|(_, f)| f)
            .collect()
    }

    /// Every answer read by the English reader or, when written in a pack's language, by that
    /// pack's reader, which reads the English concepts too within that language's grammar
    /// (people mix English words in). The narrative as a whole is looked at when no single
    /// answer told its language: short answers may tell it only together.
    fn reading(&self, answers: &Map<String, Value>, at: OffsetDateTime) -> Reading {
        let mut out = Reading::default();
        let Some(reader) = &self.reader else {
            return out;
        };
        let texts = free_text(answers);
        let mut by_pack: Vec<(usize, &str, &str)> = Vec::new();
        let mut english: Vec<(&str, &str)> = Vec::new();
        for (field, text) in &texts {
            let written = self.detector.detect(text);
            // A pack's reader reads the English words in it too (see `packs`).
            match written {
                language::Written::Pack(k) => by_pack.push((k, field, text)),
                _ => english.push((field, text)),
            }
            out.languages.extend(self.written_in(field, written));
        }
        if out.languages.is_empty() && texts.len() > 1 {
            let whole: Vec<&str> = texts.iter().map(|(_, t)| *t).collect();
            let written = self.detector.detect_sure(&whole.join("\n"));
            if let language::Written::Pack(k) = written {
                by_pack.extend(texts.iter().map(|(f, t)| (k, f.as_str(), *t)));
                english.clear();
            }
            out.languages.extend(self.written_in("", written));
        }
        for (field, text) in english {
            out.findings
                .extend(reader.read(field, text, at).into_iter().map(|f| (None, f)));
        }
        for (k, field, text) in by_pack {
            let found = self.packs[k].reader.read(field, &language::fold(text), at);
            out.findings.extend(found.into_iter().map(|f| (Some(k), f)));
        }
        // One finding per reason and answer, the highest, whichever reader raised it.
        out.findings.sort_by(|a, b| {
            b.1.priority
                .cmp(&a.1.priority)
                .then(a.1.start.cmp(&b.1.start))
        });
        let mut seen: Vec<(String, String)> = Vec::new();
        out.findings.retain(|(_, f)| {
            let key = (f.field.clone(), f.reason.clone());
            let new = !seen.contains(&key);
            seen.push(key);
            new
        });
        out
    }

    fn written_in(&self, field: &str, written: language::Written) -> Option<WrittenIn> {
        let (code, name, read) = match written {
            language::Written::English => return None,
            language::Written::Pack(k) => {
                let l = &self.packs[k].language;
                (l.code.clone(), l.name.clone(), true)
            }
            language::Written::Unread { code, name } => (code, name, false),
        };
        Some(WrittenIn {
            field: field.to_string(),
            code,
            name,
            read,
        })
    }

    /// How the narrative reader reads one text (for `triage-eval --explain`).
    pub fn explain(&self, text: &str, at: OffsetDateTime) -> Vec<String> {
        let Some(reader) = &self.reader else {
            return Vec::new();
        };
        let written = self.detector.detect(text);
        let guess =
            whatlang::detect(text).map(|i| format!("{} ({:.2})", i.lang().code(), i.confidence()));
        let mut lines = vec![format!("language: {written:?}, detector: {guess:?}")];
        match written {
            language::Written::Pack(k) => {
                lines.extend(self.packs[k].reader.explain(&language::fold(text), at))
            }
            _ => lines.extend(reader.explain(text, at)),
        }
        if let Some(model) = &self.model {
            let read = model.explain(text);
            lines.push(format!(
                "learned: score {:.2} (PRIORITY to IMMEDIATE at {}, ROUTINE to PRIORITY at {}), \
                 words like {:?}, chars {}..{}",
                read.score, model.to_immediate, model.to_priority, read.cues, read.start, read.end
            ));
        }
        lines
    }

    /// Assesses validated, normalised answers received at `at`.
    pub fn assess(&self, answers: &Map<String, Value>, at: OffsetDateTime) -> Assessment {
        let mut a = Assessment::new();
        structured::assess(answers, crate::ukdate::uk_date(at), &mut a);
        let reading = self.reading(answers, at);
        let findings: Vec<Finding> = reading.findings.into_iter().map(|(_, f)| f).collect();
        let cap = self.narrative_max.unwrap_or(Priority::Immediate);
        for f in &findings {
            a.escalate(f.priority.min(cap), &f.reason);
        }
        // Words no reader could read: a person must, within the PRIORITY deadline.
        if reading.languages.iter().any(|w| !w.read) {
            a.escalate(Priority::Priority.min(cap), "narrative_unread_language");
        }
        a.languages = reading.languages;
        let mut findings = findings;
        // Doubt the person wrote ("maybe") is theirs to settle, on the web or by a reader:
        // a learned score is no answer to it.
        let doubted: Vec<&str> = findings
            .iter()
            .filter(|f| f.possible)
            .map(|f| f.field.as_str())
            .collect();
        if let Some(f) = self.learned(answers, a.priority, &doubted) {
            a.escalate(f.priority.min(cap), &f.reason);
            findings.push(f);
        }
        let narrative_immediate = findings.iter().any(|f| f.priority == Priority::Immediate);
        match answers.get(fields::NARRATIVE_CHECK).and_then(Value::as_str) {
            Some("yes") => a.escalate(Priority::Immediate, "gate_danger_now"),
            Some("not_sure") => a.escalate(Priority::Immediate, "gate_danger_not_sure"),
            // Triage only escalates: the narrative's finding stands, and the officer sees that
            // the submitter thought otherwise.
            Some("no") if narrative_immediate => {
                a.escalate(Priority::Routine, "submitter_said_not_immediate")
            }
            _ => {}
        }
        a.findings = findings;
        a
    }

    /// The learned reader's finding, if it raises a report that stands at `so_far` (from the
    /// structured answers and the rules): one step only, PRIORITY to IMMEDIATE, or ROUTINE to
    /// PRIORITY as possible danger now, which the web journey asks about; ROUTINE to IMMEDIATE
    /// only with the grammar's cue (`presence`) agreeing. Each answer is read alone and the
    /// highest finding kept, so adding an answer never lowers it. An answer where the rules
    /// read doubt (`doubted`, by field) is left to the person: a score does not settle it.
    fn learned(
        &self,
        answers: &Map<String, Value>,
        so_far: Priority,
        doubted: &[&str],
    ) -> Option<Finding> {
        let model = self.model.as_ref()?;
        if so_far == Priority::Immediate {
            return None;
        }
        let mut best: Option<(f64, Finding)> = None;
        for (field, text) in free_text(answers) {
            if doubted.contains(&field.as_str()) {
                continue;
            }
            let read = model.read(text);
            let (mut start, mut end) = (read.start, read.end);
            let (priority, reason, possible) = match (so_far, read.presence) {
                (Priority::Priority, _) if read.score >= model.to_immediate => {
                    (Priority::Immediate, LEARNED_NOW, false)
                }
                (Priority::Routine, Some(paragraph)) => {
                    (start, end) = paragraph;
                    (Priority::Immediate, LEARNED_PRESENCE, false)
                }
                (Priority::Routine, None) if read.score >= model.to_priority => {
                    (Priority::Priority, narrative::POSSIBLE_NOW, true)
                }
                _ => continue,
            };
            if best
                .as_ref()
                .is_some_and(|(score, f)| (f.priority, *score) >= (priority, read.score))
            {
                continue;
            }
            let finding = Finding {
                priority,
                reason: reason.to_string(),
                concept: 0,
                by_time: false,
                possible,
                field,
                cues: read.cues,
                start,
                end,
            };
            best = Some((read.score, finding));
        }
        best.map(|(_, f)| f)
    }

    /// When the narrative shows danger now (or possible danger now: `narrative_possible_now`)
    /// that the gate answers did not, and the submitter
    /// has not yet been asked: what was noticed, in plain words, for the interruption page.
    pub fn narrative_check(
        &self,
        answers: &Map<String, Value>,
        at: OffsetDateTime,
    ) -> Option<Vec<String>> {
        let reader = self.reader.as_ref()?;
        if structured::gate_says_danger(answers)
            || answers
                .get(fields::NARRATIVE_CHECK)
                .and_then(Value::as_str)
                .is_some()
        {
            return None;
        }
        let mut findings = self.reading(answers, at).findings;
        let mut so_far = Assessment::new();
        structured::assess(answers, crate::ukdate::uk_date(at), &mut so_far);
        let ruled = findings.iter().map(|(_, f)| f.priority).max();
        findings.extend(
            self.learned(
                answers,
                so_far.priority.max(ruled.unwrap_or(Priority::Routine)),
                &[],
            )
            .map(|f| (None, f)),
        );
        let mut plain: Vec<String> = Vec::new();
        // Danger now, confident or written with doubt: either way the person is asked.
        for (pack, f) in findings
            .iter()
            .filter(|(_, f)| f.priority == Priority::Immediate || f.possible)
        {
            let reader = pack.map_or(reader, |k| &self.packs[k].reader);
            let words = if !f.cues.is_empty() {
                LEARNED_PLAIN.to_string()
            } else if f.by_time {
                reader.rules.plain_soon.clone()
            } else {
                reader.rules.concepts[f.concept].plain.clone()
            };
            if !plain.contains(&words) {
                plain.push(words);
            }
        }
        (!plain.is_empty()).then_some(plain)
    }
}

/// The reason a learned finding of danger now gives (see `Triage::learned`).
pub const LEARNED_NOW: &str = "narrative_learned_danger_now";

/// The reason when the learned reader and the grammar agree (see `presence`): a child, an
/// adult and now written in the present in one paragraph, and the words read as danger now.
pub const LEARNED_PRESENCE: &str = "narrative_learned_presence_now";

/// What the person is told was noticed when the learned reader asks: never their own words.
const LEARNED_PLAIN: &str = "words that often come with someone in danger now";

/// Free-text answers with their field paths. Option codes (`DANGER_TO_LIFE`), yes/no answers
/// and the gate's own questions are not narrative.
fn free_text(answers: &Map<String, Value>) -> Vec<(String, &str)> {
    fn walk<'a>(path: String, v: &'a Value, out: &mut Vec<(String, &'a str)>) {
        match v {
            Value::String(s) => {
                let code = s
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
                if !code && !matches!(s.as_str(), "yes" | "no" | "not_sure") {
                    out.push((path, s));
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(format!("{path}[{i}]"), item, out);
                }
            }
            Value::Object(m) => {
                for (k, item) in m {
                    walk(format!("{path}.{k}"), item, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (k, v) in answers {
        if k.starts_with("gate.") || k.starts_with("urgency.") {
            continue;
        }
        walk(k.clone(), v, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::time::macros::datetime;
    use serde_json::json;

    /// A Monday afternoon in November (UK time is UTC).
    const AT: OffsetDateTime = datetime!(2026-11-23 14:30 UTC);

    fn answers(v: Value) -> Map<String, Value> {
        v.as_object().cloned().expect("object")
    }

    fn shipped() -> Triage {
        Triage::from_toml(SHIPPED_RULES).expect("shipped rules load")
    }

    /// The shipped rules with a learned reader that weighs only the made-up word "zorblax",
    /// so these tests say how a score is used whatever the trained weights are.
    fn weighing_zorblax() -> Triage {
        let mut t = shipped();
        t.model = Some(model::Model::weighing(&[("zorblax", 50.0)], 0.0));
        t
    }

    /// Through the API: the gate answered No, no urgency, the text in `details`.
    fn api(t: &Triage, text: &str) -> Assessment {
        t.assess(
            &answers(
                json!({"gate.immediate_danger": "no", "urgency.now": ["NONE"], "details": text}),
            ),
            AT,
        )
    }

    #[test]
    fn the_learned_reader_raises_priority_to_immediate_and_names_its_words() {
        let t = weighing_zorblax();
        let text = "He carries a knife in his bag. Zorblax.";
        let rules = api(&t.clone().without_model(), text);
        assert_eq!(rules.priority, Priority::Priority, "{:?}", rules.reasons);
        let a = api(&t, text);
        assert_eq!(a.priority, Priority::Immediate, "{:?}", a.reasons);
        let f = a
            .findings
            .iter()
            .find(|f| f.reason == LEARNED_NOW)
            .expect("the learned finding");
        assert_eq!(f.cues, vec!["zorblax".to_string()]);
        // The sentence holding its heaviest word, for the officer.
        assert_eq!((f.start, f.end), (31, 39));
    }

    #[test]
    fn the_learned_reader_alone_is_possible_danger_now_asked_on_the_web() {
        let t = weighing_zorblax();
        let text = "We saw a zorblax by the shops.";
        assert_eq!(
            api(&t.clone().without_model(), text).priority,
            Priority::Routine
        );
        let a = api(&t, text);
        assert_eq!(a.priority, Priority::Priority);
        assert_eq!(a.reasons, vec![narrative::POSSIBLE_NOW.to_string()]);
        let mut web = answers(json!({"gate.immediate_danger": "no", "details": text}));
        let asked = t.narrative_check(&web, AT).expect("the person is asked");
        // What was noticed, in plain words: never the person's own.
        assert_eq!(asked, vec![LEARNED_PLAIN.to_string()]);
        web.insert(fields::NARRATIVE_CHECK.into(), json!("yes"));
        assert_eq!(t.assess(&web, AT).priority, Priority::Immediate);
    }

    #[test]
    fn the_learned_reader_and_the_grammar_agreeing_are_immediate() {
        let t = weighing_zorblax();
        let text = "Shift notes.\n\nThe boy is in the zorblax with a man now.";
        assert_eq!(
            api(&t.clone().without_model(), text).priority,
            Priority::Routine
        );
        let a = api(&t, text);
        assert_eq!(a.priority, Priority::Immediate, "{:?}", a.reasons);
        let f = a
            .findings
            .iter()
            .find(|f| f.reason == LEARNED_PRESENCE)
            .expect("the finding");
        // The paragraph where the child, the adult and now were written.
        assert_eq!((f.start, f.end), (14, text.chars().count()));
        // Without the present and a word of now, the same words are only possible danger now.
        let past = api(&t, "The boy was in the zorblax with a man.");
        assert_eq!(past.priority, Priority::Priority, "{:?}", past.reasons);
    }

    #[test]
    fn the_learned_reader_never_lowers_and_leaves_doubt_to_the_person() {
        let calm = {
            let mut t = shipped();
            t.model = Some(model::Model::weighing(&[], -50.0));
            t
        };
        let knife = "he is outside the chip shop showing a knife right now";
        assert_eq!(api(&calm, knife), api(&calm.clone().without_model(), knife));
        assert_eq!(api(&calm, knife).priority, Priority::Immediate);
        let gate_yes = answers(json!({"gate.immediate_danger": "yes", "details": "all calm"}));
        assert_eq!(calm.assess(&gate_yes, AT).priority, Priority::Immediate);
        // "Maybe" is the writer's doubt: the person is asked; a score does not settle it.
        let t = weighing_zorblax();
        let doubt = api(
            &t,
            "Maybe she is in the car with those men right now, zorblax, I can't tell.",
        );
        assert_eq!(doubt.priority, Priority::Priority, "{:?}", doubt.reasons);
        assert!(!doubt
            .reasons
            .iter()
            .any(|r| r.starts_with("narrative_learned")));
    }

    #[test]
    fn the_shipped_weights_read_what_the_rules_do_not_know() {
        // With the committed weights: if retraining moves these, look at why before changing
        // them. No phrase here is in the rules; the rules alone leave all three ROUTINE.
        let t = shipped();
        for (text, want, reason) in [
            (
                "Her phone is off and my daughter is at his place now, he is much older than her.",
                Priority::Immediate,
                Some(LEARNED_PRESENCE),
            ),
            (
                "Her phone is off and she is at his place now, he's much older.",
                Priority::Priority,
                Some(narrative::POSSIBLE_NOW),
            ),
            (
                "Her phone is off and she was at his place then, he's much older.",
                Priority::Routine,
                None,
            ),
        ] {
            assert_eq!(
                api(&t.clone().without_model(), text).priority,
                Priority::Routine,
                "{text}"
            );
            let a = api(&t, text);
            assert_eq!(a.priority, want, "{text}: {:?}", a.reasons);
            assert_eq!(a.reasons.first().map(String::as_str), reason, "{text}");
        }
    }

    #[test]
    fn an_answer_added_never_lowers_what_the_learned_reader_found() {
        let t = weighing_zorblax();
        let one = json!({
            "gate.immediate_danger": "no",
            "details": "Shift notes.\n\nThe boy is in the zorblax with a man now.",
        });
        assert_eq!(
            t.assess(&answers(one.clone()), AT).priority,
            Priority::Immediate
        );
        // Another answer, with doubt in it and heavier words: each answer is read alone.
        let mut two = one;
        two["other_info"] =
            json!("Maybe she is in the car with those men right now. Zorblax zorblax.");
        let a = t.assess(&answers(two), AT);
        assert_eq!(a.priority, Priority::Immediate, "{:?}", a.reasons);
        assert!(
            a.reasons.contains(&LEARNED_NOW.to_string()),
            "{:?}",
            a.reasons
        );
    }

    #[test]
    fn a_model_file_beside_the_rules_replaces_the_built_in_one_and_a_bad_one_is_named() {
        let dir = tempfile::tempdir().expect("temp dir");
        let rules = dir.path().join("triage.toml");
        std::fs::write(&rules, SHIPPED_RULES).expect("write");
        std::fs::create_dir(dir.path().join("triage")).expect("mkdir");
        let own = model::Model::weighing(&[("zorblax", 50.0)], 0.0).to_toml();
        std::fs::write(dir.path().join("triage-model.toml"), own).expect("write");
        let t = Triage::load(&rules).expect("loads");
        assert_eq!(
            api(&t, "We saw a zorblax by the shops.").priority,
            Priority::Priority
        );
        std::fs::write(dir.path().join("triage-model.toml"), "bits = 3").expect("write");
        let err = Triage::load(&rules).unwrap_err().to_string();
        assert!(err.contains("triage model"), "{err}");
    }

    #[test]
    fn the_gate_question_decides_immediate() {
        let t = Triage::default();
        let a = t.assess(&answers(json!({"gate.immediate_danger": "yes"})), AT);
        assert_eq!(
            (a.priority, a.reasons.clone()),
            (Priority::Immediate, vec!["gate_danger_now".to_string()])
        );
        assert_eq!(
            t.assess(&answers(json!({"gate.immediate_danger": "not_sure"})), AT)
                .priority,
            Priority::Immediate
        );
        assert_eq!(
            t.assess(&answers(json!({"gate.immediate_danger": "no"})), AT)
                .priority,
            Priority::Routine
        );
    }

    #[test]
    fn a_young_missing_child_is_immediate_an_older_one_priority() {
        let t = Triage::default();
        let young = t.assess(
            &answers(json!({"people": [{"currently_missing": "yes", "dob": "2014"}]})),
            AT,
        );
        assert_eq!(young.priority, Priority::Immediate);
        assert_eq!(
            young.reasons,
            vec!["child_missing", "missing_child_under_13"]
        );
        let older = t.assess(
            &answers(
                json!({"people": [{"currently_missing": "yes", "age_estimate": "AGE_13_15"}]}),
            ),
            AT,
        );
        assert_eq!(older.priority, Priority::Priority);
        // Born 23 November 2013: 13 today.
        let thirteen = t.assess(
            &answers(json!({"people": [{"currently_missing": "yes", "dob": "2013-11-23"}]})),
            AT,
        );
        assert_eq!(thirteen.priority, Priority::Priority);
    }

    #[test]
    fn the_narrative_raises_with_a_code_and_keeps_where_it_was_written() {
        let t = shipped();
        let a = t.assess(
            &answers(json!({
                "gate.immediate_danger": "no",
                "urgency.now": ["NONE"],
                "people": [{"description": "Calm lad. He is outside the chip shop showing a knife."}],
            })),
            AT,
        );
        assert_eq!(a.priority, Priority::Immediate);
        assert!(
            a.reasons.contains(&"narrative_weapons_now".to_string()),
            "{:?}",
            a.reasons
        );
        let knife = a
            .findings
            .iter()
            .find(|f| f.reason == "narrative_weapons_now")
            .expect("the knife's finding");
        assert_eq!(knife.field, "people[0].description");
        assert_eq!((knife.start, knife.end), (10, 53));
    }

    #[test]
    fn possible_danger_now_is_asked_on_the_web_and_priority_through_the_api() {
        let t = shipped();
        let text = "Maybe she is in the car with those men right now, I can't tell.";
        let mut a = answers(json!({
            "gate.immediate_danger": "no",
            "urgency.now": ["NONE"],
            "details": text,
        }));
        assert!(t.narrative_check(&a, AT).is_some(), "the person is asked");
        let api = t.assess(&a, AT);
        assert_eq!(api.priority, Priority::Priority);
        assert!(
            api.reasons.contains(&"narrative_possible_now".to_string()),
            "{:?}",
            api.reasons
        );
        a.insert(fields::NARRATIVE_CHECK.into(), json!("not_sure"));
        assert!(t.narrative_check(&a, AT).is_none(), "asked once");
        let answered = t.assess(&a, AT);
        assert_eq!(answered.priority, Priority::Immediate);
        assert!(answered
            .reasons
            .contains(&"gate_danger_not_sure".to_string()));
    }

    #[test]
    fn option_codes_and_the_gate_are_not_narrative() {
        let t = shipped();
        let a = t.assess(
            &answers(
                json!({"concern_categories": ["DANGER_TO_LIFE"], "gate.radicalisation": "no"}),
            ),
            AT,
        );
        assert!(a.reasons.is_empty(), "{:?}", a.reasons);
    }

    #[test]
    fn narrative_max_caps_words_alone_but_not_the_submitters_yes() {
        let t = shipped().with_narrative_max(Priority::Priority);
        let words = json!({"details": "she has taken all her tablets"});
        let a = t.assess(&answers(words.clone()), AT);
        assert_eq!(a.priority, Priority::Priority);
        assert_eq!(a.reasons, vec!["narrative_medical_emergency"]);
        let mut said_yes = answers(words);
        said_yes.insert("gate.narrative_check".into(), json!("yes"));
        assert_eq!(t.assess(&said_yes, AT).priority, Priority::Immediate);
    }

    #[test]
    fn the_submitters_no_never_lowers_the_narrative() {
        let t = shipped();
        let a = t.assess(
            &answers(
                json!({"details": "she has taken all her tablets", "gate.narrative_check": "no"}),
            ),
            AT,
        );
        assert_eq!(a.priority, Priority::Immediate);
        assert_eq!(
            a.reasons,
            vec![
                "narrative_medical_emergency",
                "submitter_said_not_immediate"
            ]
        );
        let unsure = t.assess(
            &answers(json!({"details": "she has taken all her tablets", "gate.narrative_check": "not_sure"})),
            AT,
        );
        assert!(unsure.reasons.contains(&"gate_danger_not_sure".to_string()));
    }

    #[test]
    fn the_check_is_asked_only_when_the_words_say_more_than_the_gate() {
        let t = shipped();
        let words = json!({"gate.immediate_danger": "no", "details": "they will share the pictures at midnight unless he pays"});
        let plain = t
            .narrative_check(&answers(words.clone()), AT)
            .expect("asked");
        assert!(!plain.is_empty());
        assert!(plain.iter().all(|p| !p.contains("pictures")), "{plain:?}");
        let mut gate_yes = answers(words.clone());
        gate_yes.insert("gate.immediate_danger".into(), json!("yes"));
        assert_eq!(t.narrative_check(&gate_yes, AT), None);
        let mut answered = answers(words);
        answered.insert("gate.narrative_check".into(), json!("no"));
        assert_eq!(t.narrative_check(&answered, AT), None);
        assert_eq!(
            t.narrative_check(&answers(json!({"details": "drill music about knives"})), AT),
            None
        );
    }

    #[test]
    fn a_language_without_a_pack_is_priority_and_named() {
        let t = shipped();
        // French shares "de", "la", "un" with Romanian: the detector tells them apart.
        let french = "Ma fille de quatorze ans est dans une voiture avec deux hommes qui refusent \
                      de la laisser partir, elle vient de m'envoyer un message.";
        let a = t.assess(&answers(json!({"what_happened": french})), AT);
        assert_eq!(a.priority, Priority::Priority);
        assert_eq!(a.reasons, vec!["narrative_unread_language"]);
        assert_eq!(
            a.languages,
            vec![WrittenIn {
                field: "what_happened".into(),
                code: "fra".into(),
                name: "French".into(),
                read: false
            }]
        );
        // Nor are Spanish or Czech read as Romanian or Polish, whose words they share.
        for (text, code) in [
            ("Mi hija de catorce años está en un coche con dos hombres que no la dejan salir, me acaba de mandar un mensaje y no sé dónde está.", "spa"),
            ("Moje dcera je teď v autě se dvěma muži, kteří ji nechtějí pustit ven, právě mi poslala zprávu a nevím, kde je.", "ces"),
        ] {
            let a = t.assess(&answers(json!({"what_happened": text})), AT);
            assert_eq!(a.reasons, vec!["narrative_unread_language"], "{text}");
            assert_eq!(a.languages[0].code, code);
        }
        // Triage only escalates: a gate "yes" stays IMMEDIATE.
        let mut yes = answers(json!({"what_happened": french}));
        yes.insert("gate.immediate_danger".into(), json!("yes"));
        assert_eq!(t.assess(&yes, AT).priority, Priority::Immediate);
        // English, however it is written, is not flagged.
        let english = t.assess(
            &answers(json!({"what_happened": "Kacper Wiśniewski and Zofia were at the Rynek cafe, nothing of concern."})),
            AT,
        );
        assert!(english.languages.is_empty(), "{:?}", english.languages);
        assert_eq!(english.priority, Priority::Routine);
    }

    #[test]
    fn a_pack_reads_its_language_and_the_english_mixed_in() {
        let t = shipped();
        let a = t.assess(
            &answers(json!({"what_happened": "Moja córka jest teraz u niego w mieszkaniu, he has a knife, proszę pomóżcie"})),
            AT,
        );
        assert_eq!(a.priority, Priority::Immediate, "{:?}", a.reasons);
        assert_eq!(a.languages.len(), 1);
        assert_eq!(
            (a.languages[0].code.as_str(), a.languages[0].read),
            ("pl", true)
        );
        let plain = t
            .narrative_check(&answers(json!({"what_happened": "Moja córka jest teraz zamknięta w mieszkaniu i nie pozwalają jej wyjść"})), AT)
            .expect("asked");
        assert!(
            plain.iter().any(|p| p.contains("kept somewhere")),
            "{plain:?}"
        );
    }

    #[test]
    fn short_answers_together_can_tell_the_language() {
        let t = shipped();
        let a = t.assess(
            &answers(json!({
                "summary": "Ma fille est partie avec un homme",
                "what_happened": "Elle ne répond plus depuis ce matin",
            })),
            AT,
        );
        assert!(
            a.reasons.contains(&"narrative_unread_language".to_string()),
            "{:?}",
            a
        );
        assert_eq!(a.languages.len(), 1);
        assert_eq!(a.languages[0].field, "");
    }

    #[test]
    fn names_places_and_numbers_together_are_not_a_foreign_language() {
        let t = shipped();
        let a = t.assess(
            &answers(json!({
                "people": [
                    {"forename": "Kacper", "surname": "Wiśniewski", "description": "Tall, grey North Face coat"},
                    {"forename": "Ionuț", "surname": "Popescu", "description": "Dark hair, neck tattoo"},
                ],
                "locations": [{"description_landmark": "Westborough, Scarborough, opposite Boyes"}],
                "vehicles": [{"description": "Silver Vauxhall Corsa YX21 KCD"}],
            })),
            AT,
        );
        assert!(a.languages.is_empty(), "{:?}", a.languages);
        assert_eq!(a.priority, Priority::Routine);
    }

    #[test]
    fn bad_rule_files_are_refused() {
        assert!(Triage::from_toml("[[concept]]\ncode = \"Weapon\"").is_err());
        assert!(Triage::from_toml("").is_err());
    }
}
