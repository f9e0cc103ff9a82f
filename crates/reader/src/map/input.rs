//! Inputs: `.age` envelopes (binary or armored), `.eml` files with an armored attachment, and
//! folders (a Maildir's `cur/` and `new/`, or any folder of such files), each decrypted in
//! memory. An input that cannot be opened is reported by name; the rest still run.

use super::entities::{extract, Submission};
use super::graph::Builder;
use crate::document::{DocumentError, Header};
use crate::reference::Reference;
use crate::routing::View;
use crate::signing::{Checker, VerifyError};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

pub struct Loaded {
    /// The graph of the usable submissions taken, one per reference.
    pub graph: super::graph::MapGraph,
    /// (input, why) for every input that could not be used.
    pub failures: Vec<(String, String)>,
    /// (input, why) for every document used without a valid signature (`--allow-unsigned`).
    pub unverified: Vec<(String, String)>,
    /// Evidence files (`<reference>-N.age`) among the inputs, left unopened: each report's
    /// signed document lists its own files, and the map counts them from there.
    pub evidence_files: usize,
}

/// Whose documents are mapped.
pub struct Trust {
    pub keys: crate::signing::Keyring,
    /// Map documents that are unsigned or wrongly signed too (each is reported).
    pub allow_unsigned: bool,
    /// Where each used document's own page is written (`map --reports`), if anywhere.
    pub pages: Option<super::reports::ReportPages>,
}

fn files_under(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        list(path, out);
    } else {
        out.push(path.to_path_buf());
    }
}

/// A folder's files, and those of the folders in it, in name order. The kind of each entry
/// comes with the listing, so a folder of a hundred thousand envelopes costs no `stat` per
/// file; only a symbolic link is followed to see what it names.
fn list(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<(PathBuf, bool)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| {
            let path = e.path();
            let is_dir = match e.file_type() {
                Ok(t) if !t.is_symlink() => t.is_dir(),
                _ => path.is_dir(),
            };
            (path, is_dir)
        })
        .collect();
    // Entries of one folder differ in their last component only: ordering by name is
    // ordering by path.
    entries.sort_by(|a, b| a.0.file_name().cmp(&b.0.file_name()));
    for (e, is_dir) in entries {
        // Maildir's tmp/ holds mail still being written.
        if e.file_name().is_some_and(|n| n == "tmp") {
            continue;
        }
        if is_dir {
            list(&e, out);
        } else {
            out.push(e);
        }
    }
}

/// An evidence file sealed beside its report, named `<reference>-N.age` as the email and
/// `open --extract` name it. It holds a cleaned photo or a PDF, not a document, so decrypting it
/// would only cost time and then fail; the report's own document says how many files it has.
fn is_evidence_file(path: &Path) -> bool {
    let Some(stem) = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".age"))
    else {
        return false;
    };
    let Some((reference, n)) = stem.rsplit_once('-') else {
        return false;
    };
    !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_digit())
        && Reference::parse(reference).is_some_and(|r| r.as_str() == reference)
}

/// The envelope inside a file: the file itself (borrowed, not copied), or the armored block
/// of an email.
fn envelope(bytes: &[u8]) -> Option<Cow<'_, [u8]>> {
    const BEGIN: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";
    const END: &[u8] = b"-----END AGE ENCRYPTED FILE-----";
    if bytes.starts_with(b"age-encryption.org/") {
        return Some(Cow::Borrowed(bytes));
    }
    let start = bytes.windows(BEGIN.len()).position(|w| w == BEGIN)?;
    let end = bytes[start..].windows(END.len()).position(|w| w == END)? + start + END.len();
    // Armor inside an email may carry CRLF line ends; age's armor reader wants LF.
    let mut out: Vec<u8> = bytes[start..end]
        .iter()
        .copied()
        .filter(|b| *b != b'\r')
        .collect();
    out.push(b'\n');
    Some(Cow::Owned(out))
}

/// How much of a submission a document's view holds.
fn rank(view: View) -> u8 {
    match view {
        View::Full => 2,
        View::Restricted => 1,
        View::Notice => 0,
    }
}

/// Why a decrypted document is not mapped, if it is not: its header must read as a sealed
/// document's (the reference, which reaches every output, a well-formed one).
fn refusal(doc: &Value) -> Result<Header<'_>, &'static str> {
    Header::from_value(doc).map_err(|e| match e {
        DocumentError::Schema(_) => "not a pis-gateway submission",
        DocumentError::Shape => {
            "its header is not a gateway's (reference PIS-XXXX-XXXX, time, form, view)"
        }
    })
}

/// What became of one input.
enum Outcome {
    Used {
        reference: String,
        rank: u8,
        submission: Box<Submission>,
        /// Why its signature is not accepted, when used anyway (`--allow-unsigned`).
        unverified: Option<String>,
    },
    Failed(String),
}

/// An input opened, read and its signature checked.
struct Read {
    reference: String,
    rank: u8,
    submission: Submission,
    verdict: Result<(), VerifyError>,
}

/// What became of one input before `--allow-unsigned` is applied: read, or why not.
type Opened = Result<Read, String>;

fn open_one(
    path: &Path,
    identities: &[Box<dyn age::Identity>],
    checker: &Checker,
    pages: Option<(&super::reports::ReportPages, bool)>,
) -> Opened {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return Err(format!("cannot read: {e}")),
    };
    let Some(env) = envelope(&bytes) else {
        return Err("no age envelope in it".into());
    };
    let doc = match crate::seal::decrypt(&env, identities) {
        Ok(plain) => match serde_json::from_slice::<Value>(&plain) {
            Ok(doc) => doc,
            Err(_) => return Err("decrypted, but not a JSON document".into()),
        },
        Err(e) => return Err(e.to_string()),
    };
    let header = refusal(&doc)?;
    let verdict = checker.verify(&doc);
    // The report's own page, for a document the map will use (`map --reports`).
    if let Some((pages, allow_unsigned)) = pages {
        if verdict.is_ok() || allow_unsigned {
            pages.write(&doc, &verdict);
        }
    }
    // Only what the map uses is kept; the decrypted document is dropped here.
    Ok(Read {
        reference: header.reference.as_str().to_string(),
        rank: rank(header.view),
        submission: extract(&header, &doc["answers"]),
        verdict,
    })
}

/// Inputs a worker takes at a time: few enough handovers to the main thread that they cost
/// nothing, and small enough runs that the last ones keep every core busy.
const BATCH: usize = 256;

/// Opens a run of inputs, each with its signature checked.
fn open_batch(
    files: &[PathBuf],
    identities: &[Box<dyn age::Identity>],
    trust: &Trust,
    checker: &Checker,
) -> Vec<Outcome> {
    let pages = trust.pages.as_ref().map(|p| (p, trust.allow_unsigned));
    files
        .iter()
        .map(|f| match open_one(f, identities, checker, pages) {
            Err(why) => Outcome::Failed(why),
            Ok(Read {
                reference,
                rank,
                submission,
                verdict,
            }) => {
                let unverified = match verdict {
                    Ok(()) => None,
                    Err(e) if trust.allow_unsigned => Some(e.to_string()),
                    Err(e) => return Outcome::Failed(format!("refused: {e}")),
                };
                Outcome::Used {
                    reference,
                    rank,
                    // Boxed: a submission is large beside the other outcome, a message.
                    submission: Box::new(submission),
                    unverified,
                }
            }
        })
        .collect()
}

/// Reads, decrypts, checks and extracts every input, on as many threads as there are cores
/// (decryption and signature checks are most of the work), and links the submissions `keep`
/// takes into the graph as they come. `identities` gives each thread its own copy of the
/// analyst's identities (an age identity need not be shareable between threads). Results are
/// taken in the inputs' order, so the outcome does not depend on timing. The analyst's
/// `decisions` (their workspace) are applied when the graph is finished.
pub fn read_inputs(
    inputs: &[PathBuf],
    identities: &(dyn Fn() -> Vec<Box<dyn age::Identity>> + Sync),
    trust: &Trust,
    keep: &dyn Fn(&Submission) -> bool,
    decisions: &super::workspace::Decisions,
) -> Loaded {
    let mut files = Vec::new();
    for i in inputs {
        files_under(i, &mut files);
    }
    let before = files.len();
    files.retain(|f| !is_evidence_file(f));
    let evidence_files = before - files.len();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 16)
        .min(files.len().max(1));
    let checker = Checker::new(&trust.keys);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut taken = Taken::new(&files, keep);
    std::thread::scope(|scope| {
        let (done, results) = std::sync::mpsc::channel::<(usize, Vec<Outcome>)>();
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let done = done.clone();
                let (files, next, checker) = (&files, &next, &checker);
                scope.spawn(move || {
                    let ids = identities();
                    loop {
                        let start = next.fetch_add(BATCH, std::sync::atomic::Ordering::Relaxed);
                        let Some(run) = files.get(start..(start + BATCH).min(files.len())) else {
                            break;
                        };
                        if run.is_empty()
                            || done
                                .send((start, open_batch(run, &ids, trust, checker)))
                                .is_err()
                        {
                            break;
                        }
                    }
                })
            })
            .collect();
        drop(done);
        // Batches finish in any order; each is taken once every one before it has been, while
        // the workers go on with the next ones.
        let mut waiting: BTreeMap<usize, Vec<Outcome>> = BTreeMap::new();
        let mut at = 0;
        for (start, outcomes) in results {
            waiting.insert(start, outcomes);
            while let Some(batch) = waiting.remove(&at) {
                let n = batch.len();
                for (i, o) in (at..).zip(batch) {
                    taken.take(i, o);
                }
                at += n;
            }
        }
        // A worker that panicked is a bug: the batches after its own are still taken, and its
        // inputs are reported below, not lost.
        for w in workers {
            let _ = w.join();
        }
        for (start, batch) in waiting {
            for (i, o) in (start..).zip(batch) {
                taken.take(i, o);
            }
        }
    });
    taken.finish(evidence_files, decisions)
}

/// The outcomes taken so far, in the inputs' order, and the graph of what was kept.
struct Taken<'a> {
    files: &'a [PathBuf],
    keep: &'a dyn Fn(&Submission) -> bool,
    submissions: Vec<Submission>,
    ranks: Vec<u8>,
    /// One reference sealed for two routes (or read from an envelope and its email) is one
    /// submission: its place among the submissions.
    seen: HashMap<String, usize>,
    reported: Vec<bool>,
    failures: Vec<(String, String)>,
    unverified: Vec<(String, String)>,
    graph: Builder,
    /// A submission already linked was replaced by a fuller view of it: the graph is made
    /// again from the final submissions at the end (rare: it takes a second copy of a report).
    replaced: bool,
}

impl<'a> Taken<'a> {
    fn new(files: &'a [PathBuf], keep: &'a dyn Fn(&Submission) -> bool) -> Self {
        Taken {
            files,
            keep,
            submissions: Vec::with_capacity(files.len()),
            ranks: Vec::with_capacity(files.len()),
            seen: HashMap::with_capacity(files.len()),
            reported: vec![false; files.len()],
            failures: Vec::new(),
            unverified: Vec::new(),
            graph: Builder::default(),
            replaced: false,
        }
    }

    fn take(&mut self, i: usize, outcome: Outcome) {
        self.reported[i] = true;
        let name = || self.files[i].display().to_string();
        match outcome {
            Outcome::Failed(why) => self.failures.push((name(), why)),
            Outcome::Used {
                reference,
                rank,
                submission,
                unverified: why,
            } => {
                let submission = *submission;
                if let Some(why) = why {
                    self.unverified.push((name(), why));
                }
                match self.seen.get(&reference) {
                    // The fuller view of the two is kept.
                    Some(&at) => {
                        if rank > self.ranks[at] {
                            // Linked already, or to be linked now (a view outside `--since` or
                            // `--locality` whose fuller view is inside): made again at the end.
                            self.replaced |=
                                (self.keep)(&self.submissions[at]) || (self.keep)(&submission);
                            self.submissions[at] = submission;
                            self.ranks[at] = rank;
                        }
                    }
                    None => {
                        if (self.keep)(&submission) {
                            self.graph.add(&submission);
                        }
                        self.seen.insert(reference, self.submissions.len());
                        self.submissions.push(submission);
                        self.ranks.push(rank);
                    }
                }
            }
        }
    }

    fn finish(mut self, evidence_files: usize, decisions: &super::workspace::Decisions) -> Loaded {
        for (i, f) in self
            .files
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.reported[*i])
        {
            self.failures.push((
                f.display().to_string(),
                format!("not read (internal error on input {i})"),
            ));
        }
        let Taken {
            keep,
            submissions,
            graph,
            replaced,
            failures,
            unverified,
            ..
        } = self;
        let graph = if replaced {
            drop(graph);
            let kept: Vec<Submission> = submissions.into_iter().filter(|s| keep(s)).collect();
            super::graph::build_with(&kept, decisions)
        } else {
            // The submissions were linked as they came; only their possible links and clusters
            // are left.
            drop(submissions);
            graph.finish(decisions)
        };
        Loaded {
            graph,
            failures,
            unverified,
            evidence_files,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map::entities::{Kind, Mention};
    use crate::map::graph::{build, MapGraph};

    fn submission(reference: &str, day: &str, names: &[&str]) -> Submission {
        Submission {
            reference: reference.into(),
            date: day.into(),
            event: day.into(),
            form: "professional".into(),
            priority: "ROUTINE".into(),
            localities: vec!["SELBY".into()],
            mentions: names
                .iter()
                .map(|n| Mention {
                    kind: Kind::Person,
                    key: n.to_string(),
                    label: n.to_string(),
                    full_name: None,
                    dob: None,
                    role: None,
                    ..Mention::default()
                })
                .collect(),
            relations: Vec::new(),
            attachments: 0,
            categories: Vec::new(),
        }
    }

    fn used(s: &Submission, rank: u8) -> Outcome {
        Outcome::Used {
            reference: s.reference.clone(),
            rank,
            submission: Box::new(s.clone()),
            unverified: None,
        }
    }

    /// What a graph says, in a form two graphs can be compared by.
    fn shape(g: &MapGraph) -> Vec<String> {
        let mut out: Vec<String> = g.reports.iter().map(|r| r.reference.clone()).collect();
        out.extend(
            g.entities
                .iter()
                .map(|e| format!("{} {:?}", e.key, e.reports)),
        );
        out.extend(
            g.links
                .iter()
                .map(|l| format!("{}-{} {:?}", l.source, l.target, l.seen)),
        );
        out
    }

    #[test]
    fn linking_as_inputs_come_gives_the_graph_of_the_final_submissions() {
        let files: Vec<PathBuf> = (0..5).map(|i| PathBuf::from(format!("in{i}"))).collect();
        let a_restricted = submission("PIS-AAAA-AAAA", "2026-11-02", &["ann"]);
        let a_full = submission("PIS-AAAA-AAAA", "2026-11-02", &["ann", "bob"]);
        let b = submission("PIS-BBBB-BBBB", "2026-11-03", &["bob", "cat"]);
        let old = submission("PIS-CCCC-CCCC", "2025-01-01", &["dan", "ann"]);
        let since = |s: &Submission| s.date.as_str() >= "2026-01-01";
        // The outcomes taken in this order, and the graph made from them.
        let take = |outcomes: Vec<Outcome>| {
            let mut taken = Taken::new(&files, &since);
            for (i, o) in outcomes.into_iter().enumerate() {
                taken.take(i, o);
            }
            taken.finish(0, &Default::default())
        };
        let want = shape(&build(&[a_full.clone(), b.clone()]));

        // In order, no fuller view later: linked as they came.
        let loaded = take(vec![
            used(&a_full, 2),
            used(&b, 2),
            used(&old, 2),
            Outcome::Failed("no age envelope in it".into()),
            used(&a_restricted, 1),
        ]);
        assert_eq!(shape(&loaded.graph), want);
        assert_eq!(
            loaded.failures,
            [("in3".into(), "no age envelope in it".into())]
        );

        // The restricted view first, the full one later: the full one is mapped, in the
        // restricted one's place, and an input never taken is reported.
        let loaded = take(vec![
            used(&a_restricted, 1),
            used(&b, 2),
            used(&a_full, 2),
            used(&old, 2),
        ]);
        assert_eq!(shape(&loaded.graph), want);
        assert_eq!(loaded.failures.len(), 1);
        assert!(
            loaded.failures[0].1.contains("not read"),
            "{:?}",
            loaded.failures
        );

        // A first view the filter leaves out, and a fuller one it takes: the fuller one is
        // mapped.
        let mut a_early = a_restricted.clone();
        a_early.date = "2025-06-01".into();
        let loaded = take(vec![used(&a_early, 1), used(&b, 2), used(&a_full, 2)]);
        assert_eq!(shape(&loaded.graph), want);
    }
}
