//! Language packs: the narrative rules for languages besides English, one file each in the
//! format of `config/triage.toml` with a `[language]` table (`config/triage/<code>.toml`).
//!
//! The packs shipped are built into the binary; a file of the same name in the `triage/`
//! folder beside the English rules replaces one, and a new file adds a language, so a pack
//! needs no code of its own. Diacritics are folded in a pack's phrases and in the text it
//! reads ("dziś" and "dzis" are one word), because phone keyboards often leave them out.

use super::language::fold;
use super::narrative::Reader;
use super::rules::{Language, Pattern, Piece, Rules};
use std::path::Path;

/// The packs shipped, by file name.
pub const SHIPPED_PACKS: &[(&str, &str)] = &[
    ("pl.toml", include_str!("../../config/triage/pl.toml")),
    ("ro.toml", include_str!("../../config/triage/ro.toml")),
    ("cy.toml", include_str!("../../config/triage/cy.toml")),
    ("ur.toml", include_str!("../../config/triage/ur.toml")),
];

/// One language's reader.
#[derive(Debug, Clone)]
pub struct Pack {
    pub language: Language,
    pub reader: Reader,
}

/// The shipped packs.
pub fn shipped(english: &Rules) -> Result<Vec<Pack>, String> {
    SHIPPED_PACKS
        .iter()
        .map(|(name, source)| build(source, english).map_err(|e| format!("{name}: {e}")))
        .collect()
}

/// The shipped packs, each replaced by a file of the same name in `dir` if there is one, and
/// any other `*.toml` there added. A file that cannot be read is an error naming it.
pub fn load(dir: &Path, english: &Rules) -> Result<Vec<Pack>, String> {
    let mut sources: Vec<(String, String)> = SHIPPED_PACKS
        .iter()
        .map(|(n, s)| (n.to_string(), s.to_string()))
        .collect();
    if dir.is_dir() {
        let entries =
            std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        let mut files: Vec<std::path::PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        for path in files {
            let name = path
                .file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into_owned());
            let source = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            match sources.iter_mut().find(|(n, _)| *n == name) {
                Some(slot) => slot.1 = source,
                None => sources.push((name, source)),
            }
        }
    }
    sources
        .iter()
        .map(|(name, source)| {
            build(source, english).map_err(|e| format!("{}: {e}", dir.join(name).display()))
        })
        .collect()
}

/// A pack's reader, its phrases folded. Its concepts must speak of the dangers English ones
/// do, by the same codes, so a finding means the same whichever language raised it.
fn build(source: &str, english: &Rules) -> Result<Pack, String> {
    let mut rules = Rules::from_toml(source)?;
    let language = rules
        .language
        .clone()
        .ok_or("a language pack needs a [language] table")?;
    for (i, c) in rules.concepts.iter().enumerate() {
        let known = english
            .concepts
            .iter()
            .any(|e| e.code == c.code && e.signal == c.signal);
        if !known {
            return Err(format!(
                "concept[{i}] ({}): no English concept has this code with signal {}",
                c.code, c.signal
            ));
        }
    }
    // People mix English in ("abhi woh gaari mein hai, he has a knife"): the English
    // concepts and modifiers are read too, within this language's grammar, so an English
    // word is negated or put in time by the words around it in either language.
    rules.concepts.extend(english.concepts.iter().cloned());
    rules.modifiers.extend(english.modifiers.iter().cloned());
    for (from, to) in &english.normalise {
        rules
            .normalise
            .entry(from.clone())
            .or_insert_with(|| to.clone());
    }
    fold_rules(&mut rules);
    Ok(Pack {
        language,
        reader: Reader::new(rules),
    })
}

fn fold_rules(rules: &mut Rules) {
    let fold_pattern = |p: &mut Pattern| {
        for piece in &mut p.0 {
            match piece {
                Piece::Word(alts) => alts.iter_mut().for_each(|a| *a = fold(a).into_owned()),
                Piece::Prefix(w) | Piece::Suffix(w) => *w = fold(w).into_owned(),
                Piece::Gap(_) | Piece::Under(_) => {}
            }
        }
    };
    for c in &mut rules.concepts {
        c.phrases
            .iter_mut()
            .chain(c.with.iter_mut())
            .for_each(fold_pattern);
    }
    for m in &mut rules.modifiers {
        m.phrases.iter_mut().for_each(fold_pattern);
    }
    rules.normalise = std::mem::take(&mut rules.normalise)
        .into_iter()
        .map(|(k, v)| {
            let v = v.iter().map(|w| fold(w).into_owned()).collect();
            (fold(&k).into_owned(), v)
        })
        .collect();
    rules.time_words = std::mem::take(&mut rules.time_words)
        .into_iter()
        .map(|w| fold(&w).into_owned())
        .collect();
}
