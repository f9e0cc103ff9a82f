//! A throwaway Dovecot IMAP server for tests, one per caller.
//!
//! Debian's `dovecot` (package `dovecot-imapd`) in a private temporary folder with a
//! configuration of its own: IMAP with implicit TLS only, on a free loopback port, a
//! certificate for `localhost` signed by a CA made here with the `openssl` CLI, one user in a
//! passwd-file, and a Maildir filled with the messages given. When the tests run as root, mail
//! is served as `nobody` (Dovecot refuses root) and the Maildir is handed to that user. The
//! server is stopped and the folder removed when the value is dropped, and by a watcher
//! outside the test process once that process has gone, however it ended. Where Dovecot or
//! openssl is missing, [`Dovecot::start`] says why and the tests print SKIPPED and pass.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub(crate) struct Dovecot {
    pub dir: PathBuf,
    pub port: u16,
    pub user: String,
    /// A file holding the user's password (its only line).
    pub password_file: PathBuf,
    /// The CA that signed the server's certificate.
    pub ca_file: PathBuf,
    /// Another CA, which signed nothing the server holds.
    pub other_ca_file: PathBuf,
    /// The user's Maildir, as the server keeps it.
    pub maildir: PathBuf,
    config: PathBuf,
}

const DOVECOT: &str = "/usr/sbin/dovecot";

/// The server with `messages` in the user's INBOX, or `None` after printing SKIPPED for
/// `test` (to the real standard error, past the test harness's capture).
pub(crate) fn or_skip(test: &str, messages: &[Vec<u8>]) -> Option<Dovecot> {
    match Dovecot::start(messages) {
        Ok(d) => Some(d),
        Err(reason) => {
            let _ = writeln!(std::io::stderr(), "SKIPPED: {test}: {reason}");
            None
        }
    }
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

/// `uid gid name` of the user the tests run as (`id`).
fn me() -> Result<(u32, u32, String), String> {
    let id = |flag: &str| {
        Command::new("id")
            .arg(flag)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .map_err(|e| e.to_string())
    };
    let uid = id("-u")?.parse().map_err(|_| "id -u".to_string())?;
    let gid = id("-g")?.parse().map_err(|_| "id -g".to_string())?;
    Ok((uid, gid, id("-un")?))
}

/// A CA (`NAME.pem`, `NAME.key`) made with the openssl CLI.
fn make_ca(dir: &Path, name: &str) -> Result<(), String> {
    run(Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
        .args(["ec_paramgen_curve:P-256", "-nodes", "-days", "2"])
        .args(["-subj", &format!("/CN=pis-gateway test {name}")])
        .args(["-addext", "basicConstraints=critical,CA:TRUE"])
        .args(["-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        .arg("-keyout")
        .arg(dir.join(format!("{name}.key")))
        .arg("-out")
        .arg(dir.join(format!("{name}.pem"))))
}

/// `server.crt` and `server.key` for localhost, signed by the CA `ca`.
fn make_leaf(dir: &Path, ca: &str) -> Result<(), String> {
    run(Command::new("openssl")
        .args([
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args(["-nodes", "-subj", "/CN=localhost"])
        .arg("-keyout")
        .arg(dir.join("server.key"))
        .arg("-out")
        .arg(dir.join("server.csr")))?;
    std::fs::write(
        dir.join("leaf.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\n\
         keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .map_err(|e| e.to_string())?;
    run(Command::new("openssl")
        .args(["x509", "-req", "-days", "2", "-CAcreateserial"])
        .arg("-in")
        .arg(dir.join("server.csr"))
        .arg("-CA")
        .arg(dir.join(format!("{ca}.pem")))
        .arg("-CAkey")
        .arg(dir.join(format!("{ca}.key")))
        .arg("-extfile")
        .arg(dir.join("leaf.ext"))
        .arg("-out")
        .arg(dir.join("server.crt")))
}

impl Dovecot {
    pub(crate) fn start(messages: &[Vec<u8>]) -> Result<Dovecot, String> {
        if !Path::new(DOVECOT).is_file() {
            return Err(format!(
                "no Dovecot ({DOVECOT} is missing; apt-get install dovecot-imapd)"
            ));
        }
        if Command::new("openssl").arg("version").output().is_err() {
            return Err("no openssl CLI to make the test certificates".into());
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!("pisg-imap-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        let d = Dovecot {
            port: free_port()?,
            user: "officer".into(),
            password_file: dir.join("password"),
            ca_file: dir.join("ca.pem"),
            other_ca_file: dir.join("other-ca.pem"),
            maildir: dir.join("Maildir"),
            config: dir.join("dovecot.conf"),
            dir,
        };
        d.watch()?;
        make_ca(&d.dir, "ca")?;
        make_ca(&d.dir, "other-ca")?;
        make_leaf(&d.dir, "ca")?;
        let password = format!("pisg-imap-{nanos:x}");
        std::fs::write(&d.password_file, format!("{password}\n")).map_err(|e| e.to_string())?;
        std::fs::write(
            d.dir.join("passwd"),
            format!("{}:{{PLAIN}}{password}::::::\n", d.user),
        )
        .map_err(|e| e.to_string())?;
        d.fill(messages)?;
        let (uid, gid) = d.owner()?;
        d.configure(uid, gid)?;
        // The daemon keeps whatever output it was given open: none, so nothing waits on it.
        let started = Command::new(DOVECOT)
            .arg("-c")
            .arg(&d.config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| format!("starting dovecot: {e}"))?;
        if !started.success() {
            return Err(format!("dovecot did not start ({started}){}", d.log()));
        }
        d.wait_listening()?;
        Ok(d)
    }

    /// The Maildir with each message in `new/`, as a delivery agent leaves it.
    fn fill(&self, messages: &[Vec<u8>]) -> Result<(), String> {
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(self.maildir.join(sub)).map_err(|e| e.to_string())?;
        }
        std::fs::create_dir_all(self.dir.join("home")).map_err(|e| e.to_string())?;
        for (i, m) in messages.iter().enumerate() {
            let name = format!("{}.M{i}P{}.test", 1_800_000_000 + i, std::process::id());
            std::fs::write(self.maildir.join("new").join(name), m).map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// Who the mail is served as: `nobody` when the tests run as root (the Maildir handed to
    /// it), else the user the tests run as.
    fn owner(&self) -> Result<(u32, u32), String> {
        let (uid, gid, _) = me()?;
        if uid != 0 {
            return Ok((uid, gid));
        }
        run(Command::new("chown")
            .args(["-R", "nobody:nogroup"])
            .arg(&self.maildir)
            .arg(self.dir.join("home")))?;
        // Dovecot's processes (and nobody) reach the files through the folder.
        run(Command::new("chmod").arg("755").arg(&self.dir))?;
        Ok((65534, 65534))
    }

    fn configure(&self, uid: u32, gid: u32) -> Result<(), String> {
        let dir = self.dir.display();
        let (_, _, name) = me()?;
        // As root, Dovecot's own unprivileged users from the package; else the test's user.
        let users = if uid == 65534 {
            String::new()
        } else {
            format!("default_internal_user = {name}\ndefault_login_user = {name}\n")
        };
        let dh = if Path::new("/usr/share/dovecot/dh.pem").is_file() {
            "ssl_dh = </usr/share/dovecot/dh.pem\n"
        } else {
            ""
        };
        let conf = format!(
            "base_dir = {dir}/run\n\
             state_dir = {dir}/state\n\
             log_path = {dir}/dovecot.log\n\
             protocols = imap\n\
             listen = 127.0.0.1\n\
             ssl = required\n\
             ssl_cert = <{dir}/server.crt\n\
             ssl_key = <{dir}/server.key\n\
             {dh}\
             ssl_min_protocol = TLSv1.2\n\
             auth_mechanisms = plain\n\
             first_valid_uid = 1\n\
             {users}\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {dir}/passwd\n}}\n\
             userdb {{\n  driver = static\n  args = uid={uid} gid={gid} home={dir}/home\n}}\n\
             mail_location = maildir:{dir}/Maildir:INDEX=MEMORY\n\
             service imap-login {{\n  inet_listener imap {{\n    port = 0\n  }}\n  \
             inet_listener imaps {{\n    port = {port}\n    ssl = yes\n  }}\n}}\n",
            port = self.port,
        );
        std::fs::write(&self.config, conf).map_err(|e| e.to_string())
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("dovecot.log"))
            .map(|l| format!("\n{l}"))
            .unwrap_or_default()
    }

    fn wait_listening(&self) -> Result<(), String> {
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Err(format!("dovecot is not listening{}", self.log()))
    }

    /// Stops the server and removes its folder when this process has gone.
    fn watch(&self) -> Result<(), String> {
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {DOVECOT} -c '{conf}' stop >/dev/null 2>&1; rm -rf '{dir}'",
            pid = std::process::id(),
            conf = self.config.display(),
            dir = self.dir.display()
        );
        Command::new("setsid")
            .args(["sh", "-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map(drop)
            .map_err(|e| format!("starting dovecot's watcher: {e}"))
    }

    /// Every message file of the Maildir (`new/` and `cur/`) with its bytes.
    pub(crate) fn messages(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            for e in std::fs::read_dir(self.maildir.join(sub))
                .into_iter()
                .flatten()
                .flatten()
            {
                if let Ok(bytes) = std::fs::read(e.path()) {
                    out.push((e.path(), bytes));
                }
            }
        }
        out.sort();
        out
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = Command::new(DOVECOT)
            .arg("-c")
            .arg(&self.config)
            .arg("stop")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
