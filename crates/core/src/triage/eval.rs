//! `pis-gateway triage-eval FILE.jsonl`: how the narrative reader does on labelled narratives.
//!
//! Each line is `{"text", "form", "min", "max"}` (plus optional `signal` and `why`, shown for
//! misses, and optional `category`, `language` and `batch`: figures are also given per category
//! and per language). The text is read as the form's main narrative answer, with the gate answered "No"
//! and the urgency questions "None of these", as people often answer them, at a fixed
//! reference time (a Tuesday afternoon), so the figures are the same on every run.

use super::{Priority, Triage};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use time::OffsetDateTime;

/// The moment every case is read at: Tuesday 1 December 2026, 14:30 UK time.
pub const REFERENCE: OffsetDateTime = ::time::macros::datetime!(2026-12-01 14:30 UTC);

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub text: String,
    pub form: String,
    pub min: Priority,
    pub max: Priority,
    #[serde(default)]
    pub signal: Option<String>,
    #[serde(default)]
    pub why: Option<String>,
    /// What kind of text it is (plain, buried, slang, past, negated, retracted, language…).
    #[serde(default)]
    pub category: Option<String>,
    /// The language it is written in (ISO 639-1), when not English.
    #[serde(default)]
    pub language: Option<String>,
    /// Which writing batch it came from.
    #[serde(default)]
    pub batch: Option<String>,
}

/// One category's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub cases: usize,
    pub immediate: usize,
    pub immediate_found: usize,
    /// Cases whose lowest acceptable priority is PRIORITY, and those that came out at least that.
    pub priority: usize,
    pub priority_found: usize,
    pub capped: usize,
    pub over: usize,
}

#[derive(Debug, Clone)]
pub struct Miss {
    pub line: usize,
    pub case: Case,
    pub got: Priority,
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub cases: usize,
    /// Cases whose lowest acceptable priority is IMMEDIATE, and how many came out IMMEDIATE.
    pub immediate: usize,
    pub immediate_found: usize,
    /// Cases that came out below their lowest acceptable priority.
    pub under: Vec<Miss>,
    /// Cases capped below IMMEDIATE, and those that came out above their cap.
    pub capped: usize,
    pub over: Vec<Miss>,
    /// Cases whose lowest acceptable priority is PRIORITY, and those that came out at least that.
    pub priority: usize,
    pub priority_found: usize,
    /// The same figures by category (cases without one under "-").
    pub by_category: std::collections::BTreeMap<String, Tally>,
    /// The same figures by language (cases without one are English, "en").
    pub by_language: std::collections::BTreeMap<String, Tally>,
}

impl Report {
    pub fn recall(&self) -> f64 {
        if self.immediate == 0 {
            1.0
        } else {
            self.immediate_found as f64 / self.immediate as f64
        }
    }

    pub fn over_rate(&self) -> f64 {
        if self.capped == 0 {
            0.0
        } else {
            self.over.len() as f64 / self.capped as f64
        }
    }

    /// The report as printed by `triage-eval`. Case texts are the evaluator's own data, shown
    /// with control characters removed so a corpus line cannot rewrite the terminal.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!("cases: {}\n", self.cases));
        out.push_str(&format!(
            "IMMEDIATE recall: {}/{} ({:.1}%)\n",
            self.immediate_found,
            self.immediate,
            100.0 * self.recall()
        ));
        out.push_str(&format!(
            "PRIORITY recall (at least PRIORITY): {}/{}\n",
            self.priority_found, self.priority
        ));
        out.push_str(&format!("under-triaged: {}\n", self.under.len()));
        out.push_str(&format!(
            "over-escalated (capped below IMMEDIATE): {}/{} ({:.1}%)\n",
            self.over.len(),
            self.capped,
            100.0 * self.over_rate()
        ));
        for (what, table) in [
            ("category", &self.by_category),
            ("language", &self.by_language),
        ] {
            if table.len() > 1 {
                out.push_str(&format!(
                    "by {what}: cases, IMMEDIATE found, PRIORITY found, over-escalated\n"
                ));
                for (name, t) in table {
                    out.push_str(&format!(
                        "  {name:<14} {:>4}  {:>3}/{:<3}  {:>3}/{:<3}  {:>3}/{:<3}\n",
                        t.cases,
                        t.immediate_found,
                        t.immediate,
                        t.priority_found,
                        t.priority,
                        t.over,
                        t.capped
                    ));
                }
            }
        }
        for (title, misses) in [
            ("under-triaged", &self.under),
            ("over-escalated", &self.over),
        ] {
            for m in misses.iter() {
                out.push_str(&format!(
                    "{title} line {}: got {} (want {}..{}) [{}] {}{}\n  {}\n",
                    m.line,
                    m.got.as_str(),
                    m.case.min.as_str(),
                    m.case.max.as_str(),
                    m.reasons.join(","),
                    m.case.signal.as_deref().unwrap_or(""),
                    m.case
                        .why
                        .as_deref()
                        .map(|w| format!(" ({w})"))
                        .unwrap_or_default(),
                    printable(&m.case.text)
                ));
            }
        }
        out
    }
}

fn printable(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

/// The answers a case stands for: its text in the form's narrative box.
fn answers(case: &Case) -> Result<Map<String, Value>, String> {
    let field = match case.form.as_str() {
        "professional" => "details",
        "community" => "what_happened",
        other => return Err(format!("unknown form `{other}`")),
    };
    let v = json!({
        crate::forms::fields::GATE: "no",
        crate::forms::fields::URGENCY_NOW: ["NONE"],
        crate::forms::fields::URGENCY_SOON: ["NONE"],
        field: case.text,
    });
    Ok(v.as_object().cloned().unwrap_or_default())
}

/// Runs every case of a JSON-lines corpus. A line that cannot be read is an error naming it.
pub fn run(triage: &Triage, corpus: &str) -> Result<Report, String> {
    let mut report = Report::default();
    for (i, line) in corpus.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let case: Case = serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1))?;
        if case.min > case.max {
            return Err(format!("line {}: min is above max", i + 1));
        }
        let a = triage.assess(
            &answers(&case).map_err(|e| format!("line {}: {e}", i + 1))?,
            REFERENCE,
        );
        report.cases += 1;
        let miss = |case: &Case| Miss {
            line: i + 1,
            case: case.clone(),
            got: a.priority,
            reasons: a.reasons.clone(),
        };
        let tally = tally(&case, a.priority);
        report.immediate += tally.immediate;
        report.immediate_found += tally.immediate_found;
        report.priority += tally.priority;
        report.priority_found += tally.priority_found;
        report.capped += tally.capped;
        if a.priority < case.min {
            report.under.push(miss(&case));
        }
        if tally.over > 0 {
            report.over.push(miss(&case));
        }
        let category = case.category.clone().unwrap_or_else(|| "-".into());
        report.by_category.entry(category).or_default().add(&tally);
        let language = case.language.clone().unwrap_or_else(|| "en".into());
        report.by_language.entry(language).or_default().add(&tally);
    }
    Ok(report)
}

impl Tally {
    fn add(&mut self, one: &Tally) {
        self.cases += one.cases;
        self.immediate += one.immediate;
        self.immediate_found += one.immediate_found;
        self.priority += one.priority;
        self.priority_found += one.priority_found;
        self.capped += one.capped;
        self.over += one.over;
    }
}

/// One case's contribution to the figures, read at `got`.
fn tally(case: &Case, got: Priority) -> Tally {
    let immediate = case.min == Priority::Immediate;
    let priority = case.min == Priority::Priority;
    let capped = case.max < Priority::Immediate;
    Tally {
        cases: 1,
        immediate: usize::from(immediate),
        immediate_found: usize::from(immediate && got == Priority::Immediate),
        priority: usize::from(priority),
        priority_found: usize::from(priority && got >= Priority::Priority),
        capped: usize::from(capped),
        over: usize::from(capped && got > case.max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_given_per_category_and_for_priority() {
        let triage = Triage::load(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/triage.toml"),
        )
        .expect("rules");
        let corpus = [
            r#"{"text": "He has a knife and is stabbing the boy outside the shop right now", "form": "community", "min": "IMMEDIATE", "max": "IMMEDIATE", "category": "plain"}"#,
            r#"{"text": "Nice weather at the park today, children playing football.", "form": "community", "min": "ROUTINE", "max": "ROUTINE", "category": "negated"}"#,
            r#"{"text": "Nice weather at the park today, children playing football.", "form": "community", "min": "PRIORITY", "max": "PRIORITY", "category": "priority", "language": "en", "batch": "x"}"#,
        ]
        .join("\n");
        let report = run(&triage, &corpus).expect("reads");
        assert_eq!(report.cases, 3);
        assert_eq!((report.priority, report.priority_found), (1, 0));
        let priority = &report.by_category["priority"];
        assert_eq!(
            (priority.cases, priority.priority, priority.priority_found),
            (1, 1, 0)
        );
        assert_eq!(report.by_category["plain"].immediate_found, 1);
        assert_eq!(report.by_category["negated"].capped, 1);
        assert!(
            report.render().contains("by category"),
            "{}",
            report.render()
        );
    }

    #[test]
    fn figures_are_given_per_language() {
        let triage = Triage::from_toml(crate::triage::SHIPPED_RULES).expect("rules");
        let corpus = [
            r#"{"text": "He has a knife and is stabbing the boy outside the shop right now", "form": "community", "min": "IMMEDIATE", "max": "IMMEDIATE"}"#,
            r#"{"text": "Moja córka jest teraz zamknięta w mieszkaniu u tego faceta i nie pozwala jej wyjść.", "form": "community", "min": "IMMEDIATE", "max": "IMMEDIATE", "language": "pl"}"#,
            r#"{"text": "Rok temu mojego syna zmuszali do sprzedawania narkotyków. Sprawa zamknięta, jest już bezpieczny.", "form": "community", "min": "ROUTINE", "max": "ROUTINE", "language": "pl"}"#,
        ]
        .join("\n");
        let report = run(&triage, &corpus).expect("reads");
        let pl = &report.by_language["pl"];
        assert_eq!(
            (
                pl.cases,
                pl.immediate,
                pl.immediate_found,
                pl.capped,
                pl.over
            ),
            (2, 1, 1, 1, 0)
        );
        assert_eq!(report.by_language["en"].immediate_found, 1);
        let text = report.render();
        assert!(text.contains("by language"), "{text}");
        assert!(text.contains("  pl "), "{text}");
    }
}
