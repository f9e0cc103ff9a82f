//! Language packs: the narrative rules for languages besides English, one file each in the
//! format of `config/triage.toml` with a `[language]` table (`config/triage/<code>.toml`).
//!
//! The packs shipped are built into the binary; a file of the same name in the `triage/`
//! folder beside the English rules replaces one, and a new file adds a language, so a pack
//! needs no code of its own. Diacritics are folded in a pack's phrases and in the text it
//! reads ("dziś" and "dzis" are one word), because phone keyboards often leave them out.

use super::language::fold;
use super::narrative::Reader;
use super::rules::{Language, Pattern, Piece, Rules};
use std::path::Path;

/// The packs shipped, by file name.
pub const SHIPPED_PACKS: &[(&str, &str)] = &[
    ("pl.toml", include_str!("../../../../config/triage/pl.toml")),
    ("ro.toml", include_str!("../../../../config/triage/ro.toml")),
    ("cy.toml", include_str!("../../../../config/triage/cy.toml")),
    ("ur.toml", include_str!("../../../../config/triage/ur.toml")),
];

/// One language's reader.
#[derive(Debug, Clone)]
pub struct Pack {
    pub language: Language,
    pub reader: Reader,
}

/// The shipped packs.
pub fn shipped(english: &Rules) -> Result<Vec<Pack>, String> {
    SHIPPED_PACKS
        .iter()
        .map(|(name, source)| build(source, english).map_err(|e| format!("{name}: {e}")))
        .collect()
}

/// The shipped packs, each replaced by a file of the same name in `dir` if there is one, and
/// any other `*.toml` there added. A file that cannot be read is an error naming it.
pub fn load(dir: &Path, english: &Rules) -> Result<Vec<Pack>, String> {
    let mut sources: Vec<(String, String)> = SHIPPED_PACKS
        .iter()
        .map(|(n, s)| (n.to_string(), s.to_string()))
        .collect();
    if dir.is_dir() {
        let entries =
            std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        let mut files: Vec<std::path::PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        for path in files {
            let name = path
                .file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into_owned());
            let source = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            match sources.iter_mut().find(|(n, _)| *n == name) {
                Some(slot) => slot.1 = source,
                None => sources.push((name, source)),
            }
        }
    }
    sources
        .iter()
        .map(|(name, source)| {
            build(source, english).map_err(|e| format!("{}: {e}", dir.join(name).display()))
        })
        .collect()
}

/// A pack's reader, its phrases folded. Its concepts must speak of the dangers English ones
/// do, by the same codes, so a finding means the same whichever language raised it.
fn build(source: &str, english: &Rules) -> Result<Pack, String> {
    let mut rules = Rules::from_toml(source)?;
    let language = rules
        .language
        .clone()
        .ok_or("a language pack needs a [language] table")?;
    for (i, c) in rules.concepts.iter().enumerate() {
        let known = english
            .concepts
            .iter()
            .any(|e| e.code == c.code && e.signal == c.signal);
        if !known {
            return Err(format!(
                "concept[{i}] ({}): no English concept has this code with signal {}",
                c.code, c.signal
            ));
        }
    }
    // People mix English in ("abhi woh gaari mein hai, he has a knife"): the English
    // concepts and modifiers are read too, within this language's grammar, so an English
    // word is negated or put in time by the words around it in either language.
    rules.concepts.extend(english.concepts.iter().cloned());
    rules.modifiers.extend(english.modifiers.iter().cloned());
    for (from, to) in &english.normalise {
        rules
            .normalise
            .entry(from.clone())
            .or_insert_with(|| to.clone());
    }
    fold_rules(&mut rules);
    Ok(Pack {
        language,
        reader: Reader::new(rules),
    })
}

fn fold_rules(rules: &mut Rules) {
    let fold_pattern = |p: &mut Pattern| {
        for piece in &mut p.0 {
            match piece {
                Piece::Word(alts) => alts.iter_mut().for_each(|a| *a = fold(a).into_owned()),
                Piece::Prefix(w) | Piece::Suffix(w) => *w = fold(w).into_owned(),
                Piece::Gap(_) | Piece::Under(_) => {}
            }
        }
    };
    for c in &mut rules.concepts {
        c.phrases
            .iter_mut()
            .chain(c.with.iter_mut())
            .for_each(fold_pattern);
    }
    for m in &mut rules.modifiers {
        m.phrases.iter_mut().for_each(fold_pattern);
    }
    rules.normalise = std::mem::take(&mut rules.normalise)
        .into_iter()
        .map(|(k, v)| {
            let v = v.iter().map(|w| fold(w).into_owned()).collect();
            (fold(&k).into_owned(), v)
        })
        .collect();
    rules.time_words = std::mem::take(&mut rules.time_words)
        .into_iter()
        .map(|w| fold(&w).into_owned())
        .collect();
}

#[cfg(test)]
mod tests {
    use super::super::{Priority, Triage, SHIPPED_RULES};
    use ::time::macros::datetime;
    use serde_json::json;

    /// What triage gives one narrative written in the community form's account box.
    fn priority(text: &str) -> (Priority, Vec<String>) {
        let t = Triage::from_toml(SHIPPED_RULES).expect("rules and packs load");
        let answers = json!({"gate.immediate_danger": "no", "what_happened": text});
        let a = t.assess(
            answers.as_object().expect("object"),
            datetime!(2026-12-01 14:30 UTC),
        );
        (a.priority, a.reasons)
    }

    fn check(cases: &[(&str, Priority)]) {
        for (text, want) in cases {
            let (got, reasons) = priority(text);
            assert_eq!(got, *want, "{text}: {reasons:?}");
        }
    }

    #[test]
    fn polish_dangers_now_are_immediate_and_past_negated_or_hypothetical_are_not() {
        check(&[
            ("Mój brat (14) jest teraz w samochodzie z dwoma dorosłymi facetami, jadą autostradą na północ.", Priority::Immediate),
            ("Syn sąsiadki jest teraz pod sklepem i macha nożem, krzyczy że kogoś zabije.", Priority::Immediate),
            ("Moja siostra napisała mi, że połknęła wszystkie tabletki i jest sama w domu.", Priority::Immediate),
            // Phone-typed, without diacritics.
            ("dzis wieczorem maja ja wydac za maz, ona nie chce a jej tata sie zgodzil", Priority::Immediate),
            ("Dwa lata temu ktoś groził mu nożem, ale sprawa jest zamknięta.", Priority::Routine),
            ("Nikt nie ma noża i nikt nie jest w niebezpieczeństwie.", Priority::Routine),
            ("Jeśli ktoś będzie grozić jej nożem, co mam zrobić?", Priority::Routine),
        ]);
    }

    #[test]
    fn romanian_dangers_now_are_immediate_and_past_negated_or_hypothetical_are_not() {
        check(&[
            ("Fratele meu de 13 ani e acum într-o mașină cu doi bărbați și nu-l lasă să coboare.", Priority::Immediate),
            ("Vecinul flutură un cuțit în fața blocului și strigă că îl omoară pe fiul meu.", Priority::Immediate),
            ("Fiica mea a inghitit toate pastilele din casa si nu mai raspunde.", Priority::Immediate),
            ("Acum trei ani fiul meu a fost ținut închis într-un apartament, dar acum e bine.", Priority::Routine),
            ("Nu are nimeni cuțit la el și nimeni nu e în pericol, vă rog.", Priority::Routine),
            ("Dacă cineva o amenința cu cuțitul pe fiica mea, ce facem?", Priority::Routine),
        ]);
    }

    #[test]
    fn welsh_dangers_now_are_immediate_and_past_negated_or_hypothetical_are_not() {
        check(&[
            ("Mae fy mab yn cael ei gadw mewn fflat gan ddynion ac maen nhw'n dweud na chaiff e adael.", Priority::Immediate),
            ("Mae dyn tu allan i'r ysgol nawr yn chwifio cyllell ac yn gweiddi.", Priority::Immediate),
            ("Mae fy merch newydd fynd i mewn i gar efo dau ddyn hŷn yn y dref.", Priority::Immediate),
            ("Flynyddoedd yn ôl roedd dyn wedi cloi fy mrawd mewn fflat, ond mae e'n ddiogel.", Priority::Routine),
            ("Does neb efo cyllell a does neb mewn perygl, dim ond eisiau dweud diolch.", Priority::Routine),
        ]);
    }

    #[test]
    fn roman_urdu_dangers_now_are_immediate_and_past_negated_or_hypothetical_are_not() {
        check(&[
            ("Meri behen ko aaj raat zabardasti nikah ke liye le ja rahe hain, woh bohat ro rahi hai.", Priority::Immediate),
            ("Abhi ek aadmi mere bhai ko gaari mein le ja raha hai aur darwaze lock hain.", Priority::Immediate),
            ("Woh banda gali mein khara chaaku dikha raha hai, abhi bhi wahin hai.", Priority::Immediate),
            ("Meri dost ne saari goliyan kha li hain aur ab woh behosh hai.", Priority::Immediate),
            ("Teen saal pehle usay ghar mein band kar diya tha, ab sab theek hai.", Priority::Routine),
            ("Agar kabhi koi meri beti ki tasveerein viral kare to hum kya karein?", Priority::Routine),
        ]);
    }

    #[test]
    fn a_pack_file_beside_the_rules_replaces_the_built_in_one_and_a_bad_one_is_named() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("triage.toml"), SHIPPED_RULES).expect("write");
        std::fs::create_dir(dir.path().join("triage")).expect("mkdir");
        let own = super::SHIPPED_PACKS[0]
            .1
            .replace("\"zabij*\",", "\"zabij*\", \"rozwalę\",");
        std::fs::write(dir.path().join("triage/pl.toml"), &own).expect("write");
        let t = Triage::load(&dir.path().join("triage.toml")).expect("loads");
        let answers = json!({"what_happened": "Mój brat jest teraz z nim i ten facet mówi że go rozwalę, proszę pomóżcie"});
        let a = t.assess(
            answers.as_object().expect("object"),
            datetime!(2026-12-01 14:30 UTC),
        );
        assert_eq!(a.priority, Priority::Immediate, "{:?}", a.reasons);
        assert_eq!(t.pack_languages(), vec!["pl", "ro", "cy", "ur"]);
        let bad = own.replace("signal = \"CHILD_HELD\"", "signal = \"CHILD_KEPT\"");
        std::fs::write(dir.path().join("triage/pl.toml"), bad).expect("write");
        let err = Triage::load(&dir.path().join("triage.toml"))
            .expect_err("refused")
            .to_string();
        assert!(
            err.contains("pl.toml") && err.contains("(child_held)"),
            "{err}"
        );
    }
}
