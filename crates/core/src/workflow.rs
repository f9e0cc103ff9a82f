//! The case workflow's values: the steps an officer records on a submission (triaged, graded,
//! recorded, shared with MACE, closed), the grade under 3x5x2, the force system's reference,
//! and the status a submitter sees on /follow-up. The server stores them and the officer's
//! tools send them; both read them from here. No submitter content is ever in a step.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What police tell the submitter on /follow-up. Stored as a short text code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseStatus {
    Received,
    BeingLookedAt,
    PassedToTeam,
    Closed,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 4] = [
        CaseStatus::Received,
        CaseStatus::BeingLookedAt,
        CaseStatus::PassedToTeam,
        CaseStatus::Closed,
    ];

    /// The stored code.
    pub fn as_str(&self) -> &'static str {
        match self {
            CaseStatus::Received => "received",
            CaseStatus::BeingLookedAt => "being_looked_at",
            CaseStatus::PassedToTeam => "passed_to_team",
            CaseStatus::Closed => "closed",
        }
    }

    /// In words, for the submitter's page.
    pub fn words(&self) -> &'static str {
        match self {
            CaseStatus::Received => "Received",
            CaseStatus::BeingLookedAt => "Being looked at",
            CaseStatus::PassedToTeam => "Passed to the right team",
            CaseStatus::Closed => "Closed",
        }
    }
}

/// A status code that is not one of [`CaseStatus`]'s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown status (expected received, being_looked_at, passed_to_team or closed)")]
pub struct UnknownStatus;

impl FromStr for CaseStatus {
    type Err = UnknownStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CaseStatus::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or(UnknownStatus)
    }
}

impl fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.words())
    }
}

/// Source evaluation under 3x5x2: 1 reliable, 2 untested, 3 not reliable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    #[serde(rename = "1")]
    Reliable,
    #[serde(rename = "2")]
    Untested,
    #[serde(rename = "3")]
    NotReliable,
}

/// Intelligence assessment under 3x5x2: A known directly … E suspected to be false.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Intelligence {
    A,
    B,
    C,
    D,
    E,
}

/// Handling under 3x5x2: P may be disseminated lawfully; C may be disseminated with conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Handling {
    P,
    C,
}

/// An officer's grading, tagged by scheme: `{"scheme":"3x5x2","source":"2",...}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "scheme", deny_unknown_fields)]
pub enum Grade {
    #[serde(rename = "3x5x2")]
    ThreeByFiveByTwo {
        source: Source,
        intelligence: Intelligence,
        handling: Handling,
    },
}

/// A grade that is not `SOURCE/INTELLIGENCE/HANDLING` under 3x5x2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a 3x5x2 grade is SOURCE/INTELLIGENCE/HANDLING, e.g. 2/B/P (source 1-3, intelligence A-E, handling P or C)")]
pub struct BadGrade;

impl Grade {
    /// Parses the officer's `2/B/P`.
    pub fn parse_3x5x2(s: &str) -> Result<Grade, BadGrade> {
        let parts: Vec<&str> = s.trim().split('/').collect();
        let [source, intelligence, handling] = parts.as_slice() else {
            return Err(BadGrade);
        };
        let json = serde_json::json!({
            "scheme": "3x5x2",
            "source": source,
            "intelligence": intelligence.to_ascii_uppercase(),
            "handling": handling.to_ascii_uppercase(),
        });
        serde_json::from_value(json).map_err(|_| BadGrade)
    }

    /// The stored (and audited) form: compact tagged JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a grade is plain enums, always serialisable")
    }
}

impl Grade {
    /// The scheme's name, as tagged.
    pub fn scheme(&self) -> &'static str {
        match self {
            Grade::ThreeByFiveByTwo { .. } => "3x5x2",
        }
    }

    /// The officer's own notation, without the scheme: `2/B/P`.
    pub fn notation(&self) -> String {
        let Grade::ThreeByFiveByTwo {
            source,
            intelligence,
            handling,
        } = self;
        let s = match source {
            Source::Reliable => 1,
            Source::Untested => 2,
            Source::NotReliable => 3,
        };
        format!("{s}/{intelligence:?}/{handling:?}")
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.scheme(), self.notation())
    }
}

/// The force intelligence system's reference for a submission, as the officer typed it: a
/// short token of letters, digits and `-/_.:`, so it is safe in a terminal, a log or a CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForceRef(String);

pub const MAX_FORCE_REF: usize = 40;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a force reference is 1 to 40 letters, digits or - / _ . :")]
pub struct BadForceRef;

impl ForceRef {
    pub fn parse(s: &str) -> Result<ForceRef, BadForceRef> {
        let s = s.trim();
        let ok = !s.is_empty()
            && s.len() <= MAX_FORCE_REF
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-/_.:".contains(c));
        if ok {
            Ok(ForceRef(s.to_string()))
        } else {
            Err(BadForceRef)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One step of the workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Triaged,
    Graded(Grade),
    Recorded(ForceRef),
    /// Written by sharing itself (see [`super::ShareStore`]), naming the MACE route.
    SharedWithMace {
        route: String,
    },
    Closed,
}

/// The kind of a step, which is what `/metrics` counts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StepKind {
    Triaged,
    Graded,
    Recorded,
    SharedWithMace,
    Closed,
}

impl StepKind {
    pub const ALL: [StepKind; 5] = [
        StepKind::Triaged,
        StepKind::Graded,
        StepKind::Recorded,
        StepKind::SharedWithMace,
        StepKind::Closed,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            StepKind::Triaged => "triaged",
            StepKind::Graded => "graded",
            StepKind::Recorded => "recorded",
            StepKind::SharedWithMace => "shared_with_mace",
            StepKind::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<StepKind> {
        StepKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A stored step that does not parse back (a corrupt or newer spool).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a stored workflow step is not understood")]
pub struct BadStoredStep;

impl Step {
    pub fn kind(&self) -> StepKind {
        match self {
            Step::Triaged => StepKind::Triaged,
            Step::Graded(_) => StepKind::Graded,
            Step::Recorded(_) => StepKind::Recorded,
            Step::SharedWithMace { .. } => StepKind::SharedWithMace,
            Step::Closed => StepKind::Closed,
        }
    }

    /// The stored detail: the grade's JSON, the force reference, the route, or nothing.
    pub fn detail(&self) -> Option<String> {
        match self {
            Step::Triaged | Step::Closed => None,
            Step::Graded(g) => Some(g.to_json()),
            Step::Recorded(r) => Some(r.as_str().to_string()),
            Step::SharedWithMace { route } => Some(route.clone()),
        }
    }

    /// Back from the stored kind and detail, re-validating what was stored.
    pub fn from_stored(kind: &str, detail: Option<&str>) -> Result<Step, BadStoredStep> {
        let kind = StepKind::parse(kind).ok_or(BadStoredStep)?;
        Ok(match (kind, detail) {
            (StepKind::Triaged, None) => Step::Triaged,
            (StepKind::Closed, None) => Step::Closed,
            (StepKind::Graded, Some(d)) => {
                Step::Graded(serde_json::from_str(d).map_err(|_| BadStoredStep)?)
            }
            (StepKind::Recorded, Some(d)) => {
                Step::Recorded(ForceRef::parse(d).map_err(|_| BadStoredStep)?)
            }
            (StepKind::SharedWithMace, Some(d)) => Step::SharedWithMace {
                route: d.to_string(),
            },
            _ => return Err(BadStoredStep),
        })
    }

    /// The audit event's code: the kind, and the grade (never the force reference, which
    /// belongs to another system).
    pub fn audit_code(&self) -> String {
        match self {
            Step::Graded(g) => format!("graded {}", g.to_json()),
            other => other.kind().as_str().to_string(),
        }
    }
}

/// What became of a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOutcome {
    /// Numbered and stored with its audit event.
    Recorded,
    /// No such submission, or it has been purged.
    Gone,
    /// The submission's workflow is closed: `closed` is its last step, and nothing (another
    /// step, a share with MACE) is recorded after it. No step reopens a case.
    Closed,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grade_parses_into_its_tagged_value_and_back() {
        let g = Grade::parse_3x5x2("2/b/p").expect("grade");
        assert_eq!(
            g.to_json(),
            r#"{"scheme":"3x5x2","source":"2","intelligence":"B","handling":"P"}"#
        );
        let step = Step::from_stored("graded", Some(&g.to_json())).expect("stored");
        assert_eq!(step, Step::Graded(g));
        assert_eq!(g.to_string(), "3x5x2 2/B/P");
        for bad in [
            "4/B/P",
            "2/F/P",
            "2/B/X",
            "2/B",
            "2/B/P/1",
            "",
            "1/A/\u{1b}",
        ] {
            assert_eq!(Grade::parse_3x5x2(bad), Err(BadGrade), "{bad:?}");
        }
    }

    #[test]
    fn a_force_reference_is_a_short_printable_token() {
        assert_eq!(
            ForceRef::parse(" NYP/2026:0042-A ").unwrap().as_str(),
            "NYP/2026:0042-A"
        );
        for bad in ["", "a b", "x\u{1b}[31m", "é", &"A".repeat(41), "a;rm"] {
            assert_eq!(ForceRef::parse(bad), Err(BadForceRef), "{bad:?}");
        }
    }
}
