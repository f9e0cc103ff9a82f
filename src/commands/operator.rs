//! The operator's commands on a node: `outbox`, `partner`, `spool copy`, `audit`.

use super::keys::secrets_keys;
use super::*;

pub(crate) fn outbox(
    flag: Option<std::path::PathBuf>,
    action: OutboxAction,
) -> anyhow::Result<ExitCode> {
    let settings = node_settings(flag)?;
    let runtime = runtime()?;
    runtime.block_on(async move {
        let spool = pis_gateway::spool::open(&settings.spool).await?;
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        match action {
            OutboxAction::List => {
                let rows = spool.outbox().await?;
                println!(
                    "{:<15} {:<22} {:<8} {:>8}  {:<20} LAST ERROR",
                    "REFERENCE", "ROUTE", "STATE", "ATTEMPTS", "NEXT ATTEMPT"
                );
                for r in &rows {
                    let when = if r.state == pis_gateway::spool::DeliveryState::Dead {
                        "-".to_string()
                    } else {
                        time::OffsetDateTime::from_unix_timestamp(r.next_attempt_at)
                            .ok()
                            .and_then(|t| {
                                t.format(&time::format_description::well_known::Rfc3339)
                                    .ok()
                            })
                            .unwrap_or_default()
                    };
                    println!(
                        "{:<15} {:<22} {:<8} {:>8}  {:<20} {}",
                        r.reference,
                        r.route,
                        r.state,
                        r.attempts,
                        when,
                        r.last_error_class.as_deref().unwrap_or("-")
                    );
                }
                let stats = spool.outbox_stats(now).await?;
                eprintln!("{} pending, {} dead", stats.pending, stats.dead);
                Ok(ExitCode::SUCCESS)
            }
            OutboxAction::Retry { reference } => {
                let Some(r) = pis_gateway::reference::Reference::parse(&reference) else {
                    anyhow::bail!("not a reference (PIS-XXXX-XXXX)");
                };
                let n = spool.requeue(&r, now).await?;
                if n == 0 {
                    eprintln!("{r}: nothing to retry (unknown, or already delivered)");
                    return Ok(ExitCode::FAILURE);
                }
                println!(
                    "{r}: {n} deliver{} queued",
                    if n == 1 { "y" } else { "ies" }
                );
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}

pub(crate) fn partner(
    flag: Option<std::path::PathBuf>,
    action: PartnerAction,
) -> anyhow::Result<ExitCode> {
    let settings = node_settings(flag)?;
    let runtime = runtime()?;
    runtime.block_on(async move {
        let spool = pis_gateway::spool::open(&settings.spool).await?;
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let when = |t: i64| {
            time::OffsetDateTime::from_unix_timestamp(t)
                .ok()
                .and_then(|t| {
                    t.format(&time::format_description::well_known::Rfc3339)
                        .ok()
                })
                .unwrap_or_default()
        };
        match action {
            PartnerAction::Add { name } => {
                if !pis_gateway::partners::valid_name(&name) {
                    anyhow::bail!(
                        "a partner name is 2 to 64 lower-case letters, digits, `-` or `_`"
                    );
                }
                let (token, hash) = pis_gateway::partners::new_token();
                if !spool.add_partner(&name, hash, now).await? {
                    eprintln!("{name}: already a partner; revoke it first to issue a new token");
                    return Ok(ExitCode::FAILURE);
                }
                eprintln!(
                    "{name}: added. Its token follows, shown this once (only its hash is kept); \
                     the partner sends it as `Authorization: Bearer <token>`."
                );
                println!("{token}");
                Ok(ExitCode::SUCCESS)
            }
            PartnerAction::List => {
                println!("{:<32} {:<22} REVOKED", "PARTNER", "ADDED");
                for p in spool.partners().await? {
                    println!(
                        "{:<32} {:<22} {}",
                        p.name,
                        when(p.created_at),
                        p.revoked_at.map(when).unwrap_or_else(|| "-".into())
                    );
                }
                Ok(ExitCode::SUCCESS)
            }
            PartnerAction::Revoke { name } => {
                if spool.revoke_partner(&name, now).await? {
                    println!("{name}: revoked");
                    Ok(ExitCode::SUCCESS)
                } else {
                    eprintln!("{name}: no active partner of that name");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    })
}

pub(crate) fn spool_copy(from: &std::path::Path, to: &std::path::Path) -> anyhow::Result<ExitCode> {
    use pis_gateway::spool::{self, transfer};
    let load = |p: &std::path::Path| {
        config::load(p).map_err(|problems| anyhow::anyhow!("{}: {problems}", p.display()))
    };
    let (source, destination) = (load(from)?.spool, load(to)?.spool);
    if source == destination {
        anyhow::bail!("--from and --to name the same spool");
    }
    let runtime = runtime()?;
    runtime.block_on(async move {
        let from = spool::open(&source)
            .await
            .context("opening the source spool")?;
        let keys = secrets_keys(&source, &destination)?;
        let keys = keys.as_ref().map(|(a, b)| (a, b));
        let to = spool::open(&destination)
            .await
            .context("opening the destination spool")?;
        let counts = match transfer::copy_with(&*from, &*to, keys).await {
            Ok(counts) => counts,
            Err(e) => {
                eprintln!("spool copy: {e:#}");
                return Ok(ExitCode::FAILURE);
            }
        };
        println!("copied {counts}");
        // Opened again: the destination now holds the source's reference key.
        drop(to);
        let to = spool::open(&destination)
            .await
            .context("opening the destination spool again")?;
        match transfer::verify_copy_with(&*from, &*to, keys).await {
            Ok(v) => {
                let head = v.audit_head.map_or_else(
                    || "-".to_string(),
                    |(seq, hash)| format!("{seq}:{}", spool::audit::to_hex(&hash)),
                );
                println!(
                    "verified: {}; audit chain intact on both sides: {} entries, head {head}",
                    v.counts, v.audit_entries
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("spool copy: the copy does not match its source: {e:#}");
                Ok(ExitCode::FAILURE)
            }
        }
    })
}

pub(crate) fn audit(
    flag: Option<std::path::PathBuf>,
    action: AuditAction,
) -> anyhow::Result<ExitCode> {
    use pis_gateway::spool::audit;
    let settings = node_settings(flag)?;
    // Read-only: verifying must not change what it verifies.
    let entries = runtime()?.block_on(async {
        let log = pis_gateway::spool::open_audit(&settings.spool).await?;
        anyhow::Ok(log.audit_entries().await?)
    })?;
    match action {
        AuditAction::Export => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            for e in &entries {
                writeln!(out, "{}", serde_json::to_string(e)?)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditAction::Verify { head, signer } => {
            let expected = match head.as_deref() {
                None => None,
                Some(h) => Some(audit_head(h, &settings, &signer)?),
            };
            match audit::verify(&entries, expected.as_ref().map(|(s, h)| (*s, h.as_slice()))) {
                Ok(n) => {
                    let last = entries
                        .last()
                        .map(|e| format!("{}:{}", e.seq, audit::to_hex(&e.hash)));
                    println!(
                        "audit log intact: {n} entries; head {}",
                        last.unwrap_or_else(|| "-".into())
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(broken) => {
                    println!("audit log BROKEN: {broken}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}

/// The head given to `audit verify --head`: a signed log line, whose signature must check out
/// against the configuration's signing keys (or `--signer` files), or a plain N:H.
pub(crate) fn audit_head(
    given: &str,
    settings: &config::Settings,
    signer: &[std::path::PathBuf],
) -> anyhow::Result<(i64, Vec<u8>)> {
    use pis_gateway::signing::SignedHead;
    if let Some(signed) = SignedHead::parse(given) {
        let mut keys = trusted_keys(&Signers {
            signer: signer.to_vec(),
            config: None,
            allow_unsigned: true,
        })?;
        if let Ok(current) = SigningKey::load(&settings.server.signing_key) {
            keys.0
                .extend(settings.published_signing_keys(current.public()));
        }
        signed
            .verify(&keys)
            .map_err(|e| anyhow::anyhow!("the head's signature is not accepted: {e}"))?;
        return Ok((signed.seq, signed.hash));
    }
    given
        .trim()
        .split_once(':')
        .and_then(|(s, h)| {
            Some((
                s.parse::<i64>().ok()?,
                pis_gateway::spool::audit::from_hex(h)?,
            ))
        })
        .ok_or_else(|| {
            anyhow::anyhow!(
                "--head must be the signed log line (seq=… hash=… key=… sig=…) or SEQ:HEX"
            )
        })
}
