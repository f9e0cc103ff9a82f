//! Words of a narrative with their places: sentence, segment, clause and island.
//!
//! An *island* is a stretch of a sentence whose negations and hypotheses stay inside it: an
//! aside in brackets or between dashes ("meeting an adult male (no trace on our systems) at
//! 7") and the condition of a conditional ("if she does not come back tonight", but not what
//! follows: "they will hurt her"). Cues of time still reach out of an island.

use super::grammar;
use super::rules::Rules;

#[derive(Debug, Clone)]
pub(super) struct Token {
    /// Byte range of the normalised word in the tokenizer's buffer.
    pub word: (usize, usize),
    /// Byte range in the original text.
    pub start: usize,
    pub end: usize,
    pub sentence: usize,
    pub segment: usize,
    pub clause: usize,
    /// 0 for the main text of a sentence; otherwise the aside or condition the word is in.
    pub island: usize,
}

/// Asides nested deeper than this are read as plain clauses: hostile text must not buy work.
const MAX_DEPTH: usize = 4;
/// The longest condition: "if" and at most this many words.
const MAX_CONDITION: usize = 14;

struct Open {
    island: usize,
    /// The clause the aside interrupted, resumed after it.
    clause: usize,
    dash: bool,
}

/// Numbering of clauses and islands as the text is read.
#[derive(Default)]
struct Places {
    sentence: usize,
    segment: usize,
    clause: usize,
    next_clause: usize,
    next_island: usize,
    open: Vec<Open>,
    stop: bool,
    semi: bool,
    comma: bool,
    resume: Option<usize>,
}

impl Places {
    fn island(&self) -> usize {
        self.open.last().map_or(0, |o| o.island)
    }

    fn new_clause(&mut self) {
        self.next_clause += 1;
        self.clause = self.next_clause;
    }

    fn open(&mut self, dash: bool) {
        if self.open.len() >= MAX_DEPTH {
            self.comma = true;
            return;
        }
        self.next_island += 1;
        self.open.push(Open {
            island: self.next_island,
            clause: self.clause,
            dash,
        });
        self.comma = true;
        self.resume = None;
    }

    fn close(&mut self) {
        match self.open.pop() {
            Some(o) => self.resume = Some(o.clause),
            None => self.comma = true,
        }
    }

    /// Called before each word: applies the separators seen since the last one.
    fn advance(&mut self, first: bool) {
        if !first {
            if self.stop {
                self.sentence += 1;
                self.segment += 1;
                self.open.clear();
                self.new_clause();
            } else if self.semi {
                self.segment += 1;
                self.new_clause();
            } else if self.comma {
                self.new_clause();
            } else if let Some(c) = self.resume {
                self.clause = c;
            }
        }
        (self.stop, self.semi, self.comma, self.resume) = (false, false, false, None);
    }
}

/// Whether the character at `pos` is a dash between words rather than a hyphen in one
/// ("15-year-old", "9–10pm").
fn is_dash(text: &str, pos: usize, c: char) -> bool {
    let before = text[..pos].chars().next_back();
    let after = text[pos + c.len_utf8()..].chars().next();
    let spaced = before.is_none_or(char::is_whitespace) || after.is_none_or(char::is_whitespace);
    match c {
        '-' => spaced,
        '–' | '—' => {
            spaced
                || !(before.is_some_and(|b| b.is_ascii_digit())
                    && after.is_some_and(|a| a.is_ascii_digit()))
        }
        _ => false,
    }
}

/// Whether another dash follows in the same sentence, so this one opens an aside.
fn dash_follows(text: &str, from: usize) -> bool {
    for (i, c) in text[from..].char_indices() {
        match c {
            '.' | '!' | '?' | '\n' => return false,
            '-' | '–' | '—' if is_dash(text, from + i, c) => return true,
            _ => {}
        }
    }
    false
}

/// Words of `text` with their places, text-speak normalised and contractions written out.
/// Every word, lowered, is written once into one buffer (the returned string) and each token
/// holds its range there: one allocation for the words of an answer rather than one a word.
pub(super) fn tokenize(text: &str, rules: &Rules) -> (String, Vec<Token>) {
    let mut out: Vec<Token> = Vec::with_capacity(text.len() / 4 + 1);
    let mut buf = String::with_capacity(text.len() + 16);
    let mut places = Places::default();
    let mut chars = text.char_indices().peekable();
    while let Some(&(pos, c)) = chars.peek() {
        if !c.is_alphanumeric() {
            separator(text, pos, c, &out, &mut places);
            chars.next();
            continue;
        }
        let start = pos;
        let from = buf.len();
        let mut prev_digit = false;
        let mut end = text.len();
        while let Some(&(p, c)) = chars.peek() {
            let c = if c == '’' || c == '‘' { '\'' } else { c };
            // "21:30", "21.30", "03/12/2026" stay one word.
            let digit_sep = (c == ':' || c == '.' || c == '/') && prev_digit && {
                let mut ahead = chars.clone();
                ahead.next();
                ahead.peek().is_some_and(|(_, n)| n.is_ascii_digit())
            };
            if !(c.is_alphanumeric() || c == '\'' || digit_sep) {
                // Not part of the word: read again as a separator.
                end = p;
                break;
            }
            // Quotes at the start of a word are not part of it.
            if !(c == '\'' && buf.len() == from) {
                if c.is_ascii() {
                    buf.push(c.to_ascii_lowercase());
                } else {
                    buf.extend(c.to_lowercase());
                }
            }
            prev_digit = c.is_ascii_digit();
            chars.next();
        }
        while buf.len() > from && buf.ends_with('\'') {
            buf.pop();
        }
        places.advance(out.is_empty());
        if buf.len() == from {
            continue;
        }
        let place = Token {
            word: (0, 0),
            start,
            end,
            sentence: places.sentence,
            segment: places.segment,
            clause: places.clause,
            island: places.island(),
        };
        push_words(&mut buf, from, rules, &place, &mut out);
    }
    (buf, out)
}

/// Reads one separator character into the places.
fn separator(text: &str, pos: usize, c: char, out: &[Token], places: &mut Places) {
    let prev_short = out.last().is_some_and(|t| t.end - t.start == 1);
    match c {
        '.' if !prev_short => places.stop = true,
        '!' | '?' | '\n' | '\r' => places.stop = true,
        ';' => places.semi = true,
        '(' | '[' => places.open(false),
        ')' | ']' => places.close(),
        '-' | '–' | '—' if is_dash(text, pos, c) => {
            if places.open.last().is_some_and(|o| o.dash) {
                places.close();
            } else if dash_follows(text, pos + c.len_utf8()) {
                places.open(true);
            } else {
                places.comma = true;
            }
        }
        ',' | ':' | '-' | '–' | '—' => places.comma = true,
        _ => {}
    }
}

/// Pushes the word written in `buf[from..]` as its tokens: "14yo" as "14" and "yo", text-speak
/// rewritten by the rules' table, contractions written out.
fn push_words(buf: &mut String, from: usize, rules: &Rules, place: &Token, out: &mut Vec<Token>) {
    let to = buf.len();
    // "14yo", "9yrs": the number and the rest, so ages read like "14 year old".
    let digits = buf[from..to].bytes().take_while(u8::is_ascii_digit).count();
    let parts = if digits > 0
        && digits < to - from
        && matches!(&buf[from + digits..to], "yo" | "yr" | "yrs" | "yrold")
    {
        [(from, from + digits), (from + digits, to)]
    } else {
        [(from, to), (to, to)]
    };
    for (a, b) in parts.into_iter().filter(|(a, b)| a < b) {
        match rules.normalise.get(&buf[a..b]) {
            Some(expansion) => {
                for e in expansion {
                    let k = buf.len();
                    buf.push_str(e);
                    push_one(buf, (k, buf.len()), place, out);
                }
            }
            None => push_one(buf, (a, b), place, out),
        }
    }
}

fn push_one(buf: &mut String, word: (usize, usize), place: &Token, out: &mut Vec<Token>) {
    let expanded = grammar::contraction(&buf[word.0..word.1])
        .map(|(first, second)| (first.into_owned(), second));
    let mut push = |word| {
        out.push(Token {
            word,
            ..place.clone()
        })
    };
    match expanded {
        Some((first, second)) => {
            for w in [first.as_str(), second] {
                let k = buf.len();
                buf.push_str(w);
                push((k, buf.len()));
            }
        }
        None => push(word),
    }
}

/// Marks each condition ("if …", "unless …") as an island of its own, so what it negates or
/// supposes stays inside it: in "if she does not come back tonight they will hurt her" the
/// threat is not negated and not hypothetical. A condition ends at its clause's end, at
/// "then", or where the main clause's subject and a modal follow ("they will", "he would").
pub(super) fn mark_conditions(tokens: &mut [Token], words: &[&str]) {
    let mut island = tokens.iter().map(|t| t.island).max().unwrap_or(0);
    let mut i = 0;
    while i < tokens.len() {
        let opens = matches!(words[i], "if" | "unless")
            && tokens[i].island == 0
            && !(i > 0
                && matches!(
                    words[i - 1],
                    "even" | "as" | "see" | "ask" | "asked" | "asking" | "wondering" | "check"
                ));
        if !opens {
            i += 1;
            continue;
        }
        let end = condition_end(tokens, words, i);
        island += 1;
        for t in &mut tokens[i..end] {
            t.island = island;
        }
        i = end.max(i + 1);
    }
}

/// The end (exclusive) of the condition opened at `i`.
fn condition_end(tokens: &[Token], words: &[&str], i: usize) -> usize {
    let limit = (i + 1 + MAX_CONDITION).min(tokens.len());
    let mut j = i + 1;
    while j < limit {
        let t = &tokens[j];
        if t.clause != tokens[i].clause || t.island != 0 {
            return j;
        }
        if words[j] == "then" {
            return j;
        }
        let modal = matches!(words[j], "will" | "would" | "shall")
            || (words[j] == "going" && words.get(j + 1) == Some(&"to"));
        if modal && j >= i + 3 {
            return j - 1;
        }
        j += 1;
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<(String, usize, usize)> {
        let (buf, mut tokens) = tokenize(text, &Rules::default());
        let words: Vec<&str> = tokens.iter().map(|t| &buf[t.word.0..t.word.1]).collect();
        mark_conditions(&mut tokens, &words);
        words
            .iter()
            .zip(&tokens)
            .map(|(w, t)| (w.to_string(), t.clause, t.island))
            .collect()
    }

    fn islands(text: &str) -> Vec<usize> {
        read(text).into_iter().map(|(_, _, i)| i).collect()
    }

    #[test]
    fn an_aside_is_an_island_and_the_clause_resumes_after_it() {
        let r = read("meeting a man (no trace on our systems) in the park");
        let island: Vec<usize> = r.iter().map(|x| x.2).collect();
        assert_eq!(island, [0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0]);
        assert_eq!(r[0].1, r[8].1, "the clause resumes: {r:?}");
        assert_ne!(r[0].1, r[3].1);
    }

    #[test]
    fn paired_dashes_make_an_aside_and_a_lone_dash_a_clause() {
        assert_eq!(
            islands("meeting a man - not one we know - at 8"),
            [0, 0, 0, 1, 1, 1, 1, 0, 0]
        );
        assert_eq!(islands("meeting a man - at 8"), [0, 0, 0, 0, 0]);
        assert_eq!(islands("a 15-year-old girl"), [0, 0, 0, 0, 0]);
    }

    #[test]
    fn a_condition_ends_where_the_main_clause_begins() {
        assert_eq!(
            islands("if she doesn't come back tonight they'll hurt her"),
            [1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]
        );
        assert_eq!(
            islands("they will hurt her if she does not pay"),
            [0, 0, 0, 0, 1, 1, 1, 1, 1]
        );
        assert_eq!(islands("see if he is in"), [0, 0, 0, 0, 0]);
    }

    #[test]
    fn contractions_are_written_out() {
        let words: Vec<String> = read("He isn't allowed, they'll see")
            .into_iter()
            .map(|x| x.0)
            .collect();
        assert_eq!(words, ["he", "is", "not", "allowed", "they", "will", "see"]);
    }
}
