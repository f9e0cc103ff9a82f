//! Moving what is sealed under one secrets key to another, for `spool copy` into a spool with
//! a key of its own (how the key is rotated): the spool's secrets and the professionals' notice
//! addresses are opened in memory with the source's key and sealed again with the
//! destination's. Everything else is copied as it is.

use super::secrets::{SpoolSecrets, Stored};
use super::transfer::{Setting, SubmissionExport};
use crate::secrets_key::{SecretsKey, ADDRESS};
use anyhow::Context;

const SECRET_PREFIX: &str = "secret:";

/// How one side's sealed values are read, and how they are written (`None`: left open, which
/// only the check of a copy does, in memory).
pub struct Reseal<'a> {
    pub open: &'a SecretsKey,
    pub seal: Option<&'a SecretsKey>,
}

impl Reseal<'_> {
    pub fn settings(&self, rows: Vec<Setting>) -> anyhow::Result<Vec<Setting>> {
        let open = SpoolSecrets::with_key(self.open, "the source's spool.secrets_key_file");
        let seal = self
            .seal
            .map(|k| SpoolSecrets::with_key(k, "the destination's spool.secrets_key_file"));
        rows.into_iter()
            .map(|row| {
                let Some(name) = row.name.strip_prefix(SECRET_PREFIX) else {
                    return Ok(row);
                };
                let value = match open.open(name, &row.value)? {
                    Stored::Sealed(v) => v.to_vec(),
                    Stored::Clear(v) => v,
                };
                let value = match &seal {
                    Some(s) => s.seal(name, &value),
                    None => value,
                };
                Ok(Setting {
                    name: row.name,
                    value,
                })
            })
            .collect()
    }

    pub fn submissions(&self, batch: &mut [SubmissionExport]) -> anyhow::Result<()> {
        let open = self.open.sealer(ADDRESS);
        let seal = self.seal.map(|k| k.sealer(ADDRESS));
        let move_one = |sealed: &mut String| -> anyhow::Result<()> {
            let clear = open
                .open_text(sealed)
                .context("a notice address does not open with the source's secrets key")?;
            *sealed = match &seal {
                Some(s) => s.seal_text(&clear),
                None => clear.to_string(),
            };
            Ok(())
        };
        for s in batch {
            if let Some(notify) = s.follow_up.as_mut().and_then(|f| f.notify.as_mut()) {
                move_one(notify)?;
            }
            for d in s.deliveries.iter_mut() {
                // Addresses dropped on upgrade from clear are left empty: nothing to move.
                if d.view.to_sealed_address() && !d.mailbox.is_empty() {
                    move_one(&mut d.mailbox)?;
                }
            }
        }
        Ok(())
    }
}
