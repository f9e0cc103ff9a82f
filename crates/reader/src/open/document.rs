//! Typed reading of a decrypted document: its header fields, its answers by path, and the
//! form spec that labels them. Every value here is submitter content or derived from it, and
//! is made safe only where it is shown (text, HTML, JSON each have their own exit).

use crate::forms::spec::{Field, FormSpec, Kind};
use crate::forms::FormRegistry;
use serde_json::{Map, Value};

/// Which of the two public forms a document came from: the answers that grade a source differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FormKind {
    Professional,
    Community,
    /// A form this reader does not know (another deployment's, or a future one).
    Other,
}

/// One narrative reason and where it was written.
pub struct Narrative {
    pub reason: String,
    pub field: String,
    /// The sentence, when its span fits the answer (never guessed).
    pub sentence: Option<String>,
}

pub struct Document<'a> {
    pub raw: &'a Value,
    pub answers: &'a Map<String, Value>,
    pub spec: Option<&'a FormSpec>,
}

static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);

impl<'a> Document<'a> {
    pub fn new(raw: &'a Value, forms: &'a FormRegistry) -> Self {
        let answers = raw
            .get("answers")
            .and_then(Value::as_object)
            .unwrap_or(&EMPTY);
        let form = raw.get("form").and_then(Value::as_str).unwrap_or("");
        Document {
            raw,
            answers,
            spec: forms.get(form).map(|a| a.as_ref()),
        }
    }

    /// A header field of the document (`reference`, `priority`, …), or "".
    pub fn header(&self, key: &str) -> &'a str {
        self.raw.get(key).and_then(Value::as_str).unwrap_or("")
    }

    pub fn form_kind(&self) -> FormKind {
        match self.header("form") {
            "professional" => FormKind::Professional,
            "community" => FormKind::Community,
            _ => FormKind::Other,
        }
    }

    pub fn strings(&self, key: &str) -> Vec<&'a str> {
        self.raw
            .get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// A top-level text or choice answer, trimmed, if given.
    pub fn text(&self, id: &str) -> Option<&'a str> {
        text_of(self.answers, id)
    }

    /// The values chosen in a multi-choice answer.
    pub fn chosen(&self, id: &str) -> Vec<&'a str> {
        self.answers
            .get(id)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// The items of a repeatable group, in order, with their index.
    pub fn items(&self, group: &str) -> Vec<(usize, &'a Map<String, Value>)> {
        self.answers
            .get(group)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .enumerate()
                    .filter_map(|(i, v)| Some((i, v.as_object()?)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The spec of a field by path: `summary`, or `people.role` for a field within a group.
    pub fn field(&self, path: &str) -> Option<&'a Field> {
        let spec = self.spec?;
        // Top-level ids may hold dots themselves (`submitter.full_name`): those first.
        spec.field(path).or_else(|| {
            let (group, sub) = path.split_once('.')?;
            match &spec.field(group)?.kind {
                Kind::Group { fields, .. } => fields.iter().find(|f| f.id == sub),
                _ => None,
            }
        })
    }

    /// The form's words for a choice value (`SAW_OR_HEARD_MYSELF` → "I saw or heard it
    /// myself"), or the value itself when the form does not list it.
    pub fn option_label(&self, path: &str, value: &str) -> String {
        self.field(path)
            .map(|f| super::labels::display_value(f, &Value::String(value.into())))
            .unwrap_or_else(|| super::labels::yes_no(value))
    }

    /// The question as the officer should read it, without form residue.
    pub fn question(&self, path: &str) -> String {
        self.field(path)
            .map(|f| super::labels::clean_label(&f.label))
            .unwrap_or_else(|| path.to_string())
    }

    pub fn notes(&self) -> Vec<(String, String)> {
        self.raw
            .get("notes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|n| {
                Some((
                    n.get("field")?.as_str()?.to_string(),
                    n.get("code")?.as_str()?.to_string(),
                ))
            })
            .collect()
    }

    /// Each narrative reason with the sentence that raised it, taken from the answer by its
    /// character span (a span that does not fit the answer gives no sentence).
    pub fn narrative(&self) -> Vec<Narrative> {
        let mut out = Vec::new();
        for f in self
            .raw
            .get("narrative")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let (Some(reason), Some(field)) = (
                f.get("reason").and_then(Value::as_str),
                f.get("field").and_then(Value::as_str),
            ) else {
                continue;
            };
            let start = f.get("start").and_then(Value::as_u64).unwrap_or(0) as usize;
            let end = f.get("end").and_then(Value::as_u64).unwrap_or(0) as usize;
            let sentence = answer_at(self.answers, field)
                .filter(|t| start < end && end <= t.chars().count())
                .map(|t| t.chars().skip(start).take(end - start).collect::<String>());
            out.push(Narrative {
                reason: reason.to_string(),
                field: field.to_string(),
                sentence,
            });
        }
        out
    }

    /// The label of the answer a narrative path names (`details`, `people[0].description`).
    pub fn label_of_path(&self, path: &str) -> String {
        let top = path.split('[').next().unwrap_or(path);
        match path.split_once("].") {
            Some((_, sub)) => {
                let item = self.field(&format!("{top}.{sub}"));
                item.map(|f| super::labels::clean_label(&f.label))
                    .unwrap_or_else(|| path.to_string())
            }
            None => self.question(top),
        }
    }
}

/// A text answer within an object, trimmed, if given.
pub fn text_of<'a>(m: &'a Map<String, Value>, id: &str) -> Option<&'a str> {
    m.get(id)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The answer at a path such as `details` or `people[1].description`.
pub fn answer_at<'a>(answers: &'a Map<String, Value>, path: &str) -> Option<&'a str> {
    let (head, rest) = match path.split_once('[') {
        Some((h, r)) => (h, Some(r)),
        None => (path, None),
    };
    let v = answers.get(head)?;
    match rest {
        None => v.as_str(),
        Some(r) => {
            let (index, sub) = r.split_once("].")?;
            let item = v
                .as_array()?
                .get(index.parse::<usize>().ok()?)?
                .as_object()?;
            answer_at(item, sub)
        }
    }
}
