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
mod tests;
