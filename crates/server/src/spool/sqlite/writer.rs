//! The writer: one thread owns the write connection and commits whatever has queued up in one
//! transaction (group commit). Under load many submissions share one fsync, and each caller is
//! answered only after the transaction holding its write has committed.

use super::checkpoint::Checkpoints;
use super::connection::Writable;
use super::staging::{self, Staging};
use super::{
    downloads, follow_up, lifecycle, outbox, settings, submissions, transfer, unavailable,
    workflow, Numbering,
};
use crate::ack::{AckKind, Used};
use crate::reference::Reference;
use crate::spool::{
    AttemptOutcome, CaseStatus, CommitOutcome, DeliveryId, Download, EscalationRoute, MessageFrom,
    NewSubmission, PurgeReport, RetentionPolicy, SpoolError,
};
use rusqlite::{Connection, TransactionBehavior};
use std::collections::VecDeque;
use tokio::sync::{mpsc, oneshot};

/// Most submissions committed in one transaction.
const MAX_BATCH: usize = 256;
/// A submission carrying more sealed evidence than this is written in turns (see
/// [`staging`]): writing and syncing 10 MiB in one transaction takes tens of milliseconds (more
/// on a busy disk), which a report without files should not wait behind.
pub(super) const LARGE_BYTES: usize = 256 * 1024;
/// Submissions that may wait for the writer before callers wait for room.
pub(super) const QUEUE: usize = 1024;

pub(super) type Reply<T> = oneshot::Sender<Result<T, SpoolError>>;

pub(super) enum Job {
    Commit(Box<NewSubmission>, Reply<CommitOutcome>),
    Other(Control),
}

/// Writer work that is not a submission: it runs after the batch of commits it arrived with.
pub(super) enum Control {
    Probe(Reply<()>),
    Secret(String, usize, Reply<Vec<u8>>),
    Attempt(DeliveryId, i64, AttemptOutcome, Reply<()>),
    Requeue(Reference, i64, Reply<usize>),
    AddAckToken([u8; 32], Reference, String, AckKind, i64, Reply<()>),
    Acknowledge([u8; 32], i64, i64, Reply<Option<Used>>),
    Escalate(i64, i64, Vec<EscalationRoute>, Reply<Vec<Reference>>),
    Purge(i64, RetentionPolicy, Reply<PurgeReport>),
    AddPartner(String, [u8; 32], i64, Reply<bool>),
    RevokePartner(String, i64, Reply<bool>),
    Import(transfer::Import, Reply<()>),
    AddDownloadToken([u8; 32], Reference, String, u32, i64, Reply<()>),
    TakeDownload([u8; 32], i64, i64, Reply<Option<Download>>),
    SetCaseStatus(Reference, CaseStatus, String, i64, Reply<bool>),
    /// Reference, sender, sealed body, who (officer key id, or the addendum's reference), now.
    AddMessage(
        Reference,
        MessageFrom,
        Vec<u8>,
        String,
        i64,
        Reply<Option<u32>>,
    ),
    UseNonce(String, [u8; 16], i64, i64, Reply<bool>),
    ConfirmNotify([u8; 32], i64, i64, Reply<bool>),
    Share(
        Box<crate::spool::NewShare>,
        Reply<crate::spool::ShareOutcome>,
    ),
    Refused(String, Option<String>, String, i64, Reply<()>),
    RecordStep(Reference, crate::spool::Step, String, i64, Reply<bool>),
    PutDraft(crate::spool::DraftId, Vec<u8>, i64, Reply<()>),
    DeleteDraft(crate::spool::DraftId, Reply<bool>),
    PurgeDrafts(i64, Reply<u64>),
}

fn is_large(s: &NewSubmission) -> bool {
    s.envelopes
        .iter()
        .map(|e| e.attachment_bytes())
        .sum::<usize>()
        > LARGE_BYTES
}

/// Work the writer does a short step of per turn, after the small work queued meanwhile.
enum Background {
    /// A large submission's files, a chunk at a time, then its own commit.
    Stage(Box<Staging>),
    /// Staged files no submission adopted, removed a chunk at a time.
    Discard(Vec<i64>),
}

pub(super) fn writer_loop(
    mut conn: Connection,
    numbering: &Numbering,
    writable: &Writable,
    checkpoints: &Checkpoints,
    mut rx: mpsc::Receiver<Job>,
) {
    // Large submissions wait here rather than in the queue: their callers hold them either way
    // (nothing is copied), and the writer must go on taking small work while they are written.
    let mut background: VecDeque<Background> = VecDeque::new();
    loop {
        // Wait for work only when there is no background work to get on with.
        let first = if background.is_empty() {
            match rx.blocking_recv() {
                Some(job) => Some(job),
                None => break,
            }
        } else {
            rx.try_recv().ok()
        };
        let (commits, others) = gather(first, &mut rx, &mut background);
        // The outbox's frequent small writes (attempt results, acknowledgement tokens) ride in
        // the same transaction as the submissions, so one sync serves both.
        let (small, others): (Vec<Control>, Vec<Control>) = others
            .into_iter()
            .partition(|c| matches!(c, Control::Attempt(..) | Control::AddAckToken(..)));
        if !commits.is_empty() || !small.is_empty() {
            write_batch(&mut conn, numbering, writable, commits, small);
        }
        for control in others {
            run_control(&mut conn, numbering, writable, checkpoints, control);
        }
        // Then one short step of background work: whatever small queued meanwhile goes first
        // on the next turn, so a report without files waits for at most one chunk's write.
        background_step(&mut conn, numbering, writable, &mut background);
        checkpoints.committed();
    }
}

/// The jobs to do this turn: the first and whatever queued behind it, up to a batch. Large
/// submissions go to the background instead.
fn gather(
    first: Option<Job>,
    rx: &mut mpsc::Receiver<Job>,
    background: &mut VecDeque<Background>,
) -> (Commits, Vec<Control>) {
    let mut commits = Vec::new();
    let mut others = Vec::new();
    let mut next = first;
    while let Some(job) = next.take() {
        match job {
            Job::Commit(s, reply) if is_large(&s) => {
                background.push_back(Background::Stage(Box::new(Staging::new(s, reply))))
            }
            Job::Commit(s, reply) => commits.push((s, reply)),
            Job::Other(control) => others.push(control),
        }
        if commits.len() + others.len() < MAX_BATCH {
            next = rx.try_recv().ok();
        }
    }
    (commits, others)
}

/// Sends a step's result to whoever asked; one who stopped waiting is no loss.
fn answer<T, E: std::fmt::Display>(reply: Reply<T>, result: Result<T, E>) {
    let _ = reply.send(result.map_err(unavailable));
}

/// One request other than a commit, answered once done.
fn run_control(
    conn: &mut Connection,
    numbering: &Numbering,
    writable: &Writable,
    checkpoints: &Checkpoints,
    control: Control,
) {
    let cipher = &numbering.cipher;
    match control {
        Control::Probe(reply) => {
            let result = settings::probe(conn);
            writable.record(&result);
            answer(reply, result);
        }
        Control::Secret(name, len, reply) => answer(
            reply,
            settings::secret(conn, &numbering.secrets, &name, len),
        ),
        Control::AddPartner(name, hash, now, reply) => {
            answer(reply, settings::add_partner(conn, &name, &hash, now))
        }
        Control::RevokePartner(name, now, reply) => {
            answer(reply, settings::revoke_partner(conn, &name, now))
        }
        Control::Requeue(reference, now, reply) => {
            answer(reply, lifecycle::requeue(conn, cipher, &reference, now))
        }
        Control::Acknowledge(hash, now, issued_after, reply) => answer(
            reply,
            lifecycle::acknowledge(conn, &hash, now, issued_after),
        ),
        Control::AddDownloadToken(hash, reference, route, n, now, reply) => answer(
            reply,
            downloads::add(conn, cipher, &hash, &reference, &route, n, now),
        ),
        Control::TakeDownload(hash, now, issued_after, reply) => {
            answer(reply, downloads::take(conn, &hash, now, issued_after))
        }
        Control::SetCaseStatus(reference, status, officer, now, reply) => answer(
            reply,
            follow_up::set_status(conn, cipher, &reference, status, &officer, now),
        ),
        Control::AddMessage(reference, from, sealed, who, now, reply) => answer(
            reply,
            follow_up::add_message(conn, cipher, &reference, from, &sealed, &who, now),
        ),
        Control::Share(share, reply) => answer(reply, super::share::share(conn, cipher, &share)),
        Control::RecordStep(reference, step, officer, now, reply) => answer(
            reply,
            workflow::record(conn, cipher, &reference, &step, &officer, now),
        ),
        Control::ConfirmNotify(hash, issued_after, now, reply) => answer(
            reply,
            follow_up::confirm_notify(conn, &hash, issued_after, now),
        ),
        Control::UseNonce(officer, nonce, now, forget_before, reply) => answer(
            reply,
            follow_up::use_nonce(conn, &officer, &nonce, now, forget_before),
        ),
        Control::Refused(reason, officer, path, now, reply) => answer(
            reply,
            follow_up::refused(conn, &reason, officer.as_deref(), &path, now),
        ),
        Control::Escalate(now, repeat_secs, routes, reply) => answer(
            reply,
            lifecycle::escalate_due(conn, now, repeat_secs, &routes),
        ),
        Control::PutDraft(id, sealed, now, reply) => {
            answer(reply, super::drafts::put(conn, &id, &sealed, now))
        }
        Control::DeleteDraft(id, reply) => answer(reply, super::drafts::delete(conn, &id)),
        Control::PurgeDrafts(before, reply) => answer(reply, super::drafts::purge(conn, before)),
        Control::Import(job, reply) => answer(reply, transfer::import(conn, numbering, job)),
        // Written together in small_batch, with the commits.
        Control::Attempt(..) | Control::AddAckToken(..) => {}
        Control::Purge(now, policy, reply) => {
            // The purge ends with a TRUNCATE checkpoint that scrubs purged envelopes
            // from the WAL; SQLite refuses it outright while another connection is
            // checkpointing, so the checkpointer waits until the purge is done.
            let _alone = checkpoints.exclusive();
            answer(reply, lifecycle::purge_due(conn, now, &policy))
        }
    }
}

fn background_step(
    conn: &mut Connection,
    numbering: &Numbering,
    writable: &Writable,
    background: &mut VecDeque<Background>,
) {
    match background.front_mut() {
        None => {}
        Some(Background::Stage(staging)) => match staging.step(conn) {
            Ok(false) => {}
            Ok(true) => {
                let Some(Background::Stage(staging)) = background.pop_front() else {
                    return;
                };
                let (result, reply, unadopted) = staging.commit(conn, numbering);
                writable.record(&result);
                if let Err(e) = &result {
                    tracing::error!(error = %e, "spool commit failed");
                }
                let _ = reply.send(result.map_err(unavailable));
                if !unadopted.is_empty() {
                    background.push_back(Background::Discard(unadopted));
                }
            }
            Err(e) => {
                writable.doubted();
                let Some(Background::Stage(staging)) = background.pop_front() else {
                    return;
                };
                let staged = staging.fail(&e);
                if !staged.is_empty() {
                    background.push_back(Background::Discard(staged));
                }
            }
        },
        Some(Background::Discard(blobs)) => match staging::discard_step(conn, blobs) {
            Ok(true) => {}
            Ok(false) => {
                background.pop_front();
            }
            Err(e) => {
                // Left for the next start or retention to remove (`staging::remove_orphans`).
                tracing::warn!(error = %e, "removing unadopted evidence chunks failed");
                background.pop_front();
            }
        },
    }
}

pub(super) type Commits = Vec<(Box<NewSubmission>, Reply<CommitOutcome>)>;

/// One transaction, one sync: the batch's submissions, then the outbox's small writes, each
/// part under its own savepoint so that a failure in one part undoes only that part. Callers
/// hear the outcome only after COMMIT; if COMMIT fails, nobody's write happened and everyone
/// hears so (no reference is given).
pub(super) fn write_batch(
    conn: &mut Connection,
    numbering: &Numbering,
    writable: &Writable,
    commits: Commits,
    small: Vec<Control>,
) {
    let cipher = &numbering.cipher;
    let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => {
            writable.doubted();
            return fail_all(&e, commits, small);
        }
    };
    let committed = if commits.is_empty() {
        Ok(Vec::new())
    } else {
        in_savepoint(&tx, |sp| {
            commits
                .iter()
                .map(|(s, _)| submissions::insert_one(sp, numbering, s, None))
                .collect::<rusqlite::Result<Vec<_>>>()
        })
    };
    let small_done = if small.is_empty() {
        Ok(())
    } else {
        in_savepoint(&tx, |sp| {
            for job in &small {
                match job {
                    Control::Attempt(delivery, now, outcome, _) => {
                        outbox::record_attempt(sp, cipher, delivery, *now, outcome)?
                    }
                    Control::AddAckToken(hash, reference, route, kind, now, _) => {
                        outbox::add_ack_token(sp, cipher, hash, reference, route, *kind, *now)?
                    }
                    _ => {}
                }
            }
            Ok(())
        })
    };
    if let Err(e) = tx.commit() {
        writable.doubted();
        return fail_all(&e, commits, small);
    }
    if !commits.is_empty() {
        writable.record(&committed);
    }
    match committed {
        Ok(outcomes) => {
            for ((_, reply), outcome) in commits.into_iter().zip(outcomes) {
                let _ = reply.send(Ok(outcome));
            }
        }
        Err(e) => {
            // Nothing in the batch's submissions committed; every caller hears so and none
            // gets a reference.
            tracing::error!(error = %e, batch = commits.len(), "spool commit failed");
            for (_, reply) in commits {
                let _ = reply.send(Err(unavailable(&e)));
            }
        }
    }
    if let Err(e) = &small_done {
        tracing::error!(error = %e, batch = small.len(), "spool write failed");
    }
    reply_small(small, small_done.map_err(|e| e.to_string()));
}

/// Runs `f` under a savepoint: released on success, rolled back (and only it) on failure.
fn in_savepoint<T>(
    tx: &rusqlite::Transaction<'_>,
    f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    tx.execute_batch("SAVEPOINT part")?;
    match f(tx) {
        Ok(v) => {
            tx.execute_batch("RELEASE part")?;
            Ok(v)
        }
        Err(e) => {
            tx.execute_batch("ROLLBACK TO part; RELEASE part")?;
            Err(e)
        }
    }
}

fn fail_all(e: &rusqlite::Error, commits: Commits, small: Vec<Control>) {
    tracing::error!(error = %e, batch = commits.len() + small.len(), "spool commit failed");
    for (_, reply) in commits {
        let _ = reply.send(Err(unavailable(e)));
    }
    reply_small(small, Err(e.to_string()));
}

fn reply_small(small: Vec<Control>, result: Result<(), String>) {
    for job in small {
        if let Control::Attempt(.., reply) | Control::AddAckToken(.., reply) = job {
            let _ = reply.send(result.clone().map_err(unavailable));
        }
    }
}
