//! The narrative reader: danger written in words, read clause by clause with negation, time
//! and modality, in the NegEx / ConText tradition (Chapman et al. 2001; Harkema et al. 2009).
//!
//! Text is split into sentences (`.`, `!`, `?`, new lines), each sentence into segments
//! (terminators such as "but", "however", `;`) and each segment into clauses (commas). A
//! concept mention ("a knife", "pick her up") is ruled out by a negated, historical,
//! hypothetical, not-real or resolved modifier in scope; otherwise it is placed in time by the
//! time expressions of its segment and by cues such as "right now". Pure: no I/O, no clock
//! but the one passed in.

use super::company::{together, Participant, Seen};
use super::rules::{Category, Concept, Direction, Pattern, Piece, Reach, Rules, Undated};
use super::time::{self, When};
use super::tokens::{mark_conditions, tokenize, Token};
use super::Priority;
use ::time::OffsetDateTime;
use rustc_hash::{FxHashMap, FxHashSet};

/// One reason the narrative raised, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub priority: Priority,
    /// `narrative_<code>`.
    pub reason: String,
    /// Index of the concept in the rules (for the plain words shown to the submitter); 0 for
    /// a learned finding, which says why with its `cues` instead.
    pub concept: usize,
    /// Made urgent by a time within 24 hours rather than by the words themselves.
    pub by_time: bool,
    /// Danger now written with doubt (`narrative_possible_now`): the web journey asks the
    /// person; through the API it is PRIORITY.
    pub possible: bool,
    /// The answer's field path, e.g. `details` or `people[1].description`.
    pub field: String,
    /// A learned finding's why: the narrative's words that weighed most (empty for a rule's).
    pub cues: Vec<String>,
    /// The sentence that raised it, in characters of that answer (not bytes).
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
}

impl Span {
    fn overlaps(&self, o: &Span) -> bool {
        self.start < o.end && o.start < self.end
    }
}

/// The rules, indexed for matching: patterns by their first word.
#[derive(Debug, Clone, Default)]
pub struct Reader {
    pub rules: Rules,
    concepts: Index,
    modifiers: Index,
    /// The concepts' `with` phrases.
    with: Index,
    /// The participants' phrases (child, adult, place).
    company: Index,
}

/// (rule, phrase) pairs of patterns by what their first word must be or begin with, and the
/// few others, so each word is tried only against the patterns that can start there.
#[derive(Debug, Clone, Default)]
struct Index {
    words: FxHashMap<String, Vec<(usize, usize)>>,
    prefixes: FxHashMap<String, Vec<(usize, usize)>>,
    /// The byte lengths of the prefixes, shortest first: a word is looked up only at these.
    prefix_lens: Vec<usize>,
    /// The first three bytes of every prefix, when all are that long: most words start
    /// differently and need no prefix look-up at all.
    prefix_heads: Option<FxHashSet<[u8; 3]>>,
    /// Patterns starting with a number (`<13`), tried only at words starting with a digit.
    numeric: Vec<(usize, usize)>,
    scan: Vec<(usize, usize)>,
}

impl Index {
    fn new<'a>(patterns: impl Iterator<Item = (usize, usize, &'a Pattern)>) -> Self {
        let mut idx = Index::default();
        for (i, j, p) in patterns {
            match p.0.first() {
                Some(Piece::Word(alts)) => {
                    for a in alts {
                        idx.words.entry(a.clone()).or_default().push((i, j));
                    }
                }
                Some(Piece::Prefix(pre)) => {
                    idx.prefixes.entry(pre.clone()).or_default().push((i, j))
                }
                Some(Piece::Under(_)) => idx.numeric.push((i, j)),
                _ => idx.scan.push((i, j)),
            }
        }
        idx.prefix_heads = idx
            .prefixes
            .keys()
            .map(|k| k.as_bytes().first_chunk::<3>().copied())
            .collect();
        idx.prefix_lens = idx.prefixes.keys().map(String::len).collect();
        idx.prefix_lens.sort_unstable();
        idx.prefix_lens.dedup();
        idx
    }

    /// The patterns that may start at `word`.
    fn candidates<'a>(&'a self, word: &'a str) -> impl Iterator<Item = &'a (usize, usize)> + 'a {
        let exact = self.words.get(word).map(Vec::as_slice).unwrap_or(&[]);
        let head = word.as_bytes().first_chunk::<3>();
        let worth = match (&self.prefix_heads, head) {
            (Some(heads), Some(h)) => heads.contains(h),
            (Some(_), None) => false,
            (None, _) => true,
        };
        let lens: &[usize] = if worth { &self.prefix_lens } else { &[] };
        let numeric: &[(usize, usize)] = if word.starts_with(|c: char| c.is_ascii_digit()) {
            &self.numeric
        } else {
            &[]
        };
        let prefixed = lens
            .iter()
            .take_while(move |&&k| k <= word.len())
            .filter_map(move |&k| word.get(..k))
            .filter_map(|pre| self.prefixes.get(pre))
            .flatten();
        exact
            .iter()
            .chain(prefixed)
            .chain(numeric)
            .chain(self.scan.iter())
    }
}

fn piece_matches(piece: &Piece, word: &str) -> bool {
    match piece {
        Piece::Word(alts) => alts.iter().any(|a| a == word),
        Piece::Prefix(p) => word.starts_with(p.as_str()),
        Piece::Suffix(s) => word.len() > s.len() + 1 && word.ends_with(s.as_str()),
        Piece::Gap(_) => true,
        Piece::Under(n) => word.parse::<u32>().is_ok_and(|v| v < *n),
    }
}

/// The end (exclusive) of a match of `pieces` starting at token `i`, within `limit`.
fn match_from(pieces: &[Piece], words: &[&str], i: usize, limit: usize) -> Option<usize> {
    let Some((first, rest)) = pieces.split_first() else {
        return Some(i);
    };
    if let Piece::Gap(n) = first {
        // Shortest first: the tightest reading of "pick ... up".
        return (0..=*n)
            .filter(|k| i + k <= limit)
            .find_map(|k| match_from(rest, words, i + k, limit));
    }
    if i < limit && piece_matches(first, words[i]) {
        match_from(rest, words, i + 1, limit)
    } else {
        None
    }
}

#[derive(Debug, Clone, Copy)]
struct ModHit {
    category: Category,
    answer_wide: bool,
    direction: Direction,
    max_scope: usize,
    reach: Reach,
    span: Span,
}

impl Reader {
    pub fn new(rules: Rules) -> Self {
        let concepts = Index::new(
            rules
                .concepts
                .iter()
                .enumerate()
                .flat_map(|(i, c)| c.phrases.iter().enumerate().map(move |(j, p)| (i, j, p))),
        );
        let modifiers = Index::new(
            rules
                .modifiers
                .iter()
                .enumerate()
                .flat_map(|(i, m)| m.phrases.iter().enumerate().map(move |(j, p)| (i, j, p))),
        );
        let with = Index::new(
            rules
                .concepts
                .iter()
                .enumerate()
                .flat_map(|(i, c)| c.with.iter().enumerate().map(move |(j, p)| (i, j, p))),
        );
        let company = Index::new(rules.company.iter().flat_map(|c| {
            c.phrases
                .iter()
                .enumerate()
                .flat_map(|(i, ps)| ps.iter().enumerate().map(move |(j, p)| (i, j, p)))
        }));
        Reader {
            rules,
            concepts,
            modifiers,
            with,
            company,
        }
    }

    /// Every match of the indexed patterns, as (rule, span).
    fn matches<'a>(
        words: &'a [&'a str],
        limits: &'a [usize],
        idx: &'a Index,
        pattern: impl Fn(usize, usize) -> &'a Pattern + 'a,
    ) -> Vec<(usize, Span)> {
        let mut out = Vec::new();
        for i in 0..words.len() {
            for &(a, b) in idx.candidates(words[i]) {
                if let Some(end) = match_from(&pattern(a, b).0, words, i, limits[i]) {
                    out.push((a, Span { start: i, end }));
                }
            }
        }
        out
    }

    /// Reads one answer. `field` names it in the findings.
    pub fn read(&self, field: &str, text: &str, at: OffsetDateTime) -> Vec<Finding> {
        self.read_traced(field, text, at, &mut None)
    }

    /// How the reader saw a text, line by line, for whoever maintains the rules
    /// (`triage-eval --explain`).
    pub fn explain(&self, text: &str, at: OffsetDateTime) -> Vec<String> {
        let mut trace = Some(Vec::new());
        let findings = self.read_traced("text", text, at, &mut trace);
        let mut lines = trace.unwrap_or_default();
        for f in findings {
            lines.push(format!(
                "finding: {} {} chars {}..{}",
                f.priority.as_str(),
                f.reason,
                f.start,
                f.end
            ));
        }
        lines
    }

    fn read_traced(
        &self,
        field: &str,
        text: &str,
        at: OffsetDateTime,
        trace: &mut Option<Vec<String>>,
    ) -> Vec<Finding> {
        let (buf, tokens) = tokenize(text, &self.rules);
        if tokens.is_empty() {
            return Vec::new();
        }
        let scan = self.scan(&buf, tokens);
        let mentions = self.mentions(&scan, trace);
        let together = self.company_at(&scan);
        if mentions.is_empty() && together.is_none() && trace.is_none() {
            return Vec::new();
        }
        let timing = self.timing(&scan, text, at, &mentions);
        if let Some(t) = trace.as_mut() {
            self.trace(t, &scan, &timing, &mentions);
        }
        let mut findings = self.findings(field, text, &scan, &timing, mentions);
        if let (Some((first, last, priority)), Some(company)) = (together, &self.rules.company) {
            let (start, _) = sentence_chars(text, &scan.tokens, first);
            let (_, end) = sentence_chars(text, &scan.tokens, last);
            let reason = if priority == Priority::Immediate {
                format!("narrative_{}", self.rules.concepts[company.concept].code)
            } else {
                "narrative_event_within_days".to_string()
            };
            findings.push(Finding {
                priority,
                reason,
                concept: company.concept,
                by_time: false,
                possible: false,
                field: field.to_string(),
                cues: Vec::new(),
                start,
                end,
            });
        }
        self.one_per_signal(findings)
    }

    /// The answer's words, its modifiers in force and its terminators.
    fn scan<'b>(&self, buf: &'b str, mut tokens: Vec<Token>) -> Scan<'b> {
        let words: Vec<&str> = tokens.iter().map(|t| &buf[t.word.0..t.word.1]).collect();
        mark_conditions(&mut tokens, &words);
        // Patterns never cross a sentence.
        let mut sentence_end = vec![tokens.len(); tokens.len()];
        for i in (0..tokens.len()).rev() {
            sentence_end[i] =
                if i + 1 < tokens.len() && tokens[i + 1].sentence == tokens[i].sentence {
                    sentence_end[i + 1]
                } else {
                    i + 1
                };
        }
        let mut sentence_start = vec![0; tokens.len()];
        for i in 1..tokens.len() {
            sentence_start[i] = if tokens[i - 1].sentence == tokens[i].sentence {
                sentence_start[i - 1]
            } else {
                i
            };
        }
        let rules = &self.rules;
        let modifier_pattern = |a: usize, b: usize| &rules.modifiers[a].phrases[b];
        let mods = Self::matches(&words, &sentence_end, &self.modifiers, modifier_pattern);
        let pseudo: Vec<Span> = mods
            .iter()
            .filter(|(m, _)| rules.modifiers[*m].direction == Direction::Pseudo)
            .map(|(_, s)| *s)
            .collect();
        let terminators = self.terminate(&mods, &pseudo, &mut tokens);
        // The longest reading wins: "later this week" is within days, not the "later" in it.
        let longer = |s: &Span| {
            mods.iter().any(|(m, o)| {
                rules.modifiers[*m].category.is_some()
                    && o.start <= s.start
                    && s.end <= o.end
                    && o.end - o.start > s.end - s.start
            })
        };
        let hits: Vec<ModHit> = mods
            .iter()
            .filter(|(_, s)| !pseudo.iter().any(|p| p.overlaps(s)) && !longer(s))
            .filter_map(|(m, s)| {
                let r = &rules.modifiers[*m];
                r.category.map(|category| ModHit {
                    category,
                    answer_wide: r.answer_wide,
                    direction: r.direction,
                    max_scope: r.max_scope,
                    reach: r.reach,
                    span: *s,
                })
            })
            .collect();
        Scan {
            tokens,
            words,
            sentence_start,
            sentence_end,
            hits,
            terminators,
        }
    }

    /// Terminators ("but", "however") start a new segment and clause at their first word:
    /// the tokens are renumbered, and the terminators' places returned.
    fn terminate(
        &self,
        mods: &[(usize, Span)],
        pseudo: &[Span],
        tokens: &mut [Token],
    ) -> Vec<usize> {
        let mut terminators: Vec<usize> = mods
            .iter()
            .filter(|(m, s)| {
                self.rules.modifiers[*m].direction == Direction::Terminate
                    && !pseudo.iter().any(|p| p.overlaps(s))
            })
            .map(|(_, s)| s.start)
            .collect();
        terminators.sort_unstable();
        terminators.dedup();
        let mut bump = 0;
        let mut next = terminators.iter().peekable();
        for (i, t) in tokens.iter_mut().enumerate() {
            while next.peek().is_some_and(|&&s| s <= i) {
                bump += 1;
                next.next();
            }
            t.segment += bump;
            t.clause += bump;
        }
        terminators
    }

    /// Affirmed mentions, and those written only with doubt ("maybe", "might be"): possible
    /// danger, never more than PRIORITY. A mention a later sentence explains away is
    /// withdrawn whatever else is said of it. One mention per concept per place: the longest.
    fn mentions(&self, scan: &Scan<'_>, trace: &mut Option<Vec<String>>) -> Vec<Mention> {
        let rules = &self.rules;
        let concept_pattern = |a: usize, b: usize| &rules.concepts[a].phrases[b];
        let mut found = Self::matches(
            &scan.words,
            &scan.sentence_end,
            &self.concepts,
            concept_pattern,
        );
        found.sort_by_key(|(c, s)| (*c, s.start, std::cmp::Reverse(s.end)));
        found.dedup_by(|b, a| a.0 == b.0 && a.1.overlaps(&b.1));
        let mut mentions = Vec::new();
        for (concept, span) in found {
            let cats = scan.categories_at(span);
            let code = &rules.concepts[concept].code;
            let note = |t: &mut Option<Vec<String>>, what: String| {
                if let Some(t) = t.as_mut() {
                    t.push(format!("{what}: {code} at {}..{}", span.start, span.end));
                }
            };
            if scan.withdrawn(span) {
                note(trace, "withdrawn".into());
                continue;
            }
            let ruled = cats.iter().filter(|k| k.excludes());
            let doubt = ruled.clone().all(|k| *k == Category::Uncertain);
            if ruled.count() > 0 {
                note(trace, format!("ruled out by {cats:?}"));
                if !doubt {
                    continue;
                }
            }
            mentions.push(Mention {
                concept,
                span,
                doubt: cats.contains(&Category::Uncertain),
                cats: cats
                    .into_iter()
                    .filter(|k| *k != Category::Uncertain)
                    .collect(),
            });
        }
        mentions
    }

    /// The answer's times, read only where they can change an outcome: in the segments of
    /// mentions that no cue of now already settles, and in the rest of the answer only if
    /// some mention is still undated after that. Time words already read by a modifier
    /// ("tonight", "last year") need no parser.
    fn timing(
        &self,
        scan: &Scan<'_>,
        text: &str,
        at: OffsetDateTime,
        mentions: &[Mention],
    ) -> Timing {
        let covered: Vec<Span> = scan
            .hits
            .iter()
            .filter(|h| {
                matches!(
                    h.category,
                    Category::Current
                        | Category::Recent
                        | Category::Soon
                        | Category::Days
                        | Category::PastDay
                        | Category::Historical
                )
            })
            .map(|h| h.span)
            .collect();
        let near_segments: FxHashSet<usize> = mentions
            .iter()
            .filter(|m| !m.now_cue())
            .map(|m| scan.tokens[m.span.start].segment)
            .collect();
        let read = |want: &dyn Fn(usize) -> bool| {
            answer_times(
                text,
                &scan.tokens,
                &scan.words,
                &self.rules.time_words,
                &covered,
                want,
                at,
            )
        };
        let mut timing = Timing {
            // A cue of now anywhere in the answer, unless itself denied or in a hypothesis.
            now: scan.hits.iter().any(|h| {
                h.answer_wide
                    && matches!(
                        h.category,
                        Category::Current | Category::Recent | Category::Soon
                    )
                    && !scan.excluded_at(h.span)
            }),
            ..Timing::default()
        };
        timing.place(scan, read(&|seg| near_segments.contains(&seg)));
        // "yesterday", "last night": read by the rules without the parser. A clock time in
        // the same segment is that day's ("last Friday at about 17:30"), not the next one.
        for h in scan.hits.iter().filter(|h| h.category == Category::PastDay) {
            if !scan.excluded_at(h.span) {
                let segment = timing
                    .times
                    .entry(scan.tokens[h.span.start].segment)
                    .or_default();
                segment.retain(|&(next, _)| next != When::Within24h);
                segment.push((When::PastDays, When::PastDays));
            }
        }
        let undated_somewhere = !timing.now
            && mentions.iter().any(|m| {
                let concept = &self.rules.concepts[m.concept];
                let settled = m.now_cue()
                    || concept.needs_with
                    || timing
                        .times
                        .contains_key(&scan.tokens[m.span.start].segment)
                    || (m.cats.contains(&Category::Present) && concept.present_is_now);
                !settled
            });
        if undated_somewhere {
            timing.place(scan, read(&|seg| !near_segments.contains(&seg)));
        }
        timing.days |= scan
            .hits
            .iter()
            .any(|h| h.category == Category::Days && !scan.excluded_at(h.span));
        timing
    }

    /// How the reader saw the answer, for `triage-eval --explain`.
    fn trace(&self, t: &mut Vec<String>, scan: &Scan<'_>, timing: &Timing, mentions: &[Mention]) {
        let words: Vec<String> = scan
            .tokens
            .iter()
            .zip(&scan.words)
            .map(|(t, w)| format!("{w}/{}.{}.{}.{}", t.sentence, t.segment, t.clause, t.island))
            .collect();
        t.push(format!("words: {}", words.join(" ")));
        for h in &scan.hits {
            t.push(format!(
                "modifier {:?} at {}..{}",
                h.category, h.span.start, h.span.end
            ));
        }
        for (span, when, _) in &timing.found {
            t.push(format!("time {when:?} at {}..{}", span.start, span.end));
        }
        for m in mentions {
            t.push(format!(
                "concept {} at {}..{} with {:?}{}",
                self.rules.concepts[m.concept].code,
                m.span.start,
                m.span.end,
                m.cats,
                if m.doubt { " (with doubt)" } else { "" }
            ));
        }
    }

    /// A finding for each mention that gives one.
    fn findings(
        &self,
        field: &str,
        text: &str,
        scan: &Scan<'_>,
        timing: &Timing,
        mentions: Vec<Mention>,
    ) -> Vec<Finding> {
        let rules = &self.rules;
        // Whether a concept's `with` phrases are written anywhere in the answer: all of them
        // are matched once, through their index, the first time a concept asks.
        let mut with_hits: Option<Vec<(usize, Span)>> = None;
        let mut with_of = |c: usize| {
            with_hits
                .get_or_insert_with(|| {
                    let with_pattern = |a: usize, b: usize| &rules.concepts[a].with[b];
                    Self::matches(&scan.words, &scan.sentence_end, &self.with, with_pattern)
                })
                .iter()
                .any(|(k, span)| *k == c && !scan.excluded_at(*span))
        };
        let mut findings: Vec<Finding> = Vec::new();
        for m in mentions {
            let concept = &rules.concepts[m.concept];
            let with = !concept.with.is_empty() && with_of(m.concept);
            let Some((priority, reason, by_time)) = decide_mention(concept, scan, timing, &m, with)
            else {
                continue;
            };
            let head = &scan.tokens[m.span.start];
            let (start, end) = sentence_chars(text, &scan.tokens, head.sentence);
            findings.push(Finding {
                priority,
                reason,
                concept: m.concept,
                by_time,
                possible: m.doubt,
                field: field.to_string(),
                cues: Vec::new(),
                start,
                end,
            });
        }
        findings
    }

    /// One finding per signal: the highest, first written.
    fn one_per_signal(&self, mut findings: Vec<Finding>) -> Vec<Finding> {
        findings.sort_by(|a, b| b.priority.cmp(&a.priority).then(a.start.cmp(&b.start)));
        let mut seen: Vec<&str> = Vec::new();
        findings.retain(|f| {
            let signal = self.rules.concepts[f.concept].signal.as_str();
            let key = if f.reason.ends_with("event_within_days") {
                "EVENT_WITHIN_DAYS"
            } else if f.possible {
                POSSIBLE_NOW
            } else {
                signal
            };
            let new = !seen.contains(&key);
            seen.push(key);
            new
        });
        findings
    }
}

/// What the reader knows of one answer after reading its words and modifiers.
struct Scan<'b> {
    tokens: Vec<Token>,
    words: Vec<&'b str>,
    sentence_start: Vec<usize>,
    sentence_end: Vec<usize>,
    /// The modifiers in force, in the order of their first words.
    hits: Vec<ModHit>,
    /// Where terminators ("but", "however") begin.
    terminators: Vec<usize>,
}

impl Scan<'_> {
    /// The hits of the sentences a span touches: a modifier reaches no further than its
    /// sentence, and `hits` are in the order of their first words.
    fn near(&self, span: Span) -> &[ModHit] {
        let (lo, hi) = (
            self.sentence_start[span.start],
            self.sentence_end[span.end - 1],
        );
        let a = self.hits.partition_point(|h| h.span.start < lo);
        let b = self.hits.partition_point(|h| h.span.start < hi);
        &self.hits[a..b.max(a)]
    }

    fn categories_at(&self, span: Span) -> Vec<Category> {
        self.near(span)
            .iter()
            .filter(|h| in_scope(&self.tokens, h, span))
            .map(|h| h.category)
            .collect()
    }

    fn excluded_at(&self, span: Span) -> bool {
        self.near(span)
            .iter()
            .any(|h| h.category.excludes() && in_scope(&self.tokens, h, span))
    }

    fn withdrawn(&self, span: Span) -> bool {
        withdrawn(&self.tokens, &self.hits, &self.terminators, span)
    }
}

/// A concept written in the answer, with the modifiers that reach it.
struct Mention {
    concept: usize,
    span: Span,
    /// The categories in scope, doubt removed.
    cats: Vec<Category>,
    /// Written with doubt ("maybe"): at most possible danger now.
    doubt: bool,
}

impl Mention {
    fn cue(&self, k: Category) -> bool {
        self.cats.contains(&k)
    }

    fn now_cue(&self) -> bool {
        self.cue(Category::Current) || self.cue(Category::Recent) || self.cue(Category::Soon)
    }
}

/// The answer's times by segment, and what dates the answer as a whole.
#[derive(Default)]
struct Timing {
    /// Each time as written, and as the last such time (for a verb in the past).
    times: FxHashMap<usize, Vec<(When, When)>>,
    found: Vec<(Span, When, When)>,
    now: bool,
    soon: bool,
    days: bool,
}

impl Timing {
    fn place(&mut self, scan: &Scan<'_>, found: Vec<(Span, When, When)>) {
        for &(span, when, earlier) in &found {
            if scan.excluded_at(span) {
                continue;
            }
            // A weekday with a past tense is the last one: "took pills on Saturday".
            let when = if when == When::WithinDays
                && scan
                    .near(span)
                    .iter()
                    .any(|h| h.category == Category::Past && in_scope(&scan.tokens, h, span))
            {
                When::PastDays
            } else {
                when
            };
            self.times
                .entry(scan.tokens[span.start].segment)
                .or_default()
                .push((when, earlier));
            self.soon |= when == When::Within24h;
            self.days |= when == When::WithinDays;
        }
        self.found.extend(found);
    }
}

/// The priority, reason and whether time decided it, for one mention; `None` when it gives
/// nothing. Danger now written with doubt is possible danger now: PRIORITY, asked on the web.
fn decide_mention(
    concept: &Concept,
    scan: &Scan<'_>,
    timing: &Timing,
    m: &Mention,
    with: bool,
) -> Option<(Priority, String, bool)> {
    let verb_past = past_verb(&scan.tokens, &scan.words, m.span);
    let whens: Vec<When> = timing
        .times
        .get(&scan.tokens[m.span.start].segment)
        .map(|v| {
            v.iter()
                .map(|&(w, e)| if verb_past { e } else { w })
                .collect()
        })
        .unwrap_or_default();
    let near = Near {
        now: m.now_cue(),
        days: m.cue(Category::Days),
        present: m.cue(Category::Present) && !m.cue(Category::Habitual) && !verb_past,
        whens: &whens,
    };
    let far = Far {
        now: timing.now,
        soon: timing.soon,
        days: timing.days,
    };
    let decided = decide(concept, &near, &far, with)?;
    if !m.doubt {
        return Some(decided);
    }
    // Only a clear cue of now or tonight makes doubt worth asking about ("just" is too weak:
    // "just thought it might help"); doubt about anything less gives nothing.
    let strong_now = m.cue(Category::Current)
        || m.cue(Category::Soon)
        || whens.contains(&When::Within24h)
        || timing.now
        || timing.soon
        || concept.undated == Undated::Immediate;
    (decided.0 == Priority::Immediate && strong_now)
        .then(|| (Priority::Priority, POSSIBLE_NOW.to_string(), decided.2))
}

/// The reason given for danger now written with doubt.
pub const POSSIBLE_NOW: &str = "narrative_possible_now";

/// Sentences back that a retraction reaches: "… It turned out to be a vape."
const RETRACTION_REACH: usize = 3;

/// Sentences at the end of an account where a closing word ("No concerns.") settles all of it:
/// further up, "no concerns" is about one thing ("no concerns about the school, but …").
const CLOSURE_REACH: usize = 2;

/// Whether the mention at `span` is explained away: by a retraction after it ("it turned out
/// to be a vape", "nothing was wrong"), by a closing word at the end of the account ("NFA."),
/// or by a supposition before it that a "but" or a retraction then corrects ("I thought she
/// had gone with him, but …").
fn withdrawn(tokens: &[Token], hits: &[ModHit], terminators: &[usize], span: Span) -> bool {
    let at = tokens[span.start].sentence;
    let last = tokens.last().map_or(0, |t| t.sentence);
    let corrected_after = |i: usize| {
        terminators
            .iter()
            .chain(
                hits.iter()
                    .filter(|h| h.category == Category::Retraction)
                    .map(|h| &h.span.start),
            )
            .any(|&e| e >= i && tokens[e].sentence <= at + 1)
    };
    hits.iter().any(|h| {
        let sentence = tokens[h.span.start].sentence;
        match h.category {
            Category::Retraction => h.span.start >= span.end && sentence <= at + RETRACTION_REACH,
            Category::Closure => {
                h.span.start >= span.end
                    && sentence + CLOSURE_REACH > last
                    && closing_sentence(tokens, h.span)
            }
            Category::Supposed => {
                h.span.end <= span.start && sentence == at && corrected_after(span.end)
            }
            _ => false,
        }
    })
}

/// Whether a closing word makes up a short sentence of its own, beginning with it ("No
/// concerns.", "So please disregard, nobody is in danger."), rather than saying something
/// about one thing ("School had no concerns about her attendance", "she says it's all fine").
fn closing_sentence(tokens: &[Token], at: Span) -> bool {
    let sentence = tokens[at.start].sentence;
    let start = tokens[..at.start]
        .iter()
        .rposition(|t| t.sentence != sentence)
        .map_or(0, |k| k + 1);
    let end = tokens[at.start..]
        .iter()
        .position(|t| t.sentence != sentence)
        .map_or(tokens.len(), |k| at.start + k);
    at.start - start <= CLOSURE_LEAD && end - start <= CLOSURE_SENTENCE
}

/// Words before a closing word in its sentence ("so please disregard").
const CLOSURE_LEAD: usize = 1;
/// The longest sentence a closing word closes the account with.
const CLOSURE_SENTENCE: usize = 12;

/// Whether the mention's own verb is in the simple past ("collected her", "took him").
fn past_verb(tokens: &[Token], words: &[&str], span: Span) -> bool {
    let before = span
        .start
        .checked_sub(1)
        .filter(|&k| tokens[k].sentence == tokens[span.start].sentence)
        .map(|k| words[k]);
    super::grammar::simple_past(words[span.start], before)
}

impl Reader {
    /// The sentences where a child, an adult and a place written across a paragraph are
    /// together now (`company`), or together on a day ahead within days (PRIORITY), if anywhere.
    fn company_at(&self, scan: &Scan<'_>) -> Option<(usize, usize, Priority)> {
        let company = self.rules.company.as_ref()?;
        let pattern = |a: usize, b: usize| &company.phrases[a][b];
        let participants: Vec<(Participant, usize)> =
            Self::matches(&scan.words, &scan.sentence_end, &self.company, pattern)
                .into_iter()
                // Explained away later ("her mum confirmed he is her grandad") as a
                // concept's mention would be.
                .filter(|(_, span)| !scan.excluded_at(*span) && !scan.withdrawn(*span))
                .map(|(k, span)| (Participant::ALL[k], scan.tokens[span.start].sentence))
                .collect();
        if participants.is_empty() {
            return None;
        }
        // A sentence dated days away or days ago ("last Saturday", "on the 18th, ten days
        // from now") is not about now, whatever else in it reads as now.
        let dated_away: Vec<usize> = scan
            .hits
            .iter()
            .filter(|h| matches!(h.category, Category::Days | Category::PastDay))
            .map(|h| scan.tokens[h.span.start].sentence)
            .collect();
        let now: Vec<usize> = scan
            .hits
            .iter()
            .filter(|h| {
                matches!(
                    h.category,
                    Category::Current | Category::Recent | Category::Soon
                ) && !scan.excluded_at(h.span)
            })
            .map(|h| scan.tokens[h.span.start].sentence)
            .filter(|s| !dated_away.contains(s))
            .collect();
        let referring: Vec<usize> = scan
            .tokens
            .iter()
            .zip(&scan.words)
            .filter(|(_, w)| REFERRING.contains(w))
            .map(|(t, _)| t.sentence)
            .collect();
        let seen = Seen {
            participants: &participants,
            now: &now,
            referring: &referring,
        };
        if let Some((first, last)) = together(&seen, company.window) {
            return Some((first, last, Priority::Immediate));
        }
        // The same people on a day ahead ("a twin room for the Saturday after next, one bed
        // for my niece, she is 14"): a plan within days.
        let ahead: Vec<usize> = scan
            .hits
            .iter()
            .filter(|h| h.category == Category::Days && !scan.excluded_at(h.span))
            .map(|h| scan.tokens[h.span.start].sentence)
            .collect();
        let seen = Seen {
            now: &ahead,
            ..seen
        };
        together(&seen, company.window).map(|(first, last)| (first, last, Priority::Priority))
    }
}

/// Words that put people together: a child alone in a room now is not a child with an adult.
/// "By" is the passive's agent: "girls are being bought vodka by two men".
const REFERRING: &[&str] = &["with", "both", "together", "w", "by"];

/// Whether a modifier reaches the words at `span`.
fn in_scope(tokens: &[Token], h: &ModHit, span: Span) -> bool {
    // A modifier that begins before the concept and runs into it ("is being" before "being
    // driven") reaches it; one inside the concept's own words is part of the concept.
    // A negation that stops inside a concept shares the concept's own negative ("she is not
    // home": the "not" is the danger, not its denial); one that runs through it ("is not
    // missing") denies it.
    let leads_in = h.span.start < span.start
        && h.span.end > span.start
        && (h.category != Category::Negated || h.span.end >= span.end);
    if h.span.overlaps(&span) && !leads_in {
        return false;
    }
    let other = &tokens[h.span.start];
    // What an aside or a condition denies or supposes stays inside it (what the sentence
    // around it says, "a training scenario: if …", still reaches in); cues of time reach out.
    if other.island != 0 && other.island != tokens[span.start].island && h.category.excludes() {
        return false;
    }
    let same = |t: &Token| match h.reach {
        Reach::Clause => other.clause == t.clause,
        Reach::Segment => other.segment == t.segment,
        Reach::Sentence => other.sentence == t.sentence,
    };
    if !(same(&tokens[span.start]) || same(&tokens[span.end - 1])) {
        return false;
    }
    let forward = leads_in || (h.span.end <= span.start && span.start - h.span.end < h.max_scope);
    let backward = h.span.start >= span.end && h.span.start - span.end < h.max_scope;
    match h.direction {
        Direction::Forward => forward,
        Direction::Backward => backward,
        Direction::Bidirectional => forward || backward,
        Direction::Terminate | Direction::Pseudo => false,
    }
}

/// What places a mention in time within its own sentence.
struct Near<'a> {
    /// "right now", "just", "later" in scope.
    now: bool,
    /// "at the weekend", "in a few days" in scope.
    days: bool,
    /// Present tense in scope, not habitual.
    present: bool,
    /// Times written in its segment.
    whens: &'a [When],
}

/// What places the rest of the answer in time.
struct Far {
    now: bool,
    soon: bool,
    days: bool,
}

/// The priority, reason code and whether time decided it, for an affirmed mention.
fn decide(
    concept: &Concept,
    near: &Near<'_>,
    far: &Far,
    with: bool,
) -> Option<(Priority, String, bool)> {
    let cap = |p: Priority, reason: String, by_time: bool| {
        let p = p.min(concept.max);
        let reason = if p == Priority::Immediate || reason.ends_with("event_within_days") {
            reason
        } else {
            format!("narrative_{}", concept.priority_code)
        };
        Some((p, reason, by_time))
    };
    let immediate = |by_time| {
        cap(
            Priority::Immediate,
            format!("narrative_{}", concept.code),
            by_time,
        )
    };
    let priority = || {
        cap(
            Priority::Priority,
            format!("narrative_{}", concept.priority_code),
            false,
        )
    };
    let within_days = || {
        cap(
            Priority::Priority,
            "narrative_event_within_days".to_string(),
            true,
        )
    };
    if concept.needs_with {
        return if with { immediate(false) } else { priority() };
    }
    // A plan with a day of its own ahead ("now he wants her to come next Saturday") is that
    // day's, whatever "now" says about when it was asked.
    let planned_later = !concept.present_is_now
        && (near.days || near.whens.contains(&When::WithinDays))
        && !near.whens.contains(&When::Within24h);
    if near.now && !planned_later {
        return immediate(false);
    }
    if near.whens.contains(&When::Within24h) {
        return immediate(true);
    }
    if near.whens.contains(&When::WithinDays) || near.days {
        return within_days();
    }
    let present = near.present && concept.present_is_now;
    if present {
        return immediate(false);
    }
    if near.whens.contains(&When::PastDays) {
        // Dated in the last few days: still worth a look soon, unless it means nothing undated.
        return (concept.undated != Undated::Routine)
            .then(priority)
            .flatten();
    }
    if near.whens.contains(&When::Historical) {
        return None;
    }
    // Undated in its own sentence (or dated only far ahead): the rest of the answer says when,
    // for a danger that is one in itself (not for a plan, which needs its own time).
    if with {
        return immediate(false);
    }
    if concept.present_is_now && (far.now || far.soon) {
        return immediate(far.soon && !far.now);
    }
    if far.days {
        return within_days();
    }
    match concept.undated {
        Undated::Immediate => immediate(false),
        Undated::Priority => priority(),
        Undated::Routine => None,
    }
}

/// At most this many stretches of an answer are given to the time resolver: hostile text must
/// not buy unbounded work.
const MAX_TIME_WINDOWS: usize = 24;
/// Words either side of a time word that the resolver sees ("at half nine tonight").
const WINDOW_REACH: usize = 4;
const MAX_WINDOW: usize = 14;

/// Whether the word at `i` is a number in a time's company: "9pm", "21:30", "the 3rd", "at 9",
/// "by 6". Ages ("she is 14"), plates and phone numbers, the numbers most narratives hold, are
/// not worth the time parser's time.
fn clock(tokens: &[Token], words: &[&str], i: usize) -> bool {
    let w = words[i];
    let digits = w.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 {
        return false;
    }
    let rest = &w[digits..];
    // "21:30", "9.15pm", "12/03": a separator between digits is a clock or a date.
    let separated =
        rest.starts_with([':', '.', '/']) && rest[1..].starts_with(|c: char| c.is_ascii_digit());
    if separated {
        return digits <= 2;
    }
    if rest.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    let before = |k: usize| i >= k && tokens[i - k].sentence == tokens[i].sentence;
    matches!(rest, "am" | "pm" | "st" | "nd" | "rd" | "th" | "h" | "hrs")
        || (rest.is_empty()
            && before(1)
            && matches!(
                words[i - 1],
                "at" | "by"
                    | "until"
                    | "till"
                    | "til"
                    | "since"
                    | "from"
                    | "before"
                    | "after"
                    | "around"
                    | "about"
                    | "approx"
                    | "gone"
                    | "past"
            ))
}

/// The answer's time expressions, each with the tokens it covers. Only the stretches around
/// words that can start or end a time expression (from the rules' `time_words`, plus any
/// word with a digit) are read by the resolver, each as normalised words (text-speak rewritten,
/// so "2nite" is read as "tonight"), the original kept where it was not rewritten ("9:30pm").
fn answer_times(
    text: &str,
    tokens: &[Token],
    words: &[&str],
    time_words: &FxHashSet<String>,
    covered: &[Span],
    want: &dyn Fn(usize) -> bool,
    at: OffsetDateTime,
) -> Vec<(Span, When, When)> {
    let timeish = |i: usize, _: &Token| clock(tokens, words, i) || time_words.contains(words[i]);
    let mut windows: Vec<(usize, usize)> = Vec::new();
    let already_read = |i: usize| covered.iter().any(|c| c.start <= i && i < c.end);
    for (i, t) in tokens
        .iter()
        .enumerate()
        .filter(|(i, t)| timeish(*i, t) && want(t.segment) && !already_read(*i))
    {
        let mut a = i.saturating_sub(WINDOW_REACH);
        while tokens[a].segment != t.segment {
            a += 1;
        }
        let mut b = (i + WINDOW_REACH + 1).min(tokens.len());
        while tokens[b - 1].segment != t.segment {
            b -= 1;
        }
        match windows.last_mut() {
            Some(w) if a <= w.1 && b - w.0 <= MAX_WINDOW => w.1 = w.1.max(b),
            _ => windows.push((a, b)),
        }
        if windows.len() > MAX_TIME_WINDOWS {
            windows.pop();
            break;
        }
    }
    let mut out = Vec::new();
    for (a, b) in windows {
        let mut s = String::with_capacity(64);
        let mut places: Vec<(usize, usize, usize)> = Vec::with_capacity(b - a);
        for i in a..b {
            let t = &tokens[i];
            if i > a {
                s.push(' ');
            }
            let start = s.len();
            let original = &text[t.start..t.end];
            let expanded = (i > 0 && tokens[i - 1].start == t.start)
                || tokens.get(i + 1).is_some_and(|u| u.start == t.start);
            let word = if !expanded
                && original.to_lowercase().replace('’', "'").trim_matches('\'') == words[i]
            {
                original
            } else {
                words[i]
            };
            // Time words are ASCII; anything else is masked, so the parser only ever sees
            // ASCII and cannot trip over a character boundary in someone's words.
            s.extend(word.chars().map(|c| if c.is_ascii() { c } else { '_' }));
            places.push((start, s.len(), i));
        }
        for f in time::find(&s, at) {
            let covered: Vec<usize> = places
                .iter()
                .filter(|&&(x, y, _)| y > f.start && x < f.end)
                .map(|&(_, _, i)| i)
                .collect();
            if let (Some(&first), Some(&last)) = (covered.first(), covered.last()) {
                out.push((
                    Span {
                        start: first,
                        end: last + 1,
                    },
                    f.when,
                    f.earlier,
                ));
            }
        }
    }
    out
}

/// The character range of a sentence in the original text.
fn sentence_chars(text: &str, tokens: &[Token], sentence: usize) -> (usize, usize) {
    let mut it = tokens.iter().filter(|t| t.sentence == sentence);
    let first = it.next().map_or(0, |t| t.start);
    let last = tokens
        .iter()
        .filter(|t| t.sentence == sentence)
        .map(|t| t.end)
        .max()
        .unwrap_or(first);
    (text[..first].chars().count(), text[..last].chars().count())
}

#[cfg(test)]
mod tests;
