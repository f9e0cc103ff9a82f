//! The officer's age identity for the desk: an identity file as `age-keygen` writes it, or one
//! protected with a passphrase (`age -p` over that file, which `age -d -i` also accepts). A
//! protected file is opened once at start with the passphrase asked for on the terminal; the
//! passphrase is dropped at once and never stored, and the identity's text is held in memory
//! (wiped when the desk stops) so every decrypting thread can parse its own copy.

use anyhow::Context;
use std::path::Path;
use zeroize::Zeroizing;

/// The scrypt work factor accepted from a protected identity (age's own default ceiling is
/// higher; a file made with a larger one would take minutes to open on a laptop).
const MAX_WORK_FACTOR: u8 = 22;

/// Whether the identity file is itself an age envelope (protected with a passphrase).
pub fn is_protected(bytes: &[u8]) -> bool {
    bytes.starts_with(b"age-encryption.org/") || {
        let text = String::from_utf8_lossy(&bytes[..bytes.len().min(64)]);
        text.trim_start()
            .starts_with("-----BEGIN AGE ENCRYPTED FILE-----")
    }
}

/// The identity file's text, opened with `passphrase` when it is protected. `passphrase` is
/// asked for only then.
pub fn read(
    path: &Path,
    passphrase: &mut dyn FnMut() -> anyhow::Result<age::secrecy::SecretString>,
) -> anyhow::Result<Zeroizing<String>> {
    let bytes = Zeroizing::new(
        std::fs::read(path).with_context(|| format!("reading identity file {}", path.display()))?,
    );
    let text = if is_protected(&bytes) {
        let mut scrypt = age::scrypt::Identity::new(passphrase()?);
        scrypt.set_max_work_factor(MAX_WORK_FACTOR);
        let ids: [Box<dyn age::Identity>; 1] = [Box::new(scrypt)];
        let plain = crate::seal::decrypt(&bytes, &ids).map_err(|e| match e {
            crate::seal::DecryptError::NoMatchingKey => anyhow::anyhow!(
                "{}: the passphrase does not open this identity",
                path.display()
            ),
            e => anyhow::anyhow!("{}: {e}", path.display()),
        })?;
        Zeroizing::new(
            String::from_utf8(plain.to_vec())
                .map_err(|_| anyhow::anyhow!("{} does not hold an identity", path.display()))?,
        )
    } else {
        Zeroizing::new(
            String::from_utf8(bytes.to_vec())
                .map_err(|_| anyhow::anyhow!("{} is not an identity file", path.display()))?,
        )
    };
    if crate::keys::parse_identities(&text).is_none_or(|i| i.is_empty()) {
        anyhow::bail!("{} holds no usable age identity", path.display());
    }
    Ok(text)
}

/// Asks for the passphrase on the terminal, without echo.
pub fn ask_on_terminal(path: &Path) -> anyhow::Result<age::secrecy::SecretString> {
    let answer =
        rpassword::prompt_password(format!("Passphrase for the identity {}: ", path.display()))
            .context("reading the passphrase from the terminal")?;
    Ok(age::secrecy::SecretString::from(answer))
}

#[cfg(test)]
mod tests {
    use super::*;
    use age::secrecy::{ExposeSecret, SecretString};

    fn protect(text: &str, passphrase: &str) -> Vec<u8> {
        use std::io::Write;
        let e = age::Encryptor::with_user_passphrase(SecretString::from(passphrase.to_string()));
        let mut out = Vec::new();
        let mut w = e.wrap_output(&mut out).expect("wrap");
        w.write_all(text.as_bytes()).expect("write");
        w.finish().expect("finish");
        out
    }

    #[test]
    fn a_protected_identity_opens_with_its_passphrase_only_and_a_plain_one_asks_for_none() {
        let dir = tempfile::tempdir().expect("tempdir");
        let identity = age::x25519::Identity::generate();
        let text = identity.to_string().expose_secret().to_string();
        let plain = dir.path().join("plain.txt");
        std::fs::write(&plain, &text).expect("w");
        let mut never = || -> anyhow::Result<SecretString> { panic!("asked for a passphrase") };
        assert_eq!(read(&plain, &mut never).expect("reads").as_str(), text);

        let protected = dir.path().join("protected.age");
        std::fs::write(&protected, protect(&text, "correct horse")).expect("w");
        let mut asked = 0;
        let mut right = || {
            asked += 1;
            Ok(SecretString::from("correct horse".to_string()))
        };
        assert_eq!(read(&protected, &mut right).expect("opens").as_str(), text);
        assert_eq!(asked, 1);
        let mut wrong = || Ok(SecretString::from("wrong".to_string()));
        let e = read(&protected, &mut wrong).expect_err("refused");
        assert!(e.to_string().contains("passphrase"), "{e}");
        // An age file that holds no identity is refused too.
        std::fs::write(&protected, protect("not a key", "x")).expect("w");
        let mut x = || Ok(SecretString::from("x".to_string()));
        assert!(read(&protected, &mut x).is_err());
    }
}
