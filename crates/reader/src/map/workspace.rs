//! The analyst's workspace (`map --workspace FILE`): their merge and split decisions, kept in a
//! JSON file (mode 0600) that `map` reads again on every run, so a decision survives new
//! reports. The page exports the same format with the decisions made in it added.
//!
//! A decision names entities by identity (`kind:key`, as the i2 export does): a strong key
//! ("person:kai brown|2009-01-01"), a place or a plate, or one report's person
//! ("person:PIS-AAAA-BBBB#0"), all of which stay the same from run to run. Notes name one
//! entity, or the two ends of a link, the same way, and go with them into the exports.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Decision {
    /// These entities are one.
    Merge { members: Vec<String> },
    /// This entity is not the same as those it was joined with.
    Split { member: String },
}

/// The analyst's note on an entity (`about` names it) or a link (`about` names its two ends).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub about: Vec<String>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workspace {
    pub marking: String,
    pub version: u32,
    #[serde(default)]
    pub decisions: Vec<Decision>,
    #[serde(default)]
    pub notes: Vec<Note>,
    /// The Level 2 packs made with this workspace, by locality.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub packs: BTreeMap<String, PackDays>,
}

/// When a locality's Level 2 pack was made: the latest day, and the day of the pack before it,
/// from which "newly linked since the last meeting" is counted (so making the pack again on
/// the same day counts from the same meeting).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackDays {
    pub made: String,
    #[serde(default)]
    pub since: Option<String>,
}

impl Default for Workspace {
    fn default() -> Self {
        Workspace {
            marking: super::output::MARKING.into(),
            version: VERSION,
            decisions: Vec::new(),
            notes: Vec::new(),
            packs: BTreeMap::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("reading the workspace {0}: {1}")]
    Read(String, std::io::Error),
    #[error("the workspace {0} is not a map workspace: {1}")]
    Format(String, serde_json::Error),
    #[error("the workspace {0} is version {1}; this map reads version {VERSION}")]
    Version(String, u32),
    #[error("writing the workspace {0}: {1}")]
    Write(String, std::io::Error),
}

/// Decisions at most: a workspace is the analyst's own file, but a larger one is a mistake
/// (or not a workspace), and is refused rather than slowing every run.
const MAX_DECISIONS: usize = 100_000;
/// Characters in a note at most.
const MAX_NOTE: usize = 5_000;
/// Bytes at most.
const MAX_BYTES: u64 = 64 << 20;

impl Workspace {
    /// Reads `path`; a file that does not exist yet is an empty workspace.
    pub fn load(path: &Path) -> Result<Workspace, WorkspaceError> {
        let name = || path.display().to_string();
        let bytes = match std::fs::File::open(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Workspace::default()),
            Err(e) => return Err(WorkspaceError::Read(name(), e)),
            Ok(f) => {
                use std::io::Read;
                let mut b = Vec::new();
                f.take(MAX_BYTES + 1)
                    .read_to_end(&mut b)
                    .map_err(|e| WorkspaceError::Read(name(), e))?;
                if b.len() as u64 > MAX_BYTES {
                    return Err(WorkspaceError::Read(
                        name(),
                        std::io::Error::other("larger than 64 MiB"),
                    ));
                }
                b
            }
        };
        let ws: Workspace =
            serde_json::from_slice(&bytes).map_err(|e| WorkspaceError::Format(name(), e))?;
        if ws.version != VERSION {
            return Err(WorkspaceError::Version(name(), ws.version));
        }
        if ws.decisions.len() > MAX_DECISIONS || ws.notes.len() > MAX_DECISIONS {
            return Err(WorkspaceError::Read(
                name(),
                std::io::Error::other("more than 100,000 decisions or notes"),
            ));
        }
        if ws
            .notes
            .iter()
            .any(|n| !(1..=2).contains(&n.about.len()) || n.text.chars().count() > MAX_NOTE)
        {
            return Err(WorkspaceError::Read(
                name(),
                std::io::Error::other(
                    "a note must be about one entity or one link, in at most 5,000 characters",
                ),
            ));
        }
        Ok(ws)
    }

    /// Writes the workspace to `path` with mode 0600, replacing it whole (a temporary file
    /// beside it, renamed), so an interrupted run never leaves half a file.
    pub fn save(&self, path: &Path) -> Result<(), WorkspaceError> {
        let name = || path.display().to_string();
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut tmp = tempfile::Builder::new()
            .prefix(".workspace")
            .tempfile_in(dir)
            .map_err(|e| WorkspaceError::Write(name(), e))?;
        // tempfile creates the file 0600 on Unix; said again so it never depends on that.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o600))
                .map_err(|e| WorkspaceError::Write(name(), e))?;
        }
        serde_json::to_writer_pretty(&mut tmp, self)
            .map_err(|e| WorkspaceError::Write(name(), std::io::Error::other(e)))?;
        tmp.as_file()
            .sync_all()
            .map_err(|e| WorkspaceError::Write(name(), e))?;
        tmp.persist(path)
            .map_err(|e| WorkspaceError::Write(name(), e.error))?;
        Ok(())
    }

    /// Records that `locality`'s pack is made on `today` (`YYYY-MM-DD`); the day of the pack
    /// before it, the last meeting, if any.
    pub fn record_pack(&mut self, locality: &str, today: &str) -> Option<String> {
        let since = match self.packs.get(locality) {
            Some(p) if p.made.as_str() >= today => p.since.clone(),
            Some(p) => Some(p.made.clone()),
            None => None,
        };
        self.packs.insert(
            locality.to_string(),
            PackDays {
                made: today.to_string(),
                since: since.clone(),
            },
        );
        since
    }

    /// The last meeting's day for `locality`'s pack, as recorded by `record_pack`.
    pub fn pack_since(&self, locality: &str) -> Option<&str> {
        self.packs.get(locality).and_then(|p| p.since.as_deref())
    }

    /// The decisions as they stand after each one is taken in order: a split takes its entity
    /// out of the merges before it, and a later merge can take it back.
    pub fn decisions(&self) -> Decisions {
        let mut merges: Vec<Vec<String>> = Vec::new();
        let mut splits: HashSet<String> = HashSet::new();
        for d in &self.decisions {
            match d {
                Decision::Merge { members } => {
                    for m in members {
                        splits.remove(m);
                    }
                    merges.push(members.clone());
                }
                Decision::Split { member } => {
                    for m in &mut merges {
                        m.retain(|x| x != member);
                    }
                    splits.insert(member.clone());
                }
            }
        }
        merges.retain(|m| m.len() > 1);
        Decisions {
            merges,
            splits,
            notes: self.notes.clone(),
        }
    }
}

/// The decisions in effect: entities to join, and entities kept apart from any automatic
/// "possible same" joining.
#[derive(Debug, Clone, Default)]
pub struct Decisions {
    pub merges: Vec<Vec<String>>,
    pub splits: HashSet<String>,
    /// Notes, carried onto the entities and links they name.
    pub notes: Vec<Note>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merge(m: &[&str]) -> Decision {
        Decision::Merge {
            members: m.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn split(m: &str) -> Decision {
        Decision::Split {
            member: m.to_string(),
        }
    }

    #[test]
    fn later_decisions_override_earlier_ones() {
        let ws = Workspace {
            decisions: vec![
                merge(&["a", "b", "c"]),
                split("c"),
                split("d"),
                merge(&["d", "e"]),
                merge(&["f", "a"]),
                split("f"),
            ],
            ..Workspace::default()
        };
        let d = ws.decisions();
        assert_eq!(
            d.merges,
            vec![
                vec!["a".to_string(), "b".into()],
                vec!["d".into(), "e".into()]
            ]
        );
        let mut splits: Vec<&String> = d.splits.iter().collect();
        splits.sort();
        assert_eq!(splits, ["c", "f"]);
    }

    #[test]
    fn a_workspace_is_written_0600_and_read_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("ws.json");
        assert_eq!(
            Workspace::load(&path).expect("absent is empty"),
            Workspace::default()
        );
        let ws = Workspace {
            decisions: vec![merge(&["person:a", "person:b"]), split("person:c")],
            notes: vec![Note {
                about: vec!["person:a".into()],
                text: "seen with the Station Parade group".into(),
            }],
            ..Workspace::default()
        };
        ws.save(&path).expect("saved");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(Workspace::load(&path).expect("read"), ws);
        std::fs::write(&path, b"{\"not\": \"a workspace\"}").expect("write");
        assert!(matches!(
            Workspace::load(&path),
            Err(WorkspaceError::Format(..))
        ));
        let long = format!(
            "{{\"marking\":\"OFFICIAL-SENSITIVE\",\"version\":1,\"notes\":[{{\"about\":[\"person:a\"],\"text\":\"{}\"}}]}}",
            "x".repeat(5_001)
        );
        std::fs::write(&path, long).expect("write");
        assert!(matches!(
            Workspace::load(&path),
            Err(WorkspaceError::Read(..))
        ));
        std::fs::write(
            &path,
            b"{\"marking\":\"OFFICIAL-SENSITIVE\",\"version\":9,\"decisions\":[]}",
        )
        .expect("write");
        assert!(matches!(
            Workspace::load(&path),
            Err(WorkspaceError::Version(_, 9))
        ));
    }

    #[test]
    fn the_last_meeting_is_the_pack_before_todays() {
        let mut ws = Workspace::default();
        assert_eq!(
            ws.record_pack("SELBY", "2026-10-01"),
            None,
            "the first pack"
        );
        assert_eq!(
            ws.record_pack("SELBY", "2026-11-05").as_deref(),
            Some("2026-10-01")
        );
        assert_eq!(
            ws.record_pack("SELBY", "2026-11-05").as_deref(),
            Some("2026-10-01"),
            "made again the same day: still since the last meeting"
        );
        assert_eq!(ws.record_pack("CRAVEN", "2026-11-05"), None, "per locality");
        assert_eq!(ws.pack_since("SELBY"), Some("2026-10-01"));
        let json = serde_json::to_string(&ws).expect("json");
        let back: Workspace = serde_json::from_str(&json).expect("read back");
        assert_eq!(back, ws, "kept in the file");
    }
}
