//! Submission numbers, drawn from the database's sequence a block of 64 at a time. Several
//! blocks are held in reserve and more are fetched while half of them remain, so a burst of
//! submissions draws its references without waiting on the database, even while every
//! connection is busy committing; only if the database has been unreachable for the whole
//! reserve does drawing fail (503).

use super::db::{self, unavailable, DbResult};
use crate::reference::SPACE;
use crate::spool::SpoolError;
use deadpool_postgres::Pool;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// Numbers a gateway takes from the sequence at once (the sequence's increment).
const BLOCK: u64 = 64;
/// Blocks held in reserve besides the one in use: 512 submissions, a few tenths of a second
/// at the most a gateway takes.
const RESERVE: usize = 8;

pub(super) struct Numbers {
    pool: Pool,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    next: u64,
    end: u64,
    spare: VecDeque<u64>,
    fetching: bool,
}

impl Numbers {
    /// The first block and a full reserve.
    pub(super) async fn open(pool: Pool) -> DbResult<Arc<Self>> {
        let mut blocks = Numbers::fetch(&pool, RESERVE + 1).await?;
        let first = blocks.pop_front().unwrap_or(1);
        Ok(Arc::new(Numbers {
            pool,
            state: Mutex::new(State {
                next: first,
                end: first + BLOCK,
                spare: blocks,
                fetching: false,
            }),
        }))
    }

    /// The starts of `n` fresh blocks.
    async fn fetch(pool: &Pool, n: usize) -> DbResult<VecDeque<u64>> {
        let client = pool.get().await?;
        let rows = db::rows(
            &client,
            "SELECT nextval('submission_numbers') FROM generate_series(1, $1::integer)",
            &[&(n as i32)],
        )
        .await?;
        Ok(rows
            .iter()
            .map(|r| r.get::<_, i64>(0).max(1) as u64)
            .collect())
    }

    pub(super) fn draw(self: &Arc<Self>) -> Result<u64, SpoolError> {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if s.next >= s.end {
            let Some(start) = s.spare.pop_front() else {
                drop(s);
                self.refill();
                // The database has not answered for the whole reserve.
                return Err(SpoolError::Exhausted("reference_reserve"));
            };
            s.next = start;
            s.end = start + BLOCK;
        }
        let n = s.next;
        s.next += 1;
        let low = s.spare.len() <= RESERVE / 2 && !s.fetching;
        drop(s);
        if low {
            self.refill();
        }
        if n >= SPACE {
            return Err(unavailable("every reference has been used"));
        }
        Ok(n)
    }

    fn refill(self: &Arc<Self>) {
        let wanted = {
            let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
            if s.fetching || s.spare.len() > RESERVE / 2 {
                return;
            }
            s.fetching = true;
            RESERVE - s.spare.len()
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            self.state
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .fetching = false;
            return;
        };
        let me = Arc::clone(self);
        runtime.spawn(async move {
            let got = Numbers::fetch(&me.pool, wanted).await;
            let mut s = me.state.lock().unwrap_or_else(|p| p.into_inner());
            s.fetching = false;
            match got {
                Ok(blocks) => s.spare.extend(blocks),
                Err(e) => tracing::warn!(error = %e, "cannot draw submission numbers"),
            }
        });
    }
}
