//! `keygen`: the keys a deployment needs, made where they will be kept; and the secrets keys.

use super::*;

pub(crate) fn keygen(
    output: Option<std::path::PathBuf>,
    signing: bool,
    officer: bool,
) -> anyhow::Result<ExitCode> {
    if officer {
        let Some(path) = output else {
            anyhow::bail!("--officer needs --output FILE (the private key is never printed)");
        };
        // An officer key is an Ed25519 key like the gateway's own, made the same way.
        let public = SigningKey::create(&path)?;
        eprintln!(
            "officer key {} written to {} (mode 0600); keep it on your own machine. List its \
             public key in your route's officers:\n  officers = [\"{}\"]",
            public.id(),
            path.display(),
            public.to_base64()
        );
        println!("{}", public.to_base64());
        return Ok(ExitCode::SUCCESS);
    }
    if signing {
        let Some(path) = output else {
            anyhow::bail!("--signing needs --output FILE (the private key is never printed)");
        };
        let public = SigningKey::create(&path)?;
        eprintln!(
            "signing key written to {} (mode 0600); set server.signing_key to it, outside the spool",
            path.display()
        );
        println!("signing key {} {}", public.id(), public.to_base64());
        return Ok(ExitCode::SUCCESS);
    }
    match output {
        Some(path) => {
            let public = pis_gateway::keys::keygen(&path)?;
            eprintln!(
                "identity written to {} (keep it off the gateway server)",
                path.display()
            );
            println!("{public}");
        }
        None => {
            use age::secrecy::ExposeSecret;
            let identity = age::x25519::Identity::generate();
            eprintln!("Public key: {}", identity.to_public());
            println!("# public key: {}", identity.to_public());
            println!("{}", identity.to_string().expose_secret());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `spool copy`: everything from one spool into another, empty one, then both compared.
/// What is sealed (the spool's secrets and notice addresses) is sealed under the source's
/// `spool.secrets_key_file`. A destination without a key file gets a copy of the source's (mode
/// 0600), and the copy is as stored; a destination with a key of its own gets everything sealed
/// again under it, which is how the key is rotated. `Some((source's, destination's))` then.
pub(crate) fn secrets_keys(
    source: &pis_gateway::config::SpoolSettings,
    destination: &pis_gateway::config::SpoolSettings,
) -> anyhow::Result<Option<(SecretsKey, SecretsKey)>> {
    let (from, to) = (source.secrets_key_path(), destination.secrets_key_path());
    let key = std::fs::read(&from).with_context(|| format!("reading {}", from.display()))?;
    match std::fs::read(&to) {
        Ok(theirs) if theirs == key => Ok(None),
        Ok(_) => {
            println!(
                "re-sealing under the destination's secrets key {}",
                to.display()
            );
            Ok(Some((
                SecretsKey::load_or_create(&from)?,
                SecretsKey::load_or_create(&to)
                    .context("the destination's spool.secrets_key_file")?,
            )))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            pis_gateway::keyfile::write_new(&to, &key)?;
            println!("copied the secrets key to {}", to.display());
            Ok(None)
        }
        Err(e) => Err(e).with_context(|| format!("reading {}", to.display())),
    }
}
