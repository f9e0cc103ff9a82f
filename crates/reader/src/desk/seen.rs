//! What the officer has seen: each case they opened, by reference, with the time they opened
//! it, kept in a 0600 file beside the desk file so "new since you last looked" survives a
//! restart. References and times only: nothing decrypted is ever written here.

use super::inbox::Case;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Why a case counts as new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fresh {
    /// Never opened on this desk.
    Unopened,
    /// Opened, but an addendum to it (the submitter's answer or more) has come since.
    NewAddendum,
}

impl Fresh {
    pub fn words(self) -> &'static str {
        match self {
            Fresh::Unopened => "New",
            Fresh::NewAddendum => "New addendum",
        }
    }
}

/// The references opened and when (RFC 3339, UTC).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Seen {
    #[serde(default)]
    pub opened: BTreeMap<String, String>,
    /// The file it is kept in; none keeps it in memory only.
    #[serde(skip)]
    file: Option<PathBuf>,
}

impl Seen {
    /// Reads the file if there is one. A file that cannot be read is started afresh (and
    /// named in the warning): at worst every case shows as new again.
    pub fn load(file: Option<PathBuf>) -> (Self, Option<String>) {
        let Some(path) = file else {
            return (Seen::default(), None);
        };
        let (mut seen, warning) = match std::fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice::<Seen>(&bytes) {
                Ok(s) => (s, None),
                Err(e) => (
                    Seen::default(),
                    Some(format!("{} could not be read ({e})", path.display())),
                ),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Seen::default(), None),
            Err(e) => (
                Seen::default(),
                Some(format!("{} could not be read ({e})", path.display())),
            ),
        };
        seen.file = Some(path);
        (seen, warning)
    }

    /// Marks a case opened at `now`, and writes the file.
    pub fn open(&mut self, reference: &str, now: &str) -> std::io::Result<()> {
        self.opened.insert(reference.to_string(), now.to_string());
        match &self.file {
            Some(path) => write_private(path, &serde_json::to_vec_pretty(self)?),
            None => Ok(()),
        }
    }

    /// Marks a case opened at `now` with the addenda its page shows in its thread, which
    /// opening it has read too, and writes the file.
    pub fn open_case(&mut self, reference: &str, cases: &[Case], now: &str) -> std::io::Result<()> {
        for c in cases
            .iter()
            .filter(|c| c.follow_up_of.as_deref() == Some(reference))
        {
            self.opened.insert(c.reference.clone(), now.to_string());
        }
        self.open(reference, now)
    }

    /// Every case that is new: never opened, or an original with an addendum never opened.
    /// An addendum is listed under its own reference too.
    pub fn fresh(&self, cases: &[Case]) -> HashMap<String, Fresh> {
        let mut out = HashMap::new();
        let present: HashSet<&str> = cases.iter().map(|c| c.reference.as_str()).collect();
        for c in cases
            .iter()
            .filter(|c| !self.opened.contains_key(&c.reference))
        {
            out.insert(c.reference.clone(), Fresh::Unopened);
            if let Some(original) = c.follow_up_of.as_deref() {
                if present.contains(original) && self.opened.contains_key(original) {
                    out.insert(original.to_string(), Fresh::NewAddendum);
                }
            }
        }
        out
    }
}

/// Writes the file whole, mode 0600, through a temporary file beside it, so a crash leaves
/// either the old file or the new one.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("json.tmp");
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut file = opts.open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    #[cfg(unix)]
    {
        // A file left from before with a wider mode is narrowed.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))?;
    }
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::open::Provenance;

    fn case(reference: &str, of: Option<&str>) -> Case {
        let mut doc = serde_json::json!({"reference": reference, "priority": "ROUTINE",
            "received_at": "2026-12-01T00:00:00Z", "answers": {"what_happened": "SECRET-WORDS"}});
        if let Some(o) = of {
            doc["follow_up_of"] = o.into();
        }
        super::super::inbox::case_of(doc, Provenance::Signed("k".into()), None)
    }

    #[test]
    fn opened_cases_stop_being_new_until_an_addendum_comes_and_the_file_keeps_only_references() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("desk-seen.json");
        let (mut seen, warning) = Seen::load(Some(file.clone()));
        assert!(warning.is_none());
        let mut cases = vec![case("PIS-AAAA-0001", None), case("PIS-AAAA-0002", None)];
        assert_eq!(seen.fresh(&cases).len(), 2);
        seen.open("PIS-AAAA-0001", "2026-12-07T10:00:00Z")
            .expect("written");
        assert_eq!(
            seen.fresh(&cases),
            HashMap::from([("PIS-AAAA-0002".to_string(), Fresh::Unopened)])
        );
        // Read back after a restart; then an addendum to the opened report arrives.
        let (seen, _) = Seen::load(Some(file.clone()));
        cases.push(case("PIS-AAAA-0003", Some("PIS-AAAA-0001")));
        let fresh = seen.fresh(&cases);
        assert_eq!(fresh.get("PIS-AAAA-0001"), Some(&Fresh::NewAddendum));
        assert_eq!(fresh.get("PIS-AAAA-0003"), Some(&Fresh::Unopened));
        let text = std::fs::read_to_string(&file).expect("file");
        assert!(
            text.contains("PIS-AAAA-0001") && !text.contains("SECRET"),
            "{text}"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Opening the original's page, which shows the addendum in its thread, reads both.
        let (mut seen, _) = Seen::load(Some(file.clone()));
        seen.open_case("PIS-AAAA-0001", &cases, "2026-12-07T11:00:00Z")
            .expect("written");
        let fresh = seen.fresh(&cases);
        assert_eq!(fresh.get("PIS-AAAA-0001"), None);
        assert_eq!(fresh.get("PIS-AAAA-0003"), None);
        // A damaged file starts afresh, with a warning, rather than stopping the desk.
        std::fs::write(&file, "{not json").expect("w");
        let (seen, warning) = Seen::load(Some(file));
        assert!(warning.is_some() && seen.opened.is_empty());
    }
}
