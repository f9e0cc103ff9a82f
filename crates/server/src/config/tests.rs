use super::*;

#[test]
fn an_enabled_language_that_is_unreviewed_or_lacks_strings_is_warned_about() {
    use crate::i18n::Lang;
    let mut s = Settings::default();
    s.forms.dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../forms");
    let about = |w: &[String], what: &str| w.iter().filter(|l| l.contains(what)).count();
    assert_eq!(
        about(&s.warnings(), "public.languages"),
        0,
        "English alone: nothing to say"
    );
    s.public.languages = vec![Lang::En, Lang::Pl, Lang::Ar];
    let w = s.warnings();
    assert_eq!(
        about(
            &w,
            "public.languages: Polish (pl) is not reviewed by a native speaker"
        ),
        1,
        "{w:?}"
    );
    assert_eq!(
        about(&w, "public.languages: Arabic (ar) is not reviewed"),
        1,
        "{w:?}"
    );
    // The shipped translations lack the professional form: its strings show in English.
    assert_eq!(about(&w, "strings, shown in English"), 2, "{w:?}");
    // A folder without the language: every page in English, and the operator told.
    let dir = tempfile::tempdir().expect("dir");
    std::fs::create_dir_all(dir.path().join("locales/en")).expect("en");
    for f in ["language.toml", "pages.ftl"] {
        std::fs::copy(
            s.forms.dir.join("locales/en").join(f),
            dir.path().join("locales/en").join(f),
        )
        .expect("copy");
    }
    s.forms.dir = dir.path().to_path_buf();
    let w = s.warnings();
    assert_eq!(about(&w, "has no strings in"), 2, "{w:?}");
}

#[test]
fn every_problem_is_listed_with_its_key() {
    let mut s = Settings::default();
    s.server.listen = "nowhere".into();
    s.server.public_url = "ftp://x".into();
    s.server.tls_cert = "/nonexistent.pem".into();
    s.server.body_idle_secs = 0;
    s.attachments.max_bytes_in_flight = s.attachments.max_file_bytes - 1;
    s.attachments.max_uploads_per_client = 0;
    s.forms.draft_minutes = 0;
    s.delivery.urgent_lanes = 9;
    s.forms.saved_draft_days = 8;
    let problems = s.validate("test.toml");
    let keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
    for k in [
        "server.listen",
        "server.public_url",
        "server.tls_cert",
        "server.body_idle_secs",
        "attachments.max_bytes_in_flight",
        "attachments.max_uploads_per_client",
        "forms.draft_minutes",
        "delivery.urgent_lanes",
        "forms.saved_draft_days",
        "routes",
    ] {
        assert!(keys.contains(&k), "{k} missing from {keys:?}");
    }
}

#[test]
fn a_secrets_key_file_that_is_not_a_key_is_a_problem() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut s = Settings::default();
    s.spool.secrets_key_file = dir.path().join("secrets.key");
    let has = |s: &Settings| {
        s.validate("test.toml")
            .iter()
            .any(|p| p.key == "spool.secrets_key_file")
    };
    assert!(!has(&s), "none yet: it is made at start");
    std::fs::write(&s.spool.secrets_key_file, "hunter2\n").expect("write");
    assert!(has(&s));
}
