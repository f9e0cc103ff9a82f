//! The narrative reader's rules, loaded from `config/triage.toml` (format documented there).
//!
//! Three kinds of rule, in the ConText tradition (Harkema et al. 2009): *concepts* (the
//! danger a phrase stands for, mapped to a structured signal), *modifiers* (negation, past,
//! hypothesis, fiction, resolution, and cues that something is happening now), and the
//! *normalisation* of text-speak before either is matched. Phrases are compiled to token
//! patterns once at load; a bad file stops start-up with the rule named.

use super::Priority;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

/// What a modifier says about the concepts in its scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// "no", "there was no", "did not": the danger is denied.
    Negated,
    /// "used to", "years ago", "in the past": it is not happening now.
    Historical,
    /// "if", "might one day", "what to do if": it has not happened.
    Hypothetical,
    /// "music", "a film", "a game", "on the news": not a real event here.
    NotReal,
    /// "is home safe", "has been found", "police dealt with it": over.
    Resolved,
    /// "right now", "at the moment", "as I type": happening now.
    Current,
    /// "just", "a few minutes ago", "has just left": has just happened.
    Recent,
    /// "about to", "on his way", "later": soon, within hours.
    Soon,
    /// "is ...ing", "are with": present tense, a weak sign of now that a dated time overrides.
    Present,
    /// "regularly", "every weekend", "always": a pattern, not a single event now.
    Habitual,
    /// "at the weekend", "in a few days", "half term": within days (PRIORITY).
    Days,
    /// "yesterday", "last night": the last few days, not now.
    PastDay,
    /// "was", "took", "went": past tense, so a weekday written with it is the last one
    /// ("took pills on Saturday"), not the next.
    Past,
    /// "maybe", "I think", "might be": danger written with doubt. It cannot make a report
    /// IMMEDIATE alone; what would otherwise be danger now is *possible* danger now.
    Uncertain,
    /// "it turned out", "it was only", "nothing was wrong": withdraws the danger written
    /// before it, a few sentences back at most.
    Retraction,
    /// "I thought", "we assumed": what follows is withdrawn when a "but" or a retraction
    /// follows it ("I thought she had gone with him, but she was at her nan's").
    Supposed,
    /// "No concerns.", "NFA.", "please disregard": a closing word on the whole account,
    /// withdrawing every danger written before it when it comes in the account's last
    /// sentences (a case note that ends "Stood down.").
    Closure,
}

impl Category {
    /// Whether the modifier rules the concept out (as opposed to placing it in time).
    pub fn excludes(self) -> bool {
        matches!(
            self,
            Category::Negated
                | Category::Historical
                | Category::Hypothetical
                | Category::NotReal
                | Category::Resolved
                | Category::Uncertain
        )
    }
}

/// Which way a modifier reaches, as in medspaCy's context rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Concepts after the phrase.
    Forward,
    /// Concepts before the phrase.
    Backward,
    /// Both.
    Bidirectional,
    /// Ends every modifier's scope, like "but" or "however".
    Terminate,
    /// Looks like a modifier but is not one ("not only", "no doubt"): modifiers overlapping it
    /// are ignored.
    Pseudo,
}

/// How far a modifier reaches: its clause (commas end it), its segment (only terminators
/// and sentence ends stop it) or its sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reach {
    #[default]
    Clause,
    Segment,
    /// The whole sentence, past terminators: "…but she is home safe now" settles all of it.
    Sentence,
}

/// What an affirmed mention with no time gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Undated {
    /// Dangerous on its own ("unconscious", "won't let her leave").
    Immediate,
    /// Worth reading soon, not a 999 matter without a time.
    Priority,
    /// Means nothing without a time ("meeting her", "pick her up").
    Routine,
}

/// One element of a compiled phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// One word, any of these spellings.
    Word(Vec<String>),
    /// One word starting with this.
    Prefix(String),
    /// One word ending with this (`*ing`), longer than the ending itself.
    Suffix(String),
    /// Up to this many words of anything.
    Gap(usize),
    /// A number below this ("<13": "9", "12").
    Under(u32),
}

/// A phrase as a sequence of token pieces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern(pub Vec<Piece>);

#[derive(Debug, Clone)]
pub struct Concept {
    /// Reason code stem: `narrative_<code>` when IMMEDIATE.
    pub code: String,
    /// The structured signal it stands for (an option of `urgency.now` or `urgency.soon`).
    pub signal: String,
    /// Reason code when it gives PRIORITY without a time (`narrative_<code>`).
    pub priority_code: String,
    pub undated: Undated,
    /// Words in the same segment that make it IMMEDIATE when affirmed ("missing" with "with
    /// an older man").
    pub with: Vec<Pattern>,
    /// Only `with` makes it IMMEDIATE; times do not ("missing since this morning" is a child
    /// missing, PRIORITY, unless written with a risk).
    pub needs_with: bool,
    /// Present tense means now ("she is being driven"), not a plan ("she is meeting him").
    pub present_is_now: bool,
    /// The highest it may give ("evidence may be deleted" is PRIORITY however soon).
    pub max: Priority,
    /// What the submitter is told was noticed, in plain words.
    pub plain: String,
    pub phrases: Vec<Pattern>,
}

#[derive(Debug, Clone)]
pub struct Modifier {
    pub category: Option<Category>,
    /// A cue of now that dates the whole answer, not only its own sentence ("tonight",
    /// "right now"), unlike "still" or "just".
    pub answer_wide: bool,
    pub direction: Direction,
    pub max_scope: usize,
    pub reach: Reach,
    pub phrases: Vec<Pattern>,
}

/// Compiled rules.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    pub normalise: FxHashMap<String, Vec<String>>,
    pub concepts: Vec<Concept>,
    pub modifiers: Vec<Modifier>,
    /// What the submitter is told when a time within 24 hours made it urgent.
    pub plain_soon: String,
    /// Words that can start or end a time expression ("tonight", "ago", "friday"): only the
    /// words around these (and around numbers) are given to the time parser.
    pub time_words: FxHashSet<String>,
    /// A language pack's `[language]` table: which language it reads and how to tell it.
    pub language: Option<Language>,
    /// A child, an adult and a place carried across sentences (`[participants]`).
    pub company: Option<super::company::Company>,
}

/// The language a pack of rules reads (`config/triage/<code>.toml`).
#[derive(Debug, Clone, Default)]
pub struct Language {
    /// ISO 639-1 code, as named in the sealed document ("pl").
    pub code: String,
    /// In English, for the officer ("Polish").
    pub name: String,
    /// The general detector's ISO 639-3 code for this language, where it knows it ("pol").
    pub detector: Option<String>,
    /// Function words that are this language's and not English's.
    pub stop_words: FxHashSet<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LanguageFile {
    code: String,
    name: String,
    #[serde(default)]
    detector: Option<String>,
    stop_words: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    language: Option<LanguageFile>,
    #[serde(default)]
    normalise: HashMap<String, String>,
    #[serde(default)]
    plain_soon: Option<String>,
    #[serde(default)]
    time_words: Vec<String>,
    #[serde(default, rename = "concept")]
    concepts: Vec<ConceptFile>,
    #[serde(default, rename = "modifier")]
    modifiers: Vec<ModifierFile>,
    #[serde(default)]
    participants: Option<super::company::CompanyFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConceptFile {
    code: String,
    signal: String,
    #[serde(default)]
    priority_code: Option<String>,
    undated: Undated,
    #[serde(default)]
    with: Vec<String>,
    #[serde(default)]
    needs_with: bool,
    #[serde(default = "yes")]
    present_is_now: bool,
    #[serde(default)]
    max: Option<Priority>,
    plain: String,
    phrases: Vec<String>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModifierFile {
    #[serde(default)]
    category: Option<Category>,
    #[serde(default)]
    answer_wide: bool,
    direction: Direction,
    #[serde(default)]
    max_scope: Option<usize>,
    #[serde(default)]
    reach: Reach,
    phrases: Vec<String>,
}

/// The signals a narrative concept may stand for: the options of the urgency questions.
const SIGNALS: &[&str] = &[
    "DANGER_TO_LIFE",
    "CRIME_IN_PROGRESS",
    "EVENT_WITHIN_24H",
    "MISSING_CHILD_WITH_RISK",
    "WEAPONS",
    "CHILD_HELD",
    "MEDICAL_EMERGENCY",
    "RETALIATION_THREAT",
    "ONLINE_HARM_NOW",
    "EVENT_WITHIN_DAYS",
    "CHILD_MISSING",
    "EVIDENCE_AT_RISK",
    // Narrative only: no urgency question asks it, but a reader of the narrative should.
    "NEW_CONTACT_ESCALATING",
];

/// Lower-case words as the reader sees them: apostrophes straightened, `:` kept between digits
/// (times like 9:30), everything else a separator.
pub fn split_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let c = if c == '’' || c == '‘' { '\'' } else { c };
        let keep = c.is_alphanumeric()
            || c == '\''
            || (c == ':'
                && i > 0
                && chars[i - 1].is_ascii_digit()
                && chars.get(i + 1).is_some_and(char::is_ascii_digit));
        if keep {
            cur.extend(c.to_lowercase());
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Compiles one phrase: words, `a|b` for alternatives, `word*` for a prefix, `*ing` for an
/// ending, `<13` for a number under 13, `...` for a gap of up to three words.
pub fn compile(phrase: &str) -> Result<Pattern, String> {
    let mut pieces = Vec::new();
    for raw in phrase.split_whitespace() {
        if raw == "..." {
            pieces.push(Piece::Gap(3));
        } else if let Some(n) = raw.strip_prefix('<') {
            let n: u32 = n
                .parse()
                .map_err(|_| format!("`{raw}` must be `<` and a whole number"))?;
            pieces.push(Piece::Under(n));
        } else if let Some(end) = raw.strip_prefix('*') {
            let w = split_words(end);
            if w.len() != 1 {
                return Err(format!("`{raw}` must be one word after `*`"));
            }
            pieces.push(Piece::Suffix(w[0].clone()));
        } else if let Some(stem) = raw.strip_suffix('*') {
            let w = split_words(stem);
            if w.len() != 1 {
                return Err(format!("`{raw}` must be one word before `*`"));
            }
            pieces.push(Piece::Prefix(w[0].clone()));
        } else {
            let mut alts = Vec::new();
            for alt in raw.split('|') {
                let w = split_words(alt);
                if w.len() != 1 {
                    return Err(format!("`{raw}`: each alternative must be one word"));
                }
                alts.push(w[0].clone());
            }
            push_words(&mut pieces, alts, raw)?;
        }
    }
    match (pieces.first(), pieces.last()) {
        (None, _) => Err("empty phrase".into()),
        (Some(Piece::Gap(_)), _) | (_, Some(Piece::Gap(_))) => {
            Err(format!("`{phrase}` cannot start or end with `...`"))
        }
        _ => Ok(Pattern(pieces)),
    }
}

/// Pushes one word of a phrase, its contractions written out as the reader writes them
/// ("won't|can't" is "will|can" then "not").
fn push_words(pieces: &mut Vec<Piece>, alts: Vec<String>, raw: &str) -> Result<(), String> {
    let expanded: Vec<_> = alts
        .iter()
        .map(|a| super::grammar::contraction(a))
        .collect();
    if expanded.iter().all(Option::is_none) {
        pieces.push(Piece::Word(alts));
        return Ok(());
    }
    let mut firsts: Vec<String> = Vec::new();
    let mut seconds: Vec<String> = Vec::new();
    for e in expanded {
        let Some((first, second)) = e else {
            return Err(format!(
                "`{raw}`: write contractions and other words as separate phrases"
            ));
        };
        if !firsts.iter().any(|f| *f == first) {
            firsts.push(first.into_owned());
        }
        if !seconds.iter().any(|s| s == second) {
            seconds.push(second.to_string());
        }
    }
    pieces.push(Piece::Word(firsts));
    pieces.push(Piece::Word(seconds));
    Ok(())
}

pub(super) fn compile_all(phrases: &[String], at: &str) -> Result<Vec<Pattern>, String> {
    if phrases.is_empty() {
        return Err(format!("{at} has no phrases"));
    }
    phrases
        .iter()
        .map(|p| compile(p).map_err(|e| format!("{at}: {e}")))
        .collect()
}

/// Checks a `[language]` table: a short code, a name, and stop words of one word each.
fn language(l: LanguageFile) -> Result<Language, String> {
    let short = |c: &str, n: usize| c.len() == n && c.chars().all(|c| c.is_ascii_lowercase());
    if !(short(&l.code, 2) || short(&l.code, 3)) {
        return Err("language.code must be two or three lower-case letters (ISO 639)".into());
    }
    if l.detector.as_deref().is_some_and(|d| !short(d, 3)) {
        return Err("language.detector must be three lower-case letters (ISO 639-3)".into());
    }
    if l.name.trim().is_empty() {
        return Err("language.name must name the language".into());
    }
    let mut stop_words = FxHashSet::default();
    for w in &l.stop_words {
        let words = split_words(w);
        if words.len() != 1 {
            return Err(format!("language.stop_words: `{w}` must be one word"));
        }
        stop_words.extend(words);
    }
    if stop_words.len() < 10 {
        return Err("language.stop_words: at least 10 words are needed to tell it".into());
    }
    Ok(Language {
        code: l.code,
        name: l.name,
        detector: l.detector,
        stop_words,
    })
}

impl Rules {
    pub fn load(path: &Path) -> Result<Self, String> {
        let source = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::from_toml(&source).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn from_toml(source: &str) -> Result<Self, String> {
        let file: File = toml::from_str(source).map_err(|e| e.to_string())?;
        let mut normalise = FxHashMap::default();
        for (from, to) in file.normalise {
            let key = split_words(&from);
            let value = split_words(&to);
            if key.len() != 1 || value.is_empty() {
                return Err(format!(
                    "normalise.\"{from}\": one word on the left and at least one on the right"
                ));
            }
            normalise.insert(key[0].clone(), value);
        }
        let concepts = file
            .concepts
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                let at = format!("concept[{i}] ({})", c.code);
                c.compile(&at)
            })
            .collect::<Result<Vec<_>, _>>()?;
        if concepts.is_empty() {
            return Err("no [[concept]] rules".into());
        }
        let codes: Vec<&str> = concepts.iter().map(|c| c.code.as_str()).collect();
        let company = file.participants.map(|p| p.compile(&codes)).transpose()?;
        let modifiers = file
            .modifiers
            .into_iter()
            .enumerate()
            .map(|(i, m)| m.compile(&format!("modifier[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        let mut time_words = FxHashSet::default();
        for w in &file.time_words {
            let words = split_words(w);
            if words.len() != 1 {
                return Err(format!("time_words: `{w}` must be one word"));
            }
            time_words.extend(words);
        }
        let language = file.language.map(language).transpose()?;
        Ok(Rules {
            language,
            time_words,
            normalise,
            concepts,
            modifiers,
            company,
            plain_soon: file.plain_soon.unwrap_or_else(|| {
                "You wrote that something may happen in the next 24 hours.".into()
            }),
        })
    }
}

impl ConceptFile {
    /// One concept as written, checked and its phrases compiled (`at` names it in errors).
    fn compile(self, at: &str) -> Result<Concept, String> {
        let c = self;
        if !valid_code(&c.code) {
            return Err(format!(
                "{at}: code must be lower-case letters, digits or `_`"
            ));
        }
        if !SIGNALS.contains(&c.signal.as_str()) {
            return Err(format!(
                "{at}: signal `{}` is not one of {}",
                c.signal,
                SIGNALS.join(", ")
            ));
        }
        let priority_code = c.priority_code.unwrap_or_else(|| c.code.clone());
        if !valid_code(&priority_code) {
            return Err(format!(
                "{at}: priority_code must be lower-case letters, digits or `_`"
            ));
        }
        if c.plain.trim().is_empty() {
            return Err(format!("{at}: plain must say what was noticed"));
        }
        if c.needs_with && c.with.is_empty() {
            return Err(format!("{at}: needs_with needs `with` phrases"));
        }
        let with = if c.with.is_empty() {
            Vec::new()
        } else {
            compile_all(&c.with, &format!("{at}.with"))?
        };
        Ok(Concept {
            phrases: compile_all(&c.phrases, at)?,
            code: c.code,
            signal: c.signal,
            priority_code,
            undated: c.undated,
            with,
            needs_with: c.needs_with,
            present_is_now: c.present_is_now,
            max: c.max.unwrap_or(Priority::Immediate),
            plain: c.plain,
        })
    }
}

impl ModifierFile {
    /// One modifier as written, checked and its phrases compiled (`at` names it in errors).
    fn compile(self, at: &str) -> Result<Modifier, String> {
        let m = self;
        let needs_category = !matches!(m.direction, Direction::Terminate | Direction::Pseudo);
        if needs_category != m.category.is_some() {
            return Err(format!(
                "{at}: a {:?} modifier {} a category",
                m.direction,
                if needs_category { "needs" } else { "takes no" }
            ));
        }
        let max_scope = m.max_scope.unwrap_or(8);
        if max_scope == 0 || max_scope > 40 {
            return Err(format!("{at}: max_scope must be 1 to 40 words"));
        }
        Ok(Modifier {
            category: m.category,
            answer_wide: m.answer_wide,
            direction: m.direction,
            max_scope,
            reach: m.reach,
            phrases: compile_all(&m.phrases, at)?,
        })
    }
}

#[cfg(test)]
mod tests;
