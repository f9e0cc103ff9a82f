//! The email an inbox receives says how to read what it carries: the command it gives works as
//! written, once the placeholders are the officer's own key file and the gateway's published
//! signing keys, saved where the email says.

use crate::attachments::armored_parts;
use crate::delivery::smtp_settings;
use crate::helpers::*;
use crate::smtp_server::{Received, SmtpServer, Tls};
use age::secrecy::ExposeSecret;
use serde_json::json;
use std::time::Duration;

/// A quoted-printable body as a mail client shows it: soft line breaks joined, `=XX` decoded.
fn shown(qp: &str) -> String {
    let joined = qp.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The line of the email that runs `pis-gateway open`, as words.
fn open_command(email: &str) -> Vec<String> {
    let line = email
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("pis-gateway open "))
        .unwrap_or_else(|| panic!("no open command in\n{email}"));
    line.split_whitespace()
        .skip(1)
        .map(str::to_string)
        .collect()
}

/// A community report sent through a gateway that delivers over STARTTLS, and the email its
/// police intelligence inbox received (the mail server is returned to keep it running).
async fn a_report_by_email() -> (TestApp, SmtpServer, String, Received) {
    let smtp = SmtpServer::start(Tls::StartTls).await;
    let app = spawn_app_with(|s| {
        let outbox = s.mail.file_dir.clone();
        s.mail = smtp_settings(smtp.port, &outbox);
    })
    .await;
    let (status, receipt) = app
        .post_json(&json!({"form": "community", "answers": community_answers()}))
        .await;
    assert_eq!(status, 201, "{receipt}");
    let reference = receipt["reference"]
        .as_str()
        .expect("reference")
        .to_string();
    let intel = smtp
        .wait_for(1, Duration::from_secs(20))
        .await
        .into_iter()
        .find(|m| m.rcpt_to == vec!["intel@example.invalid".to_string()])
        .expect("intelligence email");
    (app, smtp, reference, intel)
}

#[actix_web::test]
async fn the_open_command_an_email_gives_works_as_written() {
    let (app, _smtp, reference, intel) = a_report_by_email().await;
    let email = shown(&String::from_utf8_lossy(&intel.data).replace("\r\n", "\n"));
    assert!(
        email.contains("https://localhost:8443/.well-known/pis-gateway/signing-keys"),
        "the email says where the signing keys are: {email}"
    );

    // The officer's folder: the attachment, their key, and the keys saved from that address.
    let folder = tempfile::tempdir().expect("tempdir");
    for (name, armored) in armored_parts(&intel.data) {
        std::fs::write(folder.path().join(name), armored).expect("attachment saved");
    }
    let key = folder.path().join("my-key.txt");
    std::fs::write(&key, app.identities[0].to_string().expose_secret()).expect("key");
    let keys = app.get("/.well-known/pis-gateway/signing-keys").await;
    assert_eq!(keys.status, 200);
    std::fs::write(folder.path().join("signing-keys.json"), keys.body).expect("keys saved");

    let args: Vec<String> = open_command(&email)
        .into_iter()
        .map(|a| {
            if a == "YOUR-KEY-FILE" {
                key.display().to_string()
            } else {
                a
            }
        })
        .collect();
    assert!(args.contains(&format!("{reference}.age")), "{args:?}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pis-gateway"))
        .args(&args)
        .current_dir(folder.path())
        .output()
        .expect("open runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{args:?}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("Reference  {reference}")),
        "{stdout}"
    );
    assert!(stdout.contains("signed by the gateway"), "{stdout}");

    // The same command with the email itself, saved as a file, in place of the attachment.
    assert!(
        email.contains("this email saved as a file, your Maildir, or your mailbox"),
        "{email}"
    );
    std::fs::write(folder.path().join("saved.eml"), &intel.data).expect("email saved");
    let with_email: Vec<String> = args
        .iter()
        .map(|a| {
            if *a == format!("{reference}.age") {
                "saved.eml".to_string()
            } else {
                a.clone()
            }
        })
        .collect();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pis-gateway"))
        .args(&with_email)
        .current_dir(folder.path())
        .output()
        .expect("open runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{with_email:?}: {stdout}");
    assert!(
        stdout.contains(&format!("Reference  {reference}")),
        "{stdout}"
    );
}

/// An officer whose mail client keeps messages as `.eml` files or in a Maildir opens them as
/// they are: the envelopes are taken from the attachments, and nothing in the mail is changed.
#[actix_web::test]
async fn open_reads_an_eml_file_and_a_maildir_as_the_inbox_received_them() {
    let (app, _smtp, reference, intel) = a_report_by_email().await;

    let folder = tempfile::tempdir().expect("tempdir");
    let key = folder.path().join("my-key.txt");
    std::fs::write(&key, app.identities[0].to_string().expose_secret()).expect("key");
    let keys = app.get("/.well-known/pis-gateway/signing-keys").await;
    std::fs::write(folder.path().join("signing-keys.json"), keys.body).expect("keys saved");
    let eml = folder.path().join("report.eml");
    std::fs::write(&eml, &intel.data).expect("eml");
    let maildir = folder.path().join("Maildir");
    for d in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(maildir.join(d)).expect("maildir");
    }
    let delivered = maildir.join("new/1800000000.M1P1.desk");
    std::fs::write(&delivered, &intel.data).expect("message");

    for input in [&eml, &maildir] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_pis-gateway"))
            .args(["open", "--identity"])
            .arg(&key)
            .args(["--signer", "signing-keys.json"])
            .arg(input)
            .current_dir(folder.path())
            .output()
            .expect("open runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}: {stdout}{}",
            input.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains(&format!("Reference  {reference}")),
            "{stdout}"
        );
    }
    assert_eq!(
        std::fs::read(&delivered).expect("still there"),
        intel.data,
        "the message is left as it was"
    );
    assert!(maildir
        .join("cur")
        .read_dir()
        .expect("cur")
        .next()
        .is_none());
}
