//! A throwaway PostgreSQL cluster for tests, started once per test binary.
//!
//! `initdb` and `pg_ctl` from Debian's packages (or `PISG_PG_BIN`), run as the `postgres` user
//! when the tests run as root, in a private temporary folder: its own Unix socket there and a
//! free loopback port, TLS with the example certificate, password (SCRAM) authentication over
//! TCP for the `pisg` role. Each test takes a database of its own. A watcher outside the test
//! process stops the cluster and removes the folder once the test process has gone, however
//! it ended. Where no PostgreSQL is installed, [`cluster`] says why and the tests print
//! SKIPPED and pass.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

pub(crate) struct Cluster {
    pub dir: PathBuf,
    pub port: u16,
    bin: PathBuf,
    as_postgres: bool,
    /// The `pisg` role's password, also in [`Cluster::password_file`].
    pub password: String,
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
static DATABASES: AtomicU32 = AtomicU32::new(0);

/// The cluster, started on first use; `Err` with the reason when there is none to be had
/// (SKIPPED is printed once, to the real standard error, past the test harness's capture).
pub(crate) fn cluster() -> Result<&'static Cluster, &'static str> {
    let c = CLUSTER.get_or_init(|| {
        let started = Cluster::start();
        if let Err(reason) = &started {
            let _ = writeln!(std::io::stderr(), "SKIPPED: PostgreSQL tests: {reason}");
        }
        started
    });
    c.as_ref().map_err(|e| e.as_str())
}

/// The cluster, or `None` after printing SKIPPED for this test.
pub(crate) fn or_skip(test: &str) -> Option<&'static Cluster> {
    match cluster() {
        Ok(c) => Some(c),
        Err(reason) => {
            let _ = writeln!(std::io::stderr(), "SKIPPED: {test}: {reason}");
            None
        }
    }
}

fn find_bin() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("PISG_PG_BIN") {
        let dir = PathBuf::from(dir);
        if !dir.join("initdb").is_file() {
            return Err(format!(
                "PISG_PG_BIN is {} but holds no initdb",
                dir.display()
            ));
        }
        return Ok(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|_| "no PostgreSQL server installed (/usr/lib/postgresql is missing; apt-get install postgresql)".to_string())?
        .flatten()
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, bin)| bin)
        .ok_or_else(|| "no initdb under /usr/lib/postgresql/*/bin".into())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

impl Cluster {
    /// A cluster of the test's own, for a test that stops and starts the server (the shared
    /// one serves every other test meanwhile). Removed, like the shared one, when the test
    /// process has gone.
    pub(crate) fn private() -> Result<Cluster, String> {
        Cluster::start()
    }

    fn start() -> Result<Cluster, String> {
        let bin = find_bin()?;
        let as_postgres = is_root();
        if as_postgres
            && !Command::new("id")
                .arg("postgres")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        {
            return Err(
                "running as root and there is no `postgres` user to run the server as".into(),
            );
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!("pisg-pg-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        let password = format!("pisg-test-{nanos:x}");
        std::fs::write(dir.join("password"), &password).map_err(|e| e.to_string())?;
        std::fs::write(dir.join("superuser-password"), &password).map_err(|e| e.to_string())?;
        // The repository's root: this file is built into the root package's tests and into
        // the server crate's (crates/server), whose manifest folder is two below it.
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        let repo = manifest
            .ancestors()
            .find(|p| p.join("certs-example").is_dir())
            .unwrap_or(manifest);
        std::fs::copy(
            repo.join("certs-example/localhost.pem"),
            dir.join("server.crt"),
        )
        .map_err(|e| e.to_string())?;
        std::fs::copy(
            repo.join("certs-example/localhost-key.pem"),
            dir.join("server.key"),
        )
        .map_err(|e| e.to_string())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for f in ["server.key", "password", "superuser-password"] {
                let _ =
                    std::fs::set_permissions(dir.join(f), std::fs::Permissions::from_mode(0o600));
            }
            let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
        }
        if as_postgres {
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir))?;
        }
        let port = free_port()?;
        let c = Cluster {
            dir,
            port,
            bin,
            as_postgres,
            password,
        };
        c.watch()?;
        run(c
            .pg("initdb")
            .arg("-D")
            .arg(c.data())
            .args(["-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync"])
            .args(["--auth-local=trust", "--auth-host=scram-sha-256"])
            .arg(format!(
                "--pwfile={}",
                c.dir.join("superuser-password").display()
            )))?;
        let conf = format!(
            "\nlisten_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{}'\n\
             max_connections = 400\nshared_buffers = 32MB\n\
             # A throwaway cluster: commits are not forced to disk (the tests kill gateways, \
             not the machine).\nfsync = off\nfull_page_writes = off\n\
             ssl = on\nssl_cert_file = '{}'\nssl_key_file = '{}'\n",
            c.dir.display(),
            c.dir.join("server.crt").display(),
            c.dir.join("server.key").display()
        );
        std::fs::OpenOptions::new()
            .append(true)
            .open(c.data().join("postgresql.conf"))
            .and_then(|mut f| f.write_all(conf.as_bytes()))
            .map_err(|e| e.to_string())?;
        c.pg_ctl_start()?;
        c.psql(
            "postgres",
            &format!("CREATE ROLE pisg LOGIN PASSWORD '{}'", c.password),
        )?;
        Ok(c)
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// A PostgreSQL program, run as `postgres` when the tests run as root.
    fn pg(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        };
        cmd.stdin(Stdio::null());
        cmd
    }

    fn pg_ctl_start(&self) -> Result<(), String> {
        run(self
            .pg("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .arg("-l")
            .arg(self.dir.join("server.log"))
            .args(["-w", "-t", "60", "start"])
            .stdout(Stdio::null()))
    }

    /// Stops the server at once (as a crash or a failover would) and starts it again.
    pub(crate) fn stop(&self) -> Result<(), String> {
        run(self
            .pg("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null()))
    }

    pub(crate) fn start_again(&self) -> Result<(), String> {
        self.pg_ctl_start()
    }

    /// Stops the cluster and removes its folder when this process has gone.
    fn watch(&self) -> Result<(), String> {
        let stop = format!(
            "{}'{}' -D '{}' -m immediate stop",
            if self.as_postgres {
                "runuser -u postgres -- "
            } else {
                ""
            },
            self.bin.join("pg_ctl").display(),
            self.data().display()
        );
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf '{dir}'",
            pid = std::process::id(),
            dir = self.dir.display()
        );
        Command::new("setsid")
            .args(["sh", "-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map(drop)
            .map_err(|e| format!("starting the cluster's watcher: {e}"))
    }

    /// Runs SQL as the superuser over the private socket.
    pub(crate) fn psql(&self, db: &str, sql: &str) -> Result<String, String> {
        let out = self
            .pg("psql")
            .args([
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-U",
                "postgres",
            ])
            .arg("-h")
            .arg(&self.dir)
            .args(["-p", &self.port.to_string(), "-d", db, "-c", sql])
            .output()
            .map_err(|e| format!("psql: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "psql {sql}: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// Everything in `db` as `pg_dump` writes it (schema and data, as the superuser), as a
    /// backup or a reader of the database would have it. Byte strings come out as hex.
    pub(crate) fn pg_dump(&self, db: &str) -> Result<String, String> {
        let out = self
            .pg("pg_dump")
            .args(["-U", "postgres", "--no-owner"])
            .arg("-h")
            .arg(&self.dir)
            .args(["-p", &self.port.to_string(), "-d", db])
            .output()
            .map_err(|e| format!("pg_dump: {e}"))?;
        if !out.status.success() {
            return Err(format!("pg_dump: {}", String::from_utf8_lossy(&out.stderr)));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// A new, empty database owned by `pisg`.
    pub(crate) fn database(&self) -> Result<String, String> {
        let name = format!(
            "pisg_{}_{}",
            std::process::id(),
            DATABASES.fetch_add(1, Ordering::Relaxed)
        );
        self.psql("postgres", &format!("CREATE DATABASE {name} OWNER pisg"))?;
        Ok(name)
    }

    /// The URL a gateway uses for `db`: over TCP on loopback, without a password.
    pub(crate) fn url(&self, db: &str) -> String {
        format!(
            "postgresql://pisg@127.0.0.1:{}/{db}?sslmode=disable",
            self.port
        )
    }

    /// As [`Cluster::url`], over TLS verified against the example CA.
    pub(crate) fn tls_url(&self, db: &str) -> String {
        format!(
            "postgresql://pisg@localhost:{}/{db}?sslmode=verify-full",
            self.port
        )
    }

    pub(crate) fn password_file(&self) -> PathBuf {
        self.dir.join("password")
    }

    /// One number from a query, as the superuser.
    pub(crate) fn count(&self, db: &str, sql: &str) -> i64 {
        self.psql(db, sql)
            .unwrap_or_else(|e| panic!("{e}"))
            .parse()
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}
