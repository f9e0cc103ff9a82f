//! The queue's order and filters: IMMEDIATE first, then PRIORITY, then ROUTINE; within a
//! priority the oldest first, since reports of one priority share one response time, so the
//! oldest has the nearest deadline.

use super::inbox::Case;
use std::collections::HashMap;

/// What the desk knows from the gateway about a case (fetched, not in the mailbox).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Known {
    /// `Some(true)` once the link is used (by the desk, or found used); `None` when not known.
    pub acknowledged: Option<bool>,
    /// The last workflow step recorded, if any is known.
    pub step: Option<String>,
}

/// The queue's filters, as the page's form sends them (empty means any).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Filter {
    #[serde(default)]
    pub priority: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub q: String,
    /// The page of the queue, from 0.
    #[serde(default)]
    pub page: usize,
}

/// Rows on one page of the queue: a mailbox of thousands stays quick to show and to read.
pub const PAGE: usize = 100;

impl Filter {
    /// The query string for `page` under the same filters.
    pub fn query_for(&self, page: usize) -> String {
        serde_urlencoded::to_string([
            ("priority", self.priority.as_str()),
            ("state", self.state.as_str()),
            ("q", self.q.as_str()),
            ("page", &page.to_string()),
        ])
        .unwrap_or_default()
    }
}

/// The states the filter offers, with their labels.
pub const STATES: &[(&str, &str)] = &[
    ("unacknowledged", "Not acknowledged"),
    ("new", "No step recorded"),
    ("triaged", "Triaged"),
    ("graded", "Graded"),
    ("recorded", "Recorded"),
    ("shared_with_mace", "Shared with MACE"),
    ("closed", "Closed"),
];

pub const PRIORITIES: &[&str] = &["IMMEDIATE", "PRIORITY", "ROUTINE"];

fn rank(priority: &str) -> usize {
    PRIORITIES
        .iter()
        .position(|p| *p == priority)
        .unwrap_or(PRIORITIES.len())
}

impl Filter {
    fn keeps(&self, case: &Case, known: Option<&Known>) -> bool {
        let priority = self.priority.is_empty() || case.priority == self.priority;
        let state = match self.state.as_str() {
            "" => true,
            "unacknowledged" => known.and_then(|k| k.acknowledged) != Some(true),
            "new" => known.and_then(|k| k.step.as_deref()).is_none(),
            step => known.and_then(|k| k.step.as_deref()) == Some(step),
        };
        let words = self.q.to_lowercase();
        let search = words.split_whitespace().all(|w| case.haystack.contains(w));
        priority && state && search
    }
}

/// The cases the filter keeps, as indexes into `cases`, in the queue's order.
pub fn select(cases: &[Case], known: &HashMap<String, Known>, filter: &Filter) -> Vec<usize> {
    let mut kept: Vec<usize> = (0..cases.len())
        .filter(|&i| filter.keeps(&cases[i], known.get(&cases[i].reference)))
        .collect();
    kept.sort_by(|&a, &b| {
        let (a, b) = (&cases[a], &cases[b]);
        rank(&a.priority)
            .cmp(&rank(&b.priority))
            .then_with(|| a.received_at.cmp(&b.received_at))
            .then_with(|| a.reference.cmp(&b.reference))
    });
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::open::Provenance;

    fn case(reference: &str, priority: &str, received: &str, text: &str) -> Case {
        super::super::inbox::case_of(
            serde_json::json!({
                "reference": reference, "priority": priority, "received_at": received,
                "form": "community", "localities": ["SCARBOROUGH"],
                "answers": {"narrative": text},
            }),
            Provenance::Signed("k".into()),
            None,
        )
    }

    fn refs(cases: &[Case], kept: &[usize]) -> Vec<String> {
        kept.iter().map(|&i| cases[i].reference.clone()).collect()
    }

    #[test]
    fn immediate_comes_first_then_priority_then_routine_each_oldest_first() {
        let cases = vec![
            case("PIS-AAAA-0001", "ROUTINE", "2026-12-01T09:00:00Z", ""),
            case("PIS-AAAA-0002", "PRIORITY", "2026-12-02T09:00:00Z", ""),
            case("PIS-AAAA-0003", "IMMEDIATE", "2026-12-03T09:00:00Z", ""),
            case("PIS-AAAA-0004", "PRIORITY", "2026-12-01T08:00:00Z", ""),
            case("PIS-AAAA-0005", "IMMEDIATE", "2026-12-01T10:00:00Z", ""),
        ];
        let kept = select(&cases, &HashMap::new(), &Filter::default());
        assert_eq!(
            refs(&cases, &kept),
            [
                "PIS-AAAA-0005",
                "PIS-AAAA-0003",
                "PIS-AAAA-0004",
                "PIS-AAAA-0002",
                "PIS-AAAA-0001"
            ]
        );
    }

    #[test]
    fn filters_by_priority_state_and_words_of_the_decrypted_content() {
        let cases = vec![
            case(
                "PIS-AAAA-0001",
                "ROUTINE",
                "2026-12-01T09:00:00Z",
                "A blue Van at the park",
            ),
            case(
                "PIS-AAAA-0002",
                "IMMEDIATE",
                "2026-12-02T09:00:00Z",
                "a red car",
            ),
            case(
                "PIS-AAAA-0003",
                "ROUTINE",
                "2026-12-03T09:00:00Z",
                "the van again",
            ),
        ];
        let mut known = HashMap::new();
        known.insert(
            "PIS-AAAA-0001".to_string(),
            Known {
                acknowledged: Some(true),
                step: Some("graded".into()),
            },
        );
        let pick = |priority: &str, state: &str, q: &str| {
            let f = Filter {
                priority: priority.into(),
                state: state.into(),
                q: q.into(),
                page: 0,
            };
            refs(&cases, &select(&cases, &known, &f))
        };
        assert_eq!(pick("ROUTINE", "", ""), ["PIS-AAAA-0001", "PIS-AAAA-0003"]);
        assert_eq!(pick("", "", "VAN"), ["PIS-AAAA-0001", "PIS-AAAA-0003"]);
        assert_eq!(pick("", "", "blue van"), ["PIS-AAAA-0001"]);
        assert_eq!(pick("", "graded", ""), ["PIS-AAAA-0001"]);
        assert_eq!(pick("", "new", ""), ["PIS-AAAA-0002", "PIS-AAAA-0003"]);
        assert_eq!(pick("", "unacknowledged", "van"), ["PIS-AAAA-0003"]);
        assert!(pick("IMMEDIATE", "", "van").is_empty());
        // The reference and locality are in the content too.
        assert_eq!(pick("", "", "aaaa-0002"), ["PIS-AAAA-0002"]);
    }

    #[test]
    fn a_pages_link_keeps_the_filters() {
        let f = Filter {
            priority: "ROUTINE".into(),
            state: "new".into(),
            q: "blue van & \"co\"".into(),
            page: 0,
        };
        let back: Filter = serde_urlencoded::from_str(&f.query_for(3)).expect("parses");
        assert_eq!(
            (
                back.priority.as_str(),
                back.state.as_str(),
                back.q.as_str(),
                back.page
            ),
            ("ROUTINE", "new", "blue van & \"co\"", 3)
        );
    }
}
