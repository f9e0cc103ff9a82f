use super::*;

#[test]
fn phrases_compile_to_pieces() {
    assert_eq!(
        compile("pick* ... up|round").expect("compiles"),
        Pattern(vec![
            Piece::Prefix("pick".into()),
            Piece::Gap(3),
            Piece::Word(vec!["up".into(), "round".into()]),
        ])
    );
    assert!(compile("... knife").is_err());
    assert!(compile("two words*").is_ok());
    assert!(compile("a-b*").is_err());
}

#[test]
fn the_shipped_rules_load() {
    let r =
        Rules::from_toml(include_str!("../../../../../config/triage.toml")).expect("shipped rules");
    assert!(r.concepts.len() >= 9);
    for s in &SIGNALS[..9] {
        assert!(
            r.concepts.iter().any(|c| c.signal == *s),
            "no concept stands for {s}"
        );
    }
}

#[test]
fn bad_rule_files_name_the_rule() {
    let base = "[[concept]]\ncode = \"x\"\nsignal = \"WEAPONS\"\nundated = \"PRIORITY\"\nplain = \"p\"\nphrases = [\"knife\"]\n";
    assert!(Rules::from_toml(base).is_ok());
    let bad_signal = base.replace("WEAPONS", "WEAPON");
    assert!(Rules::from_toml(&bad_signal)
        .unwrap_err()
        .contains("concept[0] (x)"));
    let bad_code = base.replace("code = \"x\"", "code = \"X-1\"");
    assert!(Rules::from_toml(&bad_code).is_err());
    let no_phrases = base.replace("[\"knife\"]", "[]");
    assert!(Rules::from_toml(&no_phrases).is_err());
    let modifier_without_category =
        format!("{base}[[modifier]]\ndirection = \"forward\"\nphrases = [\"no\"]\n");
    assert!(Rules::from_toml(&modifier_without_category)
        .unwrap_err()
        .contains("modifier[0]"));
    let unknown_key = format!("{base}colour = \"red\"\n");
    assert!(Rules::from_toml(&unknown_key).is_err());
}

#[test]
fn a_language_table_is_optional_and_checked() {
    let base = "[[concept]]\ncode = \"x\"\nsignal = \"WEAPONS\"\nundated = \"PRIORITY\"\nplain = \"p\"\nphrases = [\"nóż\"]\n";
    assert!(Rules::from_toml(base).expect("loads").language.is_none());
    let words = "stop_words = [\"i\", \"w\", \"z\", \"na\", \"się\", \"nie\", \"jest\", \"że\", \"jak\", \"ale\"]";
    let good = format!(
        "[language]\ncode = \"pl\"\nname = \"Polish\"\ndetector = \"pol\"\n{words}\n{base}"
    );
    let l = Rules::from_toml(&good)
        .expect("loads")
        .language
        .expect("language");
    assert_eq!(
        (l.code.as_str(), l.detector.as_deref()),
        ("pl", Some("pol"))
    );
    assert!(l.stop_words.contains("się"));
    let bad_code = good.replace("\"pl\"", "\"Polish\"");
    assert!(Rules::from_toml(&bad_code)
        .unwrap_err()
        .contains("language.code"));
    let few = good.replace("\"jak\", \"ale\"", "");
    assert!(Rules::from_toml(&few).unwrap_err().contains("stop_words"));
}
