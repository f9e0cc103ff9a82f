//! Memory for files while they arrive: a budget of bytes in flight for everyone together
//! (`attachments.max_bytes_in_flight`) and a cap on the uploads one client has arriving at once
//! (`attachments.max_uploads_per_client`).
//!
//! Files are held in memory, never on disk in clear, so memory is what a hostile client would
//! spend: each upload reserves the memory it is about to hold before it holds it, and is refused
//! (503, try again shortly) when the budget is spent, rather than waiting for it while its
//! connection stays open. Everything reserved returns when the upload's [`Slot`] drops, that is
//! when its request ends, whichever way.

use crate::http::rate_limit::ClientKey;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Why an upload is not taken now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Busy {
    /// This client already has its share of uploads arriving.
    Client,
    /// The bytes in flight for everyone are spent.
    Budget,
}

pub struct Uploads {
    budget: Arc<Semaphore>,
    max_bytes: usize,
    per_client: usize,
    clients: Arc<Mutex<HashMap<ClientKey, usize>>>,
}

impl Uploads {
    pub fn new(max_bytes_in_flight: usize, max_per_client: usize) -> Self {
        let max_bytes = max_bytes_in_flight.min(Semaphore::MAX_PERMITS);
        Uploads {
            budget: Arc::new(Semaphore::new(max_bytes)),
            max_bytes,
            per_client: max_per_client.max(1),
            clients: Arc::default(),
        }
    }

    /// A slot for one upload from `client`, holding nothing yet.
    pub fn begin(&self, client: ClientKey) -> Result<Slot, Busy> {
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        let n = clients.entry(client).or_default();
        if *n >= self.per_client {
            return Err(Busy::Client);
        }
        *n += 1;
        Ok(Slot {
            budget: Arc::clone(&self.budget),
            held: None,
            client,
            clients: Arc::clone(&self.clients),
        })
    }

    /// Bytes reserved now by every upload together.
    pub fn in_flight(&self) -> usize {
        self.max_bytes - self.budget.available_permits()
    }
}

/// One upload's reservation: its client's place and the bytes it holds, both given back on drop.
pub struct Slot {
    budget: Arc<Semaphore>,
    held: Option<OwnedSemaphorePermit>,
    client: ClientKey,
    clients: Arc<Mutex<HashMap<ClientKey, usize>>>,
}

impl Slot {
    /// Reserves `bytes` more, or refuses at once when the budget cannot cover them.
    pub fn reserve(&mut self, bytes: usize) -> Result<(), Busy> {
        if bytes == 0 {
            return Ok(());
        }
        let n = u32::try_from(bytes).map_err(|_| Busy::Budget)?;
        let permit = Arc::clone(&self.budget)
            .try_acquire_many_owned(n)
            .map_err(|_| Busy::Budget)?;
        match &mut self.held {
            Some(held) => held.merge(permit),
            None => self.held = Some(permit),
        }
        Ok(())
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = clients.get_mut(&self.client) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                clients.remove(&self.client);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_has_its_share_of_uploads_and_everyone_the_budget_until_each_ends() {
        let uploads = Uploads::new(100, 2);
        let me = ClientKey::V4(1);
        let mut a = uploads.begin(me).expect("first");
        let mut b = uploads.begin(me).expect("second");
        assert_eq!(uploads.begin(me).err(), Some(Busy::Client));
        let mut other = uploads.begin(ClientKey::V4(2)).expect("another client");
        a.reserve(60).expect("within budget");
        b.reserve(30).expect("within budget");
        assert_eq!(
            other.reserve(11),
            Err(Busy::Budget),
            "refused, not waited for"
        );
        other.reserve(10).expect("what is left");
        assert_eq!(uploads.in_flight(), 100);
        drop(a);
        assert_eq!(uploads.in_flight(), 40, "its bytes come back when it ends");
        assert!(uploads.begin(me).is_ok(), "and its place");
        drop((b, other));
        assert_eq!(uploads.in_flight(), 0);
        assert!(uploads.clients.lock().expect("lock").is_empty());
    }
}
