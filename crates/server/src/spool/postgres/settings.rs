//! The spool's settings on a shared database: its sealed secrets, made once by whichever
//! gateway starts first, and the partner agencies' tokens.

use super::*;

/// A secret of the spool's, made on first use and kept sealed (see
/// [`crate::spool::secrets`]); one kept in clear by an older gateway is sealed now.
pub(super) async fn secret(
    pool: &Pool,
    secrets: &SpoolSecrets,
    name: &str,
    len: usize,
) -> DbResult<Vec<u8>> {
    let key = format!("secret:{name}");
    let client = pool.get().await?;
    let mut fresh = vec![0u8; len];
    {
        use rand::RngCore;
        rand::rngs::OsRng.fill_bytes(&mut fresh);
    }
    // Two gateways starting together both offer a value; the first one stored wins and both
    // read it back.
    db::exec(
        &client,
        "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        &[&key, &secrets.seal(name, &fresh)],
    )
    .await?;
    let stored: Vec<u8> = db::one(
        &client,
        "SELECT value FROM settings WHERE name = $1",
        &[&key],
    )
    .await?
    .get(0);
    let (value, reseal) = match secrets.open(name, &stored)? {
        Stored::Sealed(v) if v.len() == len => return Ok(v.to_vec()),
        Stored::Clear(v) if v.len() == len => (v, true),
        _ => (fresh, false),
    };
    // Sealing a clear value, or replacing one of the wrong length, only where it is still the
    // one read, so that two gateways upgrading together keep one value.
    let written = db::exec(
        &client,
        "UPDATE settings SET value = $2 WHERE name = $1 AND value = $3",
        &[&key, &secrets.seal(name, &value), &stored],
    )
    .await?;
    if written == 0 && !reseal {
        drop(client);
        // Another gateway replaced it first: read what it wrote.
        return Box::pin(secret(pool, secrets, name, len)).await;
    }
    Ok(value)
}

impl SettingsStore for PostgresSpool {
    fn secret(&self, name: &str, len: usize) -> SpoolFuture<'_, Vec<u8>> {
        let (pool, name) = (self.pool.clone(), name.to_string());
        let secrets = Arc::clone(&self.secrets);
        self.spawn(async move { secret(&pool, &secrets, &name, len).await })
    }
}

impl PartnerStore for PostgresSpool {
    fn partner_for_token(&self, token_hash: [u8; 32]) -> SpoolFuture<'_, Option<String>> {
        let pool = self.pool.clone();
        self.spawn(async move {
            let client = pool.get().await?;
            let row = db::opt(
                &client,
                "SELECT name FROM partners WHERE token_hash = $1 AND revoked_at IS NULL",
                &[&&token_hash[..]],
            )
            .await?;
            Ok(row.map(|r| r.get(0)))
        })
    }

    fn add_partner(&self, name: &str, token_hash: [u8; 32], now: i64) -> SpoolFuture<'_, bool> {
        let (pool, name) = (self.pool.clone(), name.to_string());
        self.spawn(async move {
            let mut client = pool.get().await?;
            let tx = client.transaction().await?;
            // Only a new name or a revoked one takes the token: an active partner's token is
            // never replaced silently.
            let added = db::opt(
                &tx,
                "INSERT INTO partners (name, token_hash, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (name) DO UPDATE
                     SET token_hash = excluded.token_hash, created_at = excluded.created_at,
                         revoked_at = NULL
                     WHERE partners.revoked_at IS NOT NULL
                 RETURNING name",
                &[&name, &&token_hash[..], &now],
            )
            .await?
            .is_some();
            if added {
                let e = chain::Event::new(now, "partner_added", None).code(Some(&name));
                chain::append(&tx, &[e]).await?;
            }
            tx.commit().await?;
            Ok(added)
        })
    }

    fn revoke_partner(&self, name: &str, now: i64) -> SpoolFuture<'_, bool> {
        let (pool, name) = (self.pool.clone(), name.to_string());
        self.spawn(async move {
            let mut client = pool.get().await?;
            let tx = client.transaction().await?;
            let n = db::exec(
                &tx,
                "UPDATE partners SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL",
                &[&name, &now],
            )
            .await?;
            if n > 0 {
                let e = chain::Event::new(now, "partner_revoked", None).code(Some(&name));
                chain::append(&tx, &[e]).await?;
            }
            tx.commit().await?;
            Ok(n > 0)
        })
    }

    fn partners(&self) -> SpoolFuture<'_, Vec<PartnerRecord>> {
        let pool = self.pool.clone();
        self.spawn(async move {
            let client = pool.get().await?;
            let rows = db::rows(
                &client,
                "SELECT name, created_at, revoked_at FROM partners ORDER BY name COLLATE \"C\"",
                &[],
            )
            .await?;
            Ok(rows
                .iter()
                .map(|r| PartnerRecord {
                    name: r.get(0),
                    created_at: r.get(1),
                    revoked_at: r.get(2),
                })
                .collect())
        })
    }
}
