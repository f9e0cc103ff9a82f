//! The queue's order and filters: IMMEDIATE first, then PRIORITY, then ROUTINE; within a
//! priority the oldest first, since reports of one priority share one response time, so the
//! oldest has the nearest deadline.

use super::inbox::Case;
use super::seen::Fresh;
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
    /// A locality code, as the reports carry it.
    #[serde(default)]
    pub locality: String,
    /// Received on or after this day (YYYY-MM-DD, UTC).
    #[serde(default)]
    pub from: String,
    /// Received on or before this day (YYYY-MM-DD, UTC).
    #[serde(default)]
    pub to: String,
    /// `yes`: only what is new since the officer last looked.
    #[serde(default)]
    pub fresh: String,
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
            ("locality", self.locality.as_str()),
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
            ("fresh", self.fresh.as_str()),
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

/// A day as the date filters take it: `YYYY-MM-DD`, a real date.
fn is_day(s: &str) -> bool {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    s.len() == 10 && time::Date::parse(s, &format).is_ok()
}

impl Filter {
    /// The fields that cannot be read, each with what to do.
    pub fn problems(&self) -> Vec<(&'static str, &'static str)> {
        let mut out = Vec::new();
        if !self.from.is_empty() && !is_day(&self.from) {
            out.push((
                "from",
                "Enter the first day as YYYY-MM-DD, for example 2026-12-01",
            ));
        }
        if !self.to.is_empty() && !is_day(&self.to) {
            out.push((
                "to",
                "Enter the last day as YYYY-MM-DD, for example 2026-12-31",
            ));
        }
        if out.is_empty() && !self.from.is_empty() && !self.to.is_empty() && self.from > self.to {
            out.push((
                "to",
                "The last day must be the same as or after the first day",
            ));
        }
        out
    }

    fn keeps(&self, case: &Case, known: Option<&Known>, fresh: Option<&Fresh>) -> bool {
        let priority = self.priority.is_empty() || case.priority == self.priority;
        let state = match self.state.as_str() {
            "" => true,
            "unacknowledged" => known.and_then(|k| k.acknowledged) != Some(true),
            "new" => known.and_then(|k| k.step.as_deref()).is_none(),
            step => known.and_then(|k| k.step.as_deref()) == Some(step),
        };
        let words = self.q.to_lowercase();
        let search = words.split_whitespace().all(|w| case.haystack.contains(w));
        let locality = self.locality.is_empty() || case.localities.contains(&self.locality);
        // received_at is RFC 3339 in UTC, so its first ten characters are its day and compare
        // as text. A filter day that cannot be read filters nothing (the page says why).
        let day = case.received_at.get(..10).unwrap_or("");
        let from = !is_day(&self.from) || day >= self.from.as_str();
        let to = !is_day(&self.to) || day <= self.to.as_str();
        let new = self.fresh != "yes" || fresh.is_some();
        priority && state && search && locality && from && to && new
    }
}

/// The cases the filter keeps, as indexes into `cases`, in the queue's order.
/// `fresh` names the cases new since the officer last looked ([`super::seen`]).
pub fn select(
    cases: &[Case],
    known: &HashMap<String, Known>,
    fresh: &HashMap<String, Fresh>,
    filter: &Filter,
) -> Vec<usize> {
    let mut kept: Vec<usize> = (0..cases.len())
        .filter(|&i| {
            let r = &cases[i].reference;
            filter.keeps(&cases[i], known.get(r), fresh.get(r))
        })
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
        let kept = select(&cases, &HashMap::new(), &HashMap::new(), &Filter::default());
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
                ..Filter::default()
            };
            refs(&cases, &select(&cases, &known, &HashMap::new(), &f))
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
            locality: "HARROGATE".into(),
            from: "2026-12-01".into(),
            fresh: "yes".into(),
            ..Filter::default()
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
        assert_eq!(
            (
                back.locality.as_str(),
                back.from.as_str(),
                back.fresh.as_str()
            ),
            ("HARROGATE", "2026-12-01", "yes")
        );
    }

    #[test]
    fn filters_by_locality_by_day_and_by_what_is_new() {
        let mut cases = vec![
            case("PIS-AAAA-0001", "ROUTINE", "2026-11-30T23:59:59Z", ""),
            case("PIS-AAAA-0002", "ROUTINE", "2026-12-01T00:00:00Z", ""),
            case("PIS-AAAA-0003", "ROUTINE", "2026-12-02T12:00:00Z", ""),
        ];
        cases[2].localities = vec!["HARROGATE".into()];
        let fresh = HashMap::from([("PIS-AAAA-0002".to_string(), Fresh::NewAddendum)]);
        let pick = |f: Filter| refs(&cases, &select(&cases, &HashMap::new(), &fresh, &f));
        let f = |locality: &str, from: &str, to: &str, new: &str| Filter {
            locality: locality.into(),
            from: from.into(),
            to: to.into(),
            fresh: new.into(),
            ..Filter::default()
        };
        assert_eq!(pick(f("HARROGATE", "", "", "")), ["PIS-AAAA-0003"]);
        assert_eq!(pick(f("SCARBOROUGH", "", "", "")).len(), 2);
        assert_eq!(
            pick(f("", "2026-12-01", "", "")),
            ["PIS-AAAA-0002", "PIS-AAAA-0003"]
        );
        assert_eq!(
            pick(f("", "", "2026-12-01", "")),
            ["PIS-AAAA-0001", "PIS-AAAA-0002"]
        );
        assert_eq!(
            pick(f("", "2026-12-01", "2026-12-01", "")),
            ["PIS-AAAA-0002"]
        );
        assert_eq!(pick(f("", "", "", "yes")), ["PIS-AAAA-0002"]);
        // Days that cannot be read are named, field by field.
        assert!(f("", "2026-12-01", "2026-12-31", "").problems().is_empty());
        let fields: Vec<&str> = f("", "1/12/2026", "2026-02-30", "")
            .problems()
            .iter()
            .map(|p| p.0)
            .collect();
        assert_eq!(fields, ["from", "to"]);
        assert_eq!(f("", "2026-12-02", "2026-12-01", "").problems()[0].0, "to");
    }
}
