//! Writing a private key file: mode 0600, never over an existing file, synced before the key
//! is reported as made (rage `rage-keygen`). Every `keygen` variant writes through here: age
//! identities, the gateway's signing key and officers' keys.

use std::io::Write;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("{0} already exists; refusing to overwrite a key")]
    Exists(String),
    #[error("cannot write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// Creates `path` (mode 0600 on Unix; `create_new`, so an existing file is left alone) and
/// writes `contents` to it durably.
pub fn write_new(path: &Path, contents: &[u8]) -> Result<(), KeyFileError> {
    let shown = path.display().to_string();
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut file = opts.open(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::AlreadyExists {
            KeyFileError::Exists(shown.clone())
        } else {
            KeyFileError::Io {
                path: shown.clone(),
                source,
            }
        }
    })?;
    file.write_all(contents)
        .and_then(|_| file.sync_all())
        .map_err(|source| KeyFileError::Io {
            path: shown,
            source,
        })
}
