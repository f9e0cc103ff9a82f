//! What checking one answer of one kind gives, shared by the kinds' own checks (each beside its
//! kind: `text`, `phone`, `postcode`, `vrm`, `date`) and by [`super::validate`], which names
//! the question in the message and records it against the answer's path.

use super::validate::Note;
use serde_json::Value;

/// The answer normalised, no answer at all (`Ok(None)`: blank), or what is wrong with it.
pub(crate) type Checked = Result<Option<Value>, Wrong>;

/// What is wrong with an answer: a stable code, and the rule in words (never the value).
pub(crate) struct Wrong {
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

pub(crate) fn wrong(code: &'static str, message: impl Into<String>) -> Checked {
    Err(Wrong {
        code,
        message: message.into(),
    })
}

/// Where a check records what an officer should know about an answer it accepts.
pub(crate) struct Notes<'a> {
    pub(crate) path: &'a str,
    pub(crate) notes: &'a mut Vec<Note>,
}

impl Notes<'_> {
    pub(crate) fn add(&mut self, code: &'static str) {
        self.notes.push(Note {
            field: self.path.into(),
            code,
        });
    }
}
