//! `desk.toml`: where the officer's desk and the officer commands find the gateway, the keys
//! and the mailbox on the officer's machine. Written once by `pis-gateway desk init` (mode
//! 0600: it names where the keys are), read by [`load`].

use anyhow::Context;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The officer's desk configuration. Relative paths are taken from the file's own folder.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeskConfig {
    /// The gateway's public address, `https://host[:port]`.
    pub gateway: String,
    /// The CA certificates (PEM) the gateway's certificate is checked against; the system's
    /// when absent.
    #[serde(default)]
    pub ca: Option<PathBuf>,
    /// The officer's age identity (a recipient of their route).
    pub identity: PathBuf,
    /// The officer's Ed25519 key (`keygen --officer`); a MACE coordinator's desk signs
    /// nothing and may leave it out.
    #[serde(default)]
    pub officer_key: PathBuf,
    /// The gateway's published signing keys, saved from
    /// `/.well-known/pis-gateway/signing-keys`: the pinned keys documents are checked against.
    pub signing_keys: PathBuf,
    /// A Maildir, or a folder of `.eml`/`.age` files.
    pub mailbox: PathBuf,
    /// The mailbox on an IMAP server instead (`[imap]`): read-only, over TLS; `mailbox` is
    /// then not read.
    #[serde(default)]
    pub imap: Option<crate::open::imap::ImapSettings>,
    /// The desk's port on 127.0.0.1; a free one when absent.
    #[serde(default)]
    pub port: Option<u16>,
    /// Who uses this desk: an officer (the default) or a MACE coordinator.
    #[serde(default)]
    pub role: Role,
    /// For a MACE coordinator: the localities they coordinate (codes such as `HARROGATE`).
    #[serde(default)]
    pub localities: Vec<String>,
    /// Where the desk keeps what the officer has seen (references and times only): beside the
    /// desk file. Not a setting; none for a desk built in code, which then keeps it in memory.
    #[serde(skip)]
    pub state_file: Option<PathBuf>,
}

/// The desk's role: what it shows and which actions it offers and accepts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Police intelligence: every report the identity opens, and every action.
    #[default]
    Officer,
    /// A MACE coordinator: only the restricted views (and notices) for their localities, and
    /// confirming receipt.
    Mace,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Mace => "mace",
        }
    }
}

/// The name of the file, beside the desk file, where the desk keeps what was seen.
pub const STATE_FILE: &str = "desk-seen.json";

/// What is wrong with the role and localities, if anything.
pub(crate) fn check_role(desk: &DeskConfig) -> Option<String> {
    use crate::locality::LOCALITIES;
    match desk.role {
        Role::Officer if !desk.localities.is_empty() => {
            Some("localities are for role = \"mace\" only".into())
        }
        Role::Officer if desk.officer_key.as_os_str().is_empty() => {
            Some("officer_key is required (keygen --officer)".into())
        }
        Role::Officer => None,
        Role::Mace if desk.localities.is_empty() => {
            Some("role = \"mace\" needs localities, e.g. localities = [\"HARROGATE\"]".into())
        }
        Role::Mace => desk
            .localities
            .iter()
            .find(|l| !LOCALITIES.contains(&l.as_str()) || *l == "UNKNOWN" || *l == "OUTSIDE_AREA")
            .map(|l| format!("localities: `{l}` is not a MACE locality")),
    }
}

/// `$XDG_CONFIG_HOME/pis-gateway/desk.toml`, else `~/.config/pis-gateway/desk.toml`.
pub fn default_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".config"))
        })?;
    Some(base.join("pis-gateway").join("desk.toml"))
}

/// The desk file to use: `flag` (which must exist), else the default location when a file is
/// there, else none (the commands then need their flags).
pub fn find(flag: Option<&Path>) -> anyhow::Result<Option<DeskConfig>> {
    match flag {
        Some(path) => load(path).map(Some),
        None => match default_path().filter(|p| p.is_file()) {
            Some(path) => load(&path).map(Some),
            None => Ok(None),
        },
    }
}

/// Reads and checks a desk file; relative paths become relative to its folder.
pub fn load(path: &Path) -> anyhow::Result<DeskConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the desk file {}", path.display()))?;
    let mut desk: DeskConfig =
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    if !desk.gateway.trim().starts_with("https://") {
        anyhow::bail!("{}: gateway must be an https:// URL", path.display());
    }
    if let Some(problem) = check_role(&desk) {
        anyhow::bail!("{}: {problem}", path.display());
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    desk.state_file = Some(dir.join(STATE_FILE));
    let (imap_password, imap_ca) = match desk.imap.as_mut() {
        Some(i) => (i.password_file.as_mut(), i.ca_file.as_mut()),
        None => (None, None),
    };
    for p in [
        Some(&mut desk.identity),
        Some(&mut desk.officer_key),
        Some(&mut desk.signing_keys),
        Some(&mut desk.mailbox),
        desk.ca.as_mut(),
        imap_password,
        imap_ca,
    ]
    .into_iter()
    .flatten()
    {
        if p.is_relative() && !p.as_os_str().is_empty() {
            *p = dir.join(&*p);
        }
    }
    Ok(desk)
}

/// A TOML basic string.
fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The file's text, with a comment for each setting.
pub fn to_toml(d: &DeskConfig) -> String {
    let path = |p: &Path| quoted(&p.display().to_string());
    let mut out =
        String::from("# The officer's desk (pis-gateway desk). Keep this machine's keys on it.\n");
    out.push_str(&format!(
        "# The gateway's public address.\ngateway = {}\n",
        quoted(&d.gateway)
    ));
    if let Some(ca) = &d.ca {
        out.push_str(&format!(
            "# CA certificates for the gateway's certificate.\nca = {}\n",
            path(ca)
        ));
    }
    out.push_str(&format!(
        "# Your age identity.\nidentity = {}\n",
        path(&d.identity)
    ));
    if !d.officer_key.as_os_str().is_empty() {
        out.push_str(&format!(
            "# Your officer key (keygen --officer).\nofficer_key = {}\n",
            path(&d.officer_key)
        ));
    }
    out.push_str(&format!(
        "# The gateway's signing keys, saved from /.well-known/pis-gateway/signing-keys.\nsigning_keys = {}\n",
        path(&d.signing_keys)
    ));
    out.push_str(&format!(
        "# A Maildir, or a folder of .eml/.age files.\nmailbox = {}\n",
        path(&d.mailbox)
    ));
    if let Some(port) = d.port {
        out.push_str(&format!("# The desk's port on 127.0.0.1.\nport = {port}\n"));
    }
    if d.role == Role::Mace {
        let localities: Vec<String> = d.localities.iter().map(|l| quoted(l)).collect();
        out.push_str(&format!(
            "# A MACE coordinator's desk, for these localities.\nrole = \"mace\"\nlocalities = [{}]\n",
            localities.join(", ")
        ));
    }
    out
}

/// Writes a new desk file, mode 0600, never over an existing one; makes its folder (0700).
pub fn write(path: &Path, desk: &DeskConfig) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    crate::keyfile::write_new(path, to_toml(desk).as_bytes())
        .map_err(|e| anyhow::anyhow!("{e} (remove it first to write a new one)"))?;
    // Read back as the commands will, so a file `init` writes always loads.
    load(path).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_desk_file_loads_back_with_paths_relative_to_its_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("conf/desk.toml");
        let desk = DeskConfig {
            gateway: "https://gw.example:8443".into(),
            ca: Some("ca \"odd\" \\ name.pem".into()),
            identity: "/keys/me.txt".into(),
            officer_key: "officer.pem".into(),
            signing_keys: "keys.json".into(),
            mailbox: "/home/me/Maildir".into(),
            imap: None,
            port: Some(8765),
            ..DeskConfig::default()
        };
        write(&path, &desk).expect("written");
        let back = load(&path).expect("loads");
        assert_eq!(back.gateway, desk.gateway);
        assert_eq!(back.identity, PathBuf::from("/keys/me.txt"));
        assert_eq!(back.officer_key, dir.path().join("conf/officer.pem"));
        assert_eq!(
            back.ca,
            Some(dir.path().join("conf/ca \"odd\" \\ name.pem"))
        );
        assert_eq!(back.port, Some(8765));
        assert_eq!(back.role, Role::Officer);
        assert_eq!(
            back.state_file,
            Some(dir.path().join("conf").join(STATE_FILE))
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(write(&path, &desk).is_err(), "an existing file is kept");
    }

    #[test]
    fn a_desk_file_with_a_plain_http_gateway_or_an_unknown_key_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("desk.toml");
        let base = "identity = \"i\"\nofficer_key = \"o\"\nsigning_keys = \"s\"\nmailbox = \"m\"\n";
        std::fs::write(&path, format!("gateway = \"http://gw\"\n{base}")).expect("w");
        assert!(load(&path).is_err());
        std::fs::write(
            &path,
            format!("gateway = \"https://gw\"\nmailbxo = \"x\"\n{base}"),
        )
        .expect("w");
        assert!(load(&path).is_err());
    }

    #[test]
    fn an_imap_table_names_the_mailbox_with_its_files_read_beside_the_desk_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("desk.toml");
        std::fs::write(
            &path,
            "gateway = \"https://gw\"\nidentity = \"i\"\nofficer_key = \"o\"\n\
             signing_keys = \"s\"\nmailbox = \"m\"\n[imap]\nhost = \"mail.example\"\n\
             user = \"intel\"\npassword_file = \"imap-password\"\nca_file = \"mail-ca.pem\"\n",
        )
        .expect("w");
        let desk = load(&path).expect("loads");
        let imap = desk.imap.expect("an [imap] table");
        assert_eq!(imap.host, "mail.example");
        assert_eq!(imap.password_file, Some(dir.path().join("imap-password")));
        assert_eq!(imap.ca_file, Some(dir.path().join("mail-ca.pem")));
    }

    #[test]
    fn a_mace_desk_names_real_localities_and_an_officer_desk_none() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("desk.toml");
        let base =
            "gateway = \"https://gw\"\nidentity = \"i\"\nsigning_keys = \"s\"\nmailbox = \"m\"\n";
        let load_with = |extra: &str| {
            std::fs::write(&path, format!("{base}{extra}")).expect("w");
            load(&path)
        };
        let mace = load_with("role = \"mace\"\nlocalities = [\"HARROGATE\"]\n").expect("loads");
        assert_eq!(mace.role, Role::Mace);
        assert_eq!(mace.localities, ["HARROGATE"]);
        assert!(
            mace.officer_key.as_os_str().is_empty(),
            "no officer key needed"
        );
        let written = DeskConfig {
            state_file: None,
            ..mace.clone()
        };
        let again = dir.path().join("again.toml");
        write(&again, &written).expect("written");
        assert_eq!(load(&again).expect("loads").localities, ["HARROGATE"]);
        for bad in [
            "role = \"mace\"\n",
            "role = \"mace\"\nlocalities = [\"UNKNOWN\"]\n",
            "role = \"mace\"\nlocalities = [\"ATLANTIS\"]\n",
            "role = \"chief\"\nofficer_key = \"o\"\n",
            "officer_key = \"o\"\nlocalities = [\"HARROGATE\"]\n",
            "",
        ] {
            assert!(load_with(bad).is_err(), "{bad:?} is refused");
        }
        assert!(load_with("officer_key = \"o\"\n").is_ok());
    }
}
