//! What `open` is given, as an inbox received it: `.age` envelopes, email messages (`.eml`
//! files, or any file that is a message rather than an envelope) whose attachments are
//! envelopes, folders of either, and Maildirs (`cur/` and `new/`); a mailbox on an IMAP server
//! gives the same envelopes through [`super::imap`]. The desk and the command line read mail,
//! never change it.

use std::path::{Path, PathBuf};

/// One envelope found: where it came from (shown in messages) and its bytes, binary or armored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub label: String,
    pub bytes: Vec<u8>,
}

/// Everything found in `paths`, in order, and a problem for each path that gave nothing (a
/// folder with no envelope or message, a message with no envelope attached, an unreadable file).
pub fn envelopes_in(paths: &[PathBuf]) -> (Vec<Envelope>, Vec<String>) {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        let before = found.len();
        let outcome = if path.is_dir() {
            read_folder(path, &mut found)
        } else {
            read_file(path, &mut found)
        };
        match outcome {
            Err(e) => problems.push(format!("{}: {e}", path.display())),
            Ok(()) if found.len() == before => problems.push(format!(
                "{}: no age envelope in it (nor in a message attached to it)",
                path.display()
            )),
            Ok(()) => {}
        }
    }
    (found, problems)
}

/// A Maildir's messages (`cur/` then `new/`), or a folder's `.age` and `.eml` files, each in
/// name order.
fn read_folder(dir: &Path, found: &mut Vec<Envelope>) -> std::io::Result<()> {
    let maildir: Vec<PathBuf> = ["cur", "new"]
        .iter()
        .map(|d| dir.join(d))
        .filter(|d| d.is_dir())
        .collect();
    let files = if maildir.is_empty() {
        let mut files = files_of(dir)?;
        files.retain(|f| f.extension().is_some_and(|x| x == "age" || x == "eml"));
        files
    } else {
        let mut files = Vec::new();
        for d in maildir {
            files.extend(files_of(&d)?);
        }
        files
    };
    for file in files {
        read_file(&file, found)?;
    }
    Ok(())
}

fn files_of(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

/// An envelope as it is, or a message's attached envelopes.
fn read_file(path: &Path, found: &mut Vec<Envelope>) -> std::io::Result<()> {
    let bytes = std::fs::read(path)?;
    let named_envelope = path.extension().is_some_and(|x| x == "age");
    found.extend(envelopes_of(
        &path.display().to_string(),
        bytes,
        named_envelope,
    ));
    Ok(())
}

/// The envelopes one item of a mailbox holds: the item itself when it is an envelope (or is
/// named as one: the decryption then says what is wrong with it), else the envelopes attached
/// to it as a message, each labelled `label (attachment name)`.
pub fn envelopes_of(label: &str, bytes: Vec<u8>, named_envelope: bool) -> Vec<Envelope> {
    if named_envelope || is_envelope(&bytes) {
        return vec![Envelope {
            label: label.to_string(),
            bytes,
        }];
    }
    attached(&bytes)
        .into_iter()
        .map(|(name, bytes)| Envelope {
            label: format!("{label} ({name})"),
            bytes,
        })
        .collect()
}

/// Whether `bytes` is an age envelope, binary or armored.
fn is_envelope(bytes: &[u8]) -> bool {
    bytes.starts_with(b"age-encryption.org/") || bytes.starts_with(b"-----BEGIN AGE ENCRYPTED FILE")
}

/// The attachments of a message that are envelopes, with their file names (or their position).
fn attached(message: &[u8]) -> Vec<(String, Vec<u8>)> {
    use mail_parser::{MessageParser, MimeHeaders};
    let Some(parsed) = MessageParser::default().parse(message) else {
        return Vec::new();
    };
    parsed
        .attachments()
        .enumerate()
        .filter(|(_, part)| is_envelope(part.contents()))
        .map(|(i, part)| {
            // Anyone can email an inbox: the name is shown in messages, so it is made
            // terminal-safe as every other text `open` prints.
            let name = part.attachment_name().map_or_else(
                || format!("attachment {}", i + 1),
                |n| n.chars().filter(|c| !c.is_control()).take(120).collect(),
            );
            (name, part.contents().to_vec())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(parts: &[(&str, &str)]) -> String {
        let mut m = String::from(
            "From: gw@example.invalid\r\nTo: intel@example.invalid\r\nSubject: [OFFICIAL-SENSITIVE] PIS PIS-ABCD-EFGH ROUTINE\r\n\
             MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
             --b\r\nContent-Type: text/plain\r\n\r\nA submission has arrived.\r\n",
        );
        for (name, body) in parts {
            m.push_str(&format!(
                "--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: 7bit\r\n\r\n{body}\r\n"
            ));
        }
        m.push_str("--b--\r\n");
        m
    }

    const ARMORED: &str =
        "-----BEGIN AGE ENCRYPTED FILE-----\r\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCg==\r\n-----END AGE ENCRYPTED FILE-----";

    #[test]
    fn envelopes_come_from_files_messages_folders_and_maildirs_and_empty_ones_are_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let eml = dir.path().join("report.eml");
        std::fs::write(
            &eml,
            message(&[
                ("PIS-ABCD-EFGH.age", ARMORED),
                ("PIS-ABCD-EFGH-1\u{1b}[2J.age", ARMORED),
                ("notes.txt", "hello"),
            ]),
        )
        .expect("eml");
        let maildir = dir.path().join("Maildir");
        for d in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(maildir.join(d)).expect("maildir");
        }
        std::fs::write(
            maildir.join("new/1700000000.1.host"),
            message(&[("PIS-WXYZ-0000.age", ARMORED)]),
        )
        .expect("message");
        std::fs::write(
            maildir.join("tmp/half-delivered"),
            message(&[("x.age", ARMORED)]),
        )
        .expect("tmp");
        let plain = dir.path().join("PIS-QQQQ-1111.age");
        std::fs::write(&plain, b"age-encryption.org/v1\n").expect("age");
        let lonely = dir.path().join("no-envelope.eml");
        std::fs::write(&lonely, message(&[("notes.txt", "hello")])).expect("eml");
        let empty = dir.path().join("empty");
        std::fs::create_dir(&empty).expect("dir");

        let (found, problems) = envelopes_in(&[
            eml.clone(),
            maildir.clone(),
            plain.clone(),
            lonely.clone(),
            empty.clone(),
        ]);
        let labels: Vec<&str> = found.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(found.len(), 4, "{labels:?}");
        assert!(
            labels[0].ends_with("report.eml (PIS-ABCD-EFGH.age)"),
            "{labels:?}"
        );
        assert!(
            labels[1].ends_with("report.eml (PIS-ABCD-EFGH-1[2J.age)")
                && !labels[1].contains('\u{1b}'),
            "{labels:?}"
        );
        assert!(
            labels[2].contains("new/1700000000.1.host (PIS-WXYZ-0000.age)"),
            "{labels:?}"
        );
        assert!(labels[3].ends_with("PIS-QQQQ-1111.age"), "{labels:?}");
        assert!(found[0].bytes.starts_with(b"-----BEGIN AGE ENCRYPTED FILE"));
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("no-envelope.eml"), "{problems:?}");
        assert!(problems[1].contains("empty"), "{problems:?}");
    }
}
