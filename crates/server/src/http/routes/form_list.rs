//! Long repeated entries (a person, a vehicle, a place) as the GOV.UK "add to a list" pattern:
//! once a group has two entries or more, each is summarised in a row with "Change" and
//! "Remove", and one at a time is open for editing. Without JavaScript it is all buttons
//! posting the page, so what was typed in the open entry is kept whichever is pressed.
//!
//! The page posts only the open entry's boxes (and `_list`, `_open.{group}` naming which
//! groups it showed this way): the other entries are taken from the draft, never from hidden
//! inputs. A group with a problem in it is shown whole, every entry open, so each problem
//! has its box on the page.

use crate::forms::html::{item_anchor, read_posted, remove_item, Action, Posted};
use crate::forms::spec::Kind;
use crate::forms::FormSpec;
use crate::http::draft::Draft;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Sub-questions an entry needs before it is summarised rather than repeated in full.
const LONG_ENTRY: usize = 3;

/// The groups of `section` to show as a list: long entries, more than one of them, and no
/// problem shown in any (`errors` are the problems' fields).
pub(super) fn listed(
    spec: &FormSpec,
    section: usize,
    slots: &HashMap<String, usize>,
    errors: &[&str],
) -> Vec<String> {
    let Some(s) = spec.sections.get(section) else {
        return Vec::new();
    };
    s.fields
        .iter()
        .filter(|f| matches!(&f.kind, Kind::Group { fields, .. } if fields.len() >= LONG_ENTRY))
        .filter(|f| slots.get(&f.id).copied().unwrap_or(1) > 1)
        .filter(|f| {
            let inside = format!("{}[", f.id);
            !errors.iter().any(|e| *e == f.id || e.starts_with(&inside))
        })
        .map(|f| f.id.clone())
        .collect()
}

/// Completes what a page posted for the groups it showed as lists (the entries it did not
/// show come from the draft), applies "Add another", "Change" and "Remove" to them, and
/// notes in the draft which entry is open next. Returns where the page lands (the first box of
/// the entry changed), if the button pressed changed an entry.
pub(super) fn complete(
    spec: &FormSpec,
    draft: &mut Draft,
    pairs: &[(String, String)],
    posted: &mut Posted,
) -> Option<String> {
    let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    let shown_as_list: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "_list")
        .map(|(_, v)| v.as_str())
        .filter(|g| {
            spec.field(g)
                .is_some_and(|f| matches!(f.kind, Kind::Group { .. }))
        })
        .collect();
    // The page as posted, before any button changed it.
    let as_typed = {
        let unpressed: Vec<(String, String)> = pairs
            .iter()
            .filter(|(k, _)| k != "_action")
            .cloned()
            .collect();
        read_posted(spec, &unpressed).values
    };
    let mut landing = None;
    for group in spec
        .fields()
        .filter(|f| matches!(f.kind, Kind::Group { .. }))
    {
        let g = group.id.as_str();
        if !shown_as_list.contains(&g) {
            // Shown whole: after "Add another" the new entry is the open one next time.
            match &posted.action {
                Action::AddItem(a) if a == g => {
                    let n = posted.slots.get(g).copied().unwrap_or(1);
                    draft.open.insert(g.to_string(), n.saturating_sub(1));
                }
                // The entry that took the removed one's place is where the page lands.
                Action::RemoveItem(a, i) if a == g => {
                    let n = posted.slots.get(g).copied().unwrap_or(1);
                    draft
                        .open
                        .insert(g.to_string(), (*i).min(n.saturating_sub(1)));
                }
                _ => {}
            }
            continue;
        }
        let open = field(&format!("_open.{g}")).and_then(|v| v.parse::<usize>().ok());
        let Kind::Group { max_items, .. } = &group.kind else {
            continue;
        };
        let mut list = List {
            group: g,
            values: entries(&draft.values, g, open, &as_typed),
            count: draft.slots.get(g).copied().unwrap_or(1).max(1),
            open,
        };
        landing = list.press(spec, &posted.action, *max_items).or(landing);
        let prefix = format!("{g}[");
        posted.values.retain(|k, _| !k.starts_with(&prefix));
        posted.values.extend(list.values);
        posted.slots.insert(g.to_string(), list.count);
        match list.open {
            Some(i) => draft.open.insert(g.to_string(), i),
            None => draft.open.remove(g),
        };
    }
    landing
}

/// One group shown as a list, as it stands after the page was posted.
struct List<'a> {
    group: &'a str,
    /// Every entry's control values.
    values: Map<String, Value>,
    count: usize,
    open: Option<usize>,
}

impl List<'_> {
    /// Applies the button pressed; returns the anchor it lands on, if it is one of the list's.
    fn press(&mut self, spec: &FormSpec, action: &Action, max: usize) -> Option<String> {
        let g = self.group;
        match action {
            Action::AddItem(a) if a == g && self.count < max => {
                self.count += 1;
                self.open = Some(self.count - 1);
                item_anchor(spec, g, self.count - 1)
            }
            Action::AddItem(a) if a == g => self.open.and_then(|i| item_anchor(spec, g, i)),
            Action::EditItem(a, i) if a == g && *i < self.count => {
                self.open = Some(*i);
                item_anchor(spec, g, *i)
            }
            // The entry that took the removed one's place opens (what was typed in the one
            // open before is kept all the same), and the page lands on its first box.
            Action::RemoveItem(a, i) if a == g && *i < self.count => {
                remove_item(&mut self.values, g, *i);
                self.count = (self.count - 1).max(1);
                let next = (*i).min(self.count - 1);
                self.open = Some(next);
                item_anchor(spec, g, next)
            }
            // Continue or Back: the entry is done with; coming back shows the summary.
            Action::Continue | Action::Back | Action::Submit | Action::Change(_) => {
                self.open = None;
                None
            }
            _ => None,
        }
    }
}

/// The group's control values: every entry as kept in the draft, but the open one as typed.
fn entries(
    kept: &Map<String, Value>,
    group: &str,
    open: Option<usize>,
    typed: &Map<String, Value>,
) -> Map<String, Value> {
    let prefix = format!("{group}[");
    let open_prefix = open.map(|i| format!("{group}[{i}]"));
    let is_open = |k: &str| open_prefix.as_deref().is_some_and(|p| k.starts_with(p));
    let mut out: Map<String, Value> = kept
        .iter()
        .filter(|(k, _)| k.starts_with(&prefix) && !is_open(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    out.extend(
        typed
            .iter()
            .filter(|(k, _)| is_open(k))
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::FormRegistry;

    fn community() -> std::sync::Arc<FormSpec> {
        let forms = FormRegistry::built_in().expect("built-in forms load");
        forms.get("community").expect("community form").clone()
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    /// A draft with three people, the second one open.
    fn three_people() -> Draft {
        let mut d = Draft::default();
        for (i, name) in ["Jay", "Sam", "Kit"].iter().enumerate() {
            d.values
                .insert(format!("people[{i}].name"), Value::String(name.to_string()));
        }
        d.slots.insert("people".into(), 3);
        d.open.insert("people".into(), 1);
        d
    }

    fn after(press: &str, typed_for_open: &str) -> (Draft, Posted, Option<String>) {
        let spec = community();
        let mut draft = three_people();
        let body = pairs(&[
            ("_list", "people"),
            ("_open.people", "1"),
            ("people[1].name", typed_for_open),
            ("_action", press),
        ]);
        let mut posted = read_posted(&spec, &body);
        let landing = complete(&spec, &mut draft, &body, &mut posted);
        (draft, posted, landing)
    }

    fn names(posted: &Posted) -> Vec<String> {
        (0..posted.slots["people"])
            .map(|i| {
                posted
                    .values
                    .get(&format!("people[{i}].name"))
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn entries_not_on_the_page_come_from_the_draft_and_the_open_one_as_typed() {
        let (draft, posted, landing) = after("continue", "Sammy");
        assert_eq!(names(&posted), ["Jay", "Sammy", "Kit"]);
        assert_eq!(landing, None);
        assert!(
            !draft.open.contains_key("people"),
            "done with: summarised next time"
        );
    }

    #[test]
    fn add_change_and_remove_land_on_the_entry_they_changed() {
        let (draft, posted, landing) = after("add:people", "Sammy");
        assert_eq!(names(&posted), ["Jay", "Sammy", "Kit", ""]);
        assert_eq!(draft.open["people"], 3);
        assert_eq!(landing.as_deref(), Some("f-people[3].name"));

        let (draft, posted, landing) = after("edit:people:2", "Sammy");
        assert_eq!(names(&posted), ["Jay", "Sammy", "Kit"], "typed words kept");
        assert_eq!(draft.open["people"], 2);
        assert_eq!(landing.as_deref(), Some("f-people[2].name"));

        let (draft, posted, landing) = after("remove:people:0", "Sammy");
        assert_eq!(names(&posted), ["Sammy", "Kit"]);
        assert_eq!(
            draft.open["people"], 0,
            "the one that took its place is open"
        );
        assert_eq!(landing.as_deref(), Some("f-people[0].name"));

        let (draft, posted, landing) = after("remove:people:2", "Sammy");
        assert_eq!(names(&posted), ["Jay", "Sammy"], "typed words kept");
        assert_eq!(
            draft.open["people"], 1,
            "the last removed: the one before it"
        );
        assert_eq!(landing.as_deref(), Some("f-people[1].name"));
    }

    #[test]
    fn a_group_is_a_list_once_it_has_two_long_entries_and_no_problem() {
        let spec = community();
        let section = spec
            .sections
            .iter()
            .position(|s| s.fields.iter().any(|f| f.id == "people"))
            .expect("people");
        let mut slots = HashMap::new();
        slots.insert("people".to_string(), 1);
        assert!(listed(&spec, section, &slots, &[]).is_empty());
        slots.insert("people".to_string(), 2);
        assert_eq!(listed(&spec, section, &slots, &[]), ["people"]);
        assert!(listed(&spec, section, &slots, &["people[1].name"]).is_empty());
    }
}
