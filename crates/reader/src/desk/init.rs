//! `pis-gateway desk init`: the desk file from flags, asking on the terminal for whatever the
//! flags leave out (and refusing, naming the flags, when there is no terminal to ask on).

use super::config::DeskConfig;
use std::path::PathBuf;

/// What the flags gave.
#[derive(Debug, Default, Clone)]
pub struct Given {
    pub gateway: Option<String>,
    /// A path, or "-" (or an empty answer) for the system's CA certificates.
    pub ca: Option<String>,
    pub identity: Option<PathBuf>,
    pub officer_key: Option<PathBuf>,
    pub signing_keys: Option<PathBuf>,
    pub mailbox: Option<PathBuf>,
    pub port: Option<u16>,
    /// A MACE coordinator's desk for these localities (none: an officer's desk).
    pub mace_localities: Vec<String>,
}

/// Asks one question, returns the answer (trimmed).
pub type Ask<'a> = dyn FnMut(&str) -> anyhow::Result<String> + 'a;

/// Fills in what `given` lacks with `ask`, or lists the missing flags when `ask` is `None`.
pub fn complete(given: Given, mut ask: Option<&mut Ask<'_>>) -> anyhow::Result<DeskConfig> {
    let questions = [
        (
            "gateway",
            "--gateway",
            "The gateway's address (https://host[:port])",
            given.gateway.is_none(),
        ),
        (
            "ca",
            "--ca",
            "CA certificates for the gateway (a PEM file; empty for the system's)",
            given.ca.is_none(),
        ),
        (
            "identity",
            "--identity",
            "Your age identity file",
            given.identity.is_none(),
        ),
        (
            "officer_key",
            "--officer-key",
            "Your officer key file (keygen --officer)",
            // A MACE coordinator's desk signs nothing.
            given.officer_key.is_none() && given.mace_localities.is_empty(),
        ),
        (
            "signing_keys",
            "--signing-keys",
            "The gateway's signing keys, saved from /.well-known/pis-gateway/signing-keys",
            given.signing_keys.is_none(),
        ),
        (
            "mailbox",
            "--mailbox",
            "Your mailbox (a Maildir, or a folder of .eml/.age files)",
            given.mailbox.is_none(),
        ),
    ];
    let missing: Vec<_> = questions.iter().filter(|q| q.3).collect();
    let mut answers = std::collections::HashMap::new();
    match ask.as_mut() {
        None if !missing.is_empty() => anyhow::bail!(
            "no terminal to ask on: give {}",
            missing.iter().map(|q| q.1).collect::<Vec<_>>().join(", ")
        ),
        None => {}
        Some(ask) => {
            for (key, _, question, _) in missing {
                answers.insert(*key, ask(question)?);
            }
        }
    }
    let mut take = |key: &str| answers.remove(key).unwrap_or_default();
    // Given relative to where the command runs; the file reads relative paths from its own
    // folder, so they are written whole.
    let whole = |p: PathBuf| std::path::absolute(&p).unwrap_or(p);
    let path =
        |p: Option<PathBuf>, answer: String| whole(p.unwrap_or_else(|| PathBuf::from(answer)));
    let ca = given.ca.unwrap_or_else(|| take("ca"));
    let desk = DeskConfig {
        gateway: given.gateway.unwrap_or_else(|| take("gateway")),
        ca: (!ca.trim().is_empty() && ca.trim() != "-").then(|| whole(PathBuf::from(ca.trim()))),
        identity: path(given.identity, take("identity")),
        officer_key: match (given.officer_key, take("officer_key")) {
            (None, answer) if answer.is_empty() => PathBuf::new(),
            (flag, answer) => path(flag, answer),
        },
        signing_keys: path(given.signing_keys, take("signing_keys")),
        mailbox: path(given.mailbox, take("mailbox")),
        imap: None,
        port: given.port,
        role: if given.mace_localities.is_empty() {
            super::config::Role::Officer
        } else {
            super::config::Role::Mace
        },
        localities: given.mace_localities,
        ..DeskConfig::default()
    };
    check(&desk)?;
    Ok(desk)
}

/// The files must be there now, so a typing error shows at once rather than at first use.
fn check(desk: &DeskConfig) -> anyhow::Result<()> {
    if !desk.gateway.trim().starts_with("https://") {
        anyhow::bail!("the gateway's address must start with https://");
    }
    if let Some(problem) = super::config::check_role(desk) {
        anyhow::bail!("{problem}");
    }
    let officer_key = Some(&desk.officer_key).filter(|p| !p.as_os_str().is_empty());
    for (what, p) in [
        ("the age identity", Some(&desk.identity)),
        ("the officer key", officer_key),
        ("the signing keys", Some(&desk.signing_keys)),
        ("the CA certificates", desk.ca.as_ref()),
    ] {
        if let Some(p) = p.filter(|p| !p.is_file()) {
            anyhow::bail!("{what}: {} is not a file", p.display());
        }
    }
    if !desk.mailbox.is_dir() {
        anyhow::bail!("the mailbox: {} is not a folder", desk.mailbox.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_values_are_asked_for_or_named_as_flags() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("f");
        std::fs::write(&file, "x").expect("file");
        let given = Given {
            gateway: Some("https://gw.example".into()),
            identity: Some(file.clone()),
            officer_key: Some(file.clone()),
            signing_keys: Some(file.clone()),
            ..Given::default()
        };
        let refused = complete(given.clone(), None).expect_err("no terminal");
        assert!(refused.to_string().contains("--ca, --mailbox"), "{refused}");
        let mut asked = Vec::new();
        let mailbox = dir.path().display().to_string();
        let mut ask = |q: &str| {
            asked.push(q.to_string());
            Ok(if q.starts_with("CA") {
                String::new()
            } else {
                mailbox.clone()
            })
        };
        let desk = complete(given, Some(&mut ask)).expect("complete");
        assert_eq!(asked.len(), 2, "{asked:?}");
        assert_eq!(desk.ca, None);
        assert_eq!(desk.mailbox, dir.path());
    }

    #[test]
    fn relative_paths_are_written_whole_from_where_the_command_runs() {
        let given = Given {
            gateway: Some("https://gw.example".into()),
            ca: Some("-".into()),
            identity: Some("Cargo.toml".into()),
            officer_key: Some("Cargo.toml".into()),
            signing_keys: Some("Cargo.toml".into()),
            mailbox: Some("src".into()),
            port: None,
            mace_localities: vec![],
        };
        let desk = complete(given, None).expect("complete");
        let here = std::env::current_dir().expect("cwd");
        assert_eq!(desk.identity, here.join("Cargo.toml"));
        assert_eq!(desk.mailbox, here.join("src"));
    }

    #[test]
    fn a_mace_coordinators_desk_needs_its_localities_and_no_officer_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("f");
        std::fs::write(&file, "x").expect("file");
        let given = Given {
            gateway: Some("https://gw.example".into()),
            ca: Some("-".into()),
            identity: Some(file.clone()),
            signing_keys: Some(file.clone()),
            mailbox: Some(dir.path().to_path_buf()),
            mace_localities: vec!["HARROGATE".into()],
            ..Given::default()
        };
        let desk = complete(given.clone(), None).expect("nothing to ask");
        assert_eq!(desk.role, super::super::config::Role::Mace);
        assert_eq!(desk.localities, ["HARROGATE"]);
        assert!(desk.officer_key.as_os_str().is_empty());
        let wrong = Given {
            mace_localities: vec!["NARNIA".into()],
            ..given
        };
        let e = complete(wrong, None).expect_err("not a locality");
        assert!(e.to_string().contains("NARNIA"), "{e}");
    }
}
