//! Reports and what their submitters added on /follow-up, read together: each addendum is shown
//! after the report it adds to (when that report was opened with it) and graded as that report.

use serde_json::Value;

/// One document in the order to show it: its index in what was opened and, for an addendum
/// whose original was opened too, the original's index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    pub index: usize,
    pub original: Option<usize>,
}

fn header<'a>(doc: &'a Value, key: &str) -> &'a str {
    doc.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The documents in thread order: each report where it came, followed by its addenda in the
/// order they came; an addendum whose report is not among them stays where it came.
pub fn order(docs: &[&Value]) -> Vec<Placed> {
    let original_of = |doc: &Value| -> Option<usize> {
        let of = header(doc, "follow_up_of");
        if of.is_empty() {
            return None;
        }
        docs.iter()
            .position(|d| header(d, "follow_up_of").is_empty() && header(d, "reference") == of)
    };
    let originals: Vec<Option<usize>> = docs.iter().map(|d| original_of(d)).collect();
    let mut out = Vec::with_capacity(docs.len());
    for (index, original) in originals.iter().enumerate() {
        if original.is_some() {
            continue;
        }
        out.push(Placed {
            index,
            original: None,
        });
        out.extend(
            originals
                .iter()
                .enumerate()
                .filter(|(_, o)| **o == Some(index))
                .map(|(i, o)| Placed {
                    index: i,
                    original: *o,
                }),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_addendum_follows_its_report_and_one_without_its_report_stays_put() {
        let docs = [
            json!({"reference": "PIS-AAAA-0001", "follow_up_of": "PIS-BBBB-0002"}),
            json!({"reference": "PIS-CCCC-0003", "follow_up_of": "PIS-DDDD-0004"}),
            json!({"reference": "PIS-DDDD-0004"}),
            json!({"reference": "PIS-BBBB-0002"}),
            json!({"reference": "PIS-EEEE-0005", "follow_up_of": "PIS-BBBB-0002"}),
            json!({"reference": "PIS-FFFF-0006", "follow_up_of": "PIS-GGGG-0007"}),
        ];
        let refs: Vec<&Value> = docs.iter().collect();
        let placed = order(&refs);
        let shown: Vec<(usize, Option<usize>)> =
            placed.iter().map(|p| (p.index, p.original)).collect();
        assert_eq!(
            shown,
            vec![
                (2, None),
                (1, Some(2)),
                (3, None),
                (0, Some(3)),
                (4, Some(3)),
                (5, None)
            ]
        );
    }
}
