//! A small learned reader beside the rules: logistic regression over hashed word unigrams and
//! bigrams, trained from the labelled corpus (`tests/data/triage/`) by a deterministic
//! command, its weights committed in `config/triage-model.toml`.
//!
//! Phrase rules learn the corpus they were written from; a weight for every word and word
//! pair of every labelled narrative carries what the many voices share ("outside", "right
//! now", "won't let") to text the rules were never shown. It is used only to raise a report
//! one step, never to lower one (see `Triage::assess`), and each finding it gives names the
//! words that weighed most, so a person can see why.
//!
//! Regenerate after changing the corpus or the features:
//! `cargo test --locked -p pis-core --lib triage::model -- --ignored --exact triage::model::tests::write_the_model`.

use super::{language, presence};
use serde::Deserialize;

/// Feature buckets: 2^14 keeps the committed file small and collisions rare at this corpus
/// size (a larger table read the same on held-out text).
pub const BITS: u32 = 14;
const BUCKETS: usize = 1 << BITS;
/// Weights are stored in thousandths: whole numbers diff and merge better than floats.
const SCALE: f64 = 1000.0;
/// Words of an answer read at most: a pasted document costs no more than a long narrative.
const MAX_WORDS: usize = 4000;

/// Words too common to tell a person why (they still count in the score).
const PLAIN: &[&str] = &[
    "a", "an", "the", "and", "or", "to", "of", "in", "on", "at", "is", "are", "was", "be", "it",
    "he", "she", "they", "him", "her", "his", "them", "i", "we", "you", "with", "for", "that",
    "this", "has", "have", "had", "s",
];

/// The training corpora, by path under `tests/data/triage/`: every labelled set except the
/// frozen holdout of the round being written, which is never read here.
pub const TRAINING: &[&str] = &[
    "dev.jsonl",
    "holdout.jsonl",
    "round3/dev.jsonl",
    "round4/dev.jsonl",
    "round4/languages-dev.jsonl",
    "round4/languages-dev-b.jsonl",
    "round5/dev.jsonl",
    "round6/dev.jsonl",
];

/// The model as committed: weights for "danger now" (a narrative labelled IMMEDIATE at least)
/// and the scores at which it raises a report.
#[derive(Debug, Clone)]
pub struct Model {
    bias: f64,
    weights: Vec<f64>,
    /// A report the rules put at PRIORITY becomes IMMEDIATE at this score or above.
    pub to_immediate: f64,
    /// A report the rules left ROUTINE becomes PRIORITY, as possible danger now, at this score
    /// or above.
    pub to_priority: f64,
    /// A report the rules left ROUTINE becomes IMMEDIATE at this score or above when a child,
    /// an adult and now are written in the present in one paragraph (`presence`): the grammar
    /// and the learned reader agreeing, neither alone.
    pub with_presence: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    bits: u32,
    bias: i64,
    to_immediate: f64,
    to_priority: f64,
    with_presence: f64,
    weights: Vec<i64>,
}

/// What the model read in one answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub score: f64,
    /// The words (or word pairs) that weighed most towards danger now, heaviest first.
    pub cues: Vec<String>,
    /// Characters of the answer: the sentence holding the heaviest cue.
    pub start: usize,
    pub end: usize,
    /// The paragraph with a child, an adult and now in the present (`presence`), looked for
    /// only when the score reaches `with_presence`.
    pub presence: Option<(usize, usize)>,
}

/// An answer's features: (bucket, first word, whether a pair), each bucket once.
struct Features {
    /// Lower-cased and folded, with where each starts (in characters).
    words: Vec<(String, usize)>,
    grams: Vec<(usize, usize, bool)>,
}

impl Model {
    pub fn from_toml(source: &str) -> Result<Self, String> {
        let file: File = toml::from_str(source).map_err(|e| format!("triage model: {e}"))?;
        if file.bits != BITS || file.weights.len() != BUCKETS {
            return Err(format!(
                "triage model: expected {BUCKETS} weights for {BITS} bits, found {} for {}",
                file.weights.len(),
                file.bits
            ));
        }
        if ![file.to_immediate, file.to_priority, file.with_presence]
            .iter()
            .all(|t| t.is_finite())
        {
            return Err("triage model: thresholds must be numbers".into());
        }
        // Below it, a second answer that raised the rules to PRIORITY could lower the report.
        if file.with_presence < file.to_immediate {
            return Err("triage model: with_presence must not be below to_immediate".into());
        }
        Ok(Model {
            bias: file.bias as f64 / SCALE,
            weights: file.weights.iter().map(|&w| w as f64 / SCALE).collect(),
            to_immediate: file.to_immediate,
            to_priority: file.to_priority,
            with_presence: file.with_presence,
        })
    }

    /// The model in the committed file's format, weights rounded to thousandths.
    pub fn to_toml(&self) -> String {
        let mut out = String::from(
            "# The learned reader's weights (crates/core/src/triage/model.rs). Generated: do not edit by hand;\n\
             # regenerate with the command in that file's header. Weights in thousandths.\n",
        );
        out.push_str(&format!("bits = {BITS}\nbias = {}\n", quantise(self.bias)));
        out.push_str(&format!(
            "to_immediate = {:?}\nto_priority = {:?}\nwith_presence = {:?}\nweights = [\n",
            self.to_immediate, self.to_priority, self.with_presence
        ));
        for row in self.weights.chunks(20) {
            let row: Vec<String> = row.iter().map(|&w| quantise(w).to_string()).collect();
            out.push_str(&format!("  {},\n", row.join(", ")));
        }
        out.push_str("]\n");
        out
    }

    /// How strongly one answer reads as danger now (log-odds), and why: the words and span
    /// only when the score reaches a threshold (most answers do not, and pay only for the sum).
    pub fn read(&self, text: &str) -> Reading {
        let lowest = self
            .to_immediate
            .min(self.to_priority)
            .min(self.with_presence);
        self.reading(text, |score| score >= lowest)
    }

    /// The same, always with the words (for `triage-eval --explain`).
    pub fn explain(&self, text: &str) -> Reading {
        self.reading(text, |_| true)
    }

    fn reading(&self, text: &str, why: impl Fn(f64) -> bool) -> Reading {
        let features = features(text);
        let norm = 1.0 / (features.grams.len().max(1) as f64).sqrt();
        let score = self.bias
            + features
                .grams
                .iter()
                .map(|&(bucket, _, _)| self.weights[bucket] * norm)
                .sum::<f64>();
        let mut reading = Reading {
            score,
            cues: Vec::new(),
            start: 0,
            end: 0,
            presence: None,
        };
        if !why(score) {
            return reading;
        }
        // Heaviest first; ties by position, so the words named are the same on every run.
        let mut weighed: Vec<(f64, usize, bool)> = features
            .grams
            .iter()
            .map(|&(bucket, i, pair)| (self.weights[bucket], i, pair))
            .filter(|g| g.0 > 0.0)
            .collect();
        weighed.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        // The words named are those that say something: "is" and "he" weigh in every text.
        let telling: Vec<(usize, bool)> = weighed
            .iter()
            .filter(|&&(_, i, pair)| pair || !PLAIN.contains(&features.words[i].0.as_str()))
            .take(3)
            .map(|&(_, i, pair)| (i, pair))
            .collect();
        reading.cues = telling
            .iter()
            .map(|&(i, pair)| features.gram(i, pair))
            .collect();
        (reading.start, reading.end) = telling
            .first()
            .map_or((0, text.chars().count()), |&(i, _)| {
                sentence_around(text, features.words[i].1)
            });
        if score >= self.with_presence {
            let words: Vec<(&str, usize)> = features
                .words
                .iter()
                .map(|(w, at)| (w.as_str(), *at))
                .collect();
            reading.presence = presence::find(text, &words);
        }
        reading
    }
}

#[cfg(test)]
impl Model {
    /// A model that weighs only `words` (each word's own bucket), with every threshold at 1:
    /// for tests of how its score is used, whatever the trained weights say.
    pub(super) fn weighing(words: &[(&str, f64)], bias: f64) -> Self {
        let mut weights = vec![0.0; BUCKETS];
        for (word, w) in words {
            weights[bucket(&[word])] = *w;
        }
        Model {
            bias,
            weights,
            to_immediate: 1.0,
            to_priority: 1.0,
            with_presence: 1.0,
        }
    }
}

fn quantise(w: f64) -> i64 {
    (w * SCALE).round() as i64
}

/// Trains the weights on `(text, danger now)` pairs: stochastic gradient descent on the log
/// loss with L2 decay, in an order fixed by a seeded generator, so the same corpus gives the
/// same file on every machine.
pub fn train(cases: &[(&str, bool)], thresholds: &Model) -> Model {
    const EPOCHS: usize = 20;
    const RATE: f64 = 0.5;
    const DECAY: f64 = 1e-4;
    let examples: Vec<(Vec<usize>, f64, f64)> = cases
        .iter()
        .map(|(text, now)| {
            let f = features(text);
            let norm = 1.0 / (f.grams.len().max(1) as f64).sqrt();
            let buckets = f.grams.iter().map(|g| g.0).collect();
            (buckets, norm, if *now { 1.0 } else { 0.0 })
        })
        .collect();
    let mut weights = vec![0.0; BUCKETS];
    let mut bias = 0.0;
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..EPOCHS {
        shuffle(&mut order, &mut seed);
        for &k in &order {
            let (buckets, norm, label) = &examples[k];
            let z = bias + buckets.iter().map(|&b| weights[b] * norm).sum::<f64>();
            let gradient = sigmoid(z) - label;
            for &b in buckets {
                weights[b] = weights[b] * (1.0 - RATE * DECAY) - RATE * gradient * norm;
            }
            bias -= RATE * gradient;
        }
    }
    // Stored rounded: train and read with the weights the file will hold.
    Model {
        bias: quantise(bias) as f64 / SCALE,
        weights: weights
            .iter()
            .map(|&w| quantise(w) as f64 / SCALE)
            .collect(),
        to_immediate: thresholds.to_immediate,
        to_priority: thresholds.to_priority,
        with_presence: thresholds.with_presence,
    }
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z.clamp(-30.0, 30.0)).exp())
}

/// Fisher–Yates with xorshift64: a fixed order, not a random one.
fn shuffle(order: &mut [usize], seed: &mut u64) {
    for i in (1..order.len()).rev() {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        let j = (*seed % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
}

/// The answer's words, lower-cased and with diacritics folded ("dziś" is "dzis"), each with
/// where it starts in characters; at most `MAX_WORDS`.
pub(super) fn words(text: &str) -> Vec<(String, usize)> {
    let mut words: Vec<(String, usize)> = Vec::new();
    let mut current = String::new();
    let mut at = 0;
    for (i, c) in text.chars().enumerate() {
        let c = if c == '\u{2019}' { '\'' } else { c };
        if c.is_alphanumeric() || (c == '\'' && !current.is_empty()) {
            if current.is_empty() {
                at = i;
            }
            current.extend(c.to_lowercase());
            continue;
        }
        push_word(&mut words, &mut current, at);
        if words.len() >= MAX_WORDS {
            return words;
        }
    }
    push_word(&mut words, &mut current, at);
    words
}

/// The answer's words and its word and word-pair buckets, each bucket once.
fn features(text: &str) -> Features {
    let words = words(text);
    let mut grams: Vec<(usize, usize, bool)> = Vec::with_capacity(words.len() * 2);
    for i in 0..words.len() {
        grams.push((bucket(&[&words[i].0]), i, false));
        if let Some(next) = words.get(i + 1) {
            grams.push((bucket(&[&words[i].0, " ", &next.0]), i, true));
        }
    }
    // Each bucket once, at its first place: presence, not counts, so repetition adds nothing.
    grams.sort_by_key(|g| (g.0, g.1));
    grams.dedup_by_key(|g| g.0);
    Features { words, grams }
}

fn push_word(words: &mut Vec<(String, usize)>, current: &mut String, at: usize) {
    let trimmed = current.trim_end_matches('\'');
    if !trimmed.is_empty() {
        words.push((language::fold(trimmed).into_owned(), at));
    }
    current.clear();
}

impl Features {
    fn gram(&self, i: usize, pair: bool) -> String {
        match (pair, self.words.get(i + 1)) {
            (true, Some(next)) => format!("{} {}", self.words[i].0, next.0),
            _ => self.words[i].0.clone(),
        }
    }
}

/// FNV-1a (64 bits) over the parts' bytes: stable across Rust versions and machines, unlike
/// the standard library's hasher.
fn bucket(parts: &[&str]) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in parts.iter().flat_map(|p| p.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (h % BUCKETS as u64) as usize
}

/// The sentence holding character `at`: from after the last `.`, `!`, `?` or new line before
/// it to the next one (inclusive).
fn sentence_around(text: &str, at: usize) -> (usize, usize) {
    let ends = |c: char| matches!(c, '.' | '!' | '?' | '\n');
    let mut start = 0;
    let mut end = None;
    for (i, c) in text.chars().enumerate() {
        if i < at && ends(c) {
            start = i + 1;
        } else if i >= at && ends(c) {
            end = Some(i + 1);
            break;
        }
    }
    let end = end.unwrap_or_else(|| text.chars().count());
    // Leading spaces belong to no sentence.
    let skipped = text
        .chars()
        .skip(start)
        .take_while(|c| c.is_whitespace())
        .count();
    ((start + skipped).min(end), end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn data(name: &str) -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/triage");
        std::fs::read_to_string(path.join(name)).expect("corpus")
    }

    /// Each line's text and whether it is labelled danger now (IMMEDIATE at least).
    fn cases(names: &[&str]) -> Vec<(String, bool)> {
        names
            .iter()
            .flat_map(|n| data(n).lines().map(str::to_string).collect::<Vec<_>>())
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(&l).expect("json line");
                let text = v["text"].as_str().expect("text").to_string();
                (text, v["min"] == "IMMEDIATE")
            })
            .collect()
    }

    fn trained(names: &[&str], shipped: &Model) -> Model {
        let owned = cases(names);
        let borrowed: Vec<(&str, bool)> = owned.iter().map(|(t, n)| (t.as_str(), *n)).collect();
        train(&borrowed, shipped)
    }

    fn shipped() -> Model {
        Model::from_toml(super::super::SHIPPED_MODEL).expect("shipped model")
    }

    /// The command that writes `config/triage-model.toml` from the training corpora.
    #[test]
    #[ignore = "writes the committed model"]
    fn write_the_model() {
        let model = trained(TRAINING, &shipped());
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/triage-model.toml");
        std::fs::write(path, model.to_toml()).expect("write model");
    }

    /// Out-of-fold scores for choosing the thresholds: each of rounds 3 to 5 (and round 6)
    /// scored by a model trained without it and without round 6, written to `$PISG_MODEL_OOF`,
    /// and each of those models beside that file (`$PISG_MODEL_OOF.round3-dev.jsonl.model.toml`,
    /// …), to run `triage-eval` on the round it did not see with `--rules` in a copy of
    /// `config/`.
    #[test]
    #[ignore = "a measurement, not a check"]
    fn out_of_fold_scores() {
        let rounds = ["round3/dev.jsonl", "round4/dev.jsonl", "round5/dev.jsonl"];
        let mut out = String::new();
        let mut models = Vec::new();
        for held in rounds.iter().chain(["round6/dev.jsonl"].iter()) {
            let train_on: Vec<&str> = TRAINING
                .iter()
                .copied()
                .filter(|n| n != held && *n != "round6/dev.jsonl")
                .collect();
            let model = trained(&train_on, &shipped());
            for (text, _) in cases(&[held]) {
                out.push_str(&format!("{held}\t{}\n", model.read(&text).score));
            }
            // Each held-out round's model too, to run `triage-eval` on that round with.
            let name = held.replace('/', "-");
            models.push((format!("{name}.model.toml"), model.to_toml()));
        }
        let path = std::env::var("PISG_MODEL_OOF").expect("PISG_MODEL_OOF");
        for (name, toml) in models {
            std::fs::write(format!("{path}.{name}"), toml).expect("write");
        }
        std::fs::write(&path, out).expect("write");
    }

    #[test]
    fn the_file_round_trips_and_a_wrong_one_is_named() {
        let m = Model::weighing(&[("zorblax", 2.5)], -0.25);
        let back = Model::from_toml(&m.to_toml()).expect("reads its own file");
        assert_eq!(back.read("a zorblax").score, m.read("a zorblax").score);
        let short = m.to_toml().replace("bits = 14", "bits = 12");
        assert!(Model::from_toml(&short).unwrap_err().contains("bits"));
        let nan = m
            .to_toml()
            .replace("to_priority = 1.0", "to_priority = nan");
        assert!(Model::from_toml(&nan).is_err());
        assert!(Model::from_toml("bits = 14").is_err());
    }

    #[test]
    fn the_words_named_are_the_heaviest_telling_ones_and_the_span_their_sentence() {
        let m = Model::weighing(&[("zorblax", 3.0), ("is", 9.0), ("quux", 1.0)], 0.0);
        let text = "All calm here. He is with a Zorblax!  Then quux.";
        let r = m.read(text);
        assert_eq!(r.cues, vec!["zorblax".to_string(), "quux".to_string()]);
        let sentence: String = text.chars().skip(r.start).take(r.end - r.start).collect();
        assert_eq!(sentence, "He is with a Zorblax!");
    }

    #[test]
    fn a_word_weighs_less_in_a_longer_text() {
        // Each answer's features are scaled to unit length, so a long calm note with one
        // heavy word in it reads calmer than the word alone.
        let m = Model::weighing(&[("zorblax", 4.0)], 0.0);
        assert!(m.read("zorblax").score > m.read("zorblax in a long calm note").score);
    }

    #[test]
    fn hostile_text_never_panics() {
        let m = shipped();
        let long = "now ".repeat(50_000);
        for text in [
            "",
            "'''",
            "\u{2019}\u{2019}s",
            "\n\n\n",
            "\u{202e}evil\u{0000}\u{feff}",
            "İİİ ǅ ﬃ 😀😀 ١٢٣",
            long.as_str(),
        ] {
            let r = m.read(text);
            assert!(r.score.is_finite());
            assert!(r.start <= r.end && r.end <= text.chars().count());
        }
        // A pasted document is read only up to its first words.
        assert_eq!(words(&long).len(), MAX_WORDS);
    }

    #[test]
    fn the_committed_model_is_what_training_gives() {
        let committed = super::super::SHIPPED_MODEL;
        assert!(
            trained(TRAINING, &shipped()).to_toml() == committed,
            "config/triage-model.toml is stale: regenerate it (crates/core/src/triage/model.rs header)"
        );
    }
}
