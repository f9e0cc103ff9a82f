//! Which language an answer is written in, so the right reader reads it.
//!
//! Two signals, because neither is enough alone. Each language pack lists function words that
//! are its own and not English's (`[language] stop_words`); counted against English's, they
//! tell the languages people here write even in short, unpunctuated phone text, including one
//! the general detector does not know (Urdu typed in Latin letters). A neighbour sharing
//! function words (French with Romanian) is told apart by the detector where it is sure. Where no pack's words
//! clearly outnumber English ones, the general detector (`whatlang`, trigrams) names the
//! language, but only when it is confident, the text is long enough and English function
//! words are rare in it. Anything else is read as English: a short or mixed answer is never
//! left unread.

use super::rules::Language;
use rustc_hash::FxHashSet;
use std::borrow::Cow;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Function words of English that no pack language shares ("a", "in", "to", "do", "am", "he"
/// and "me" are words of Romanian, Polish, Welsh or Roman Urdu too, so they are not here).
const ENGLISH: &[&str] = &[
    "the", "and", "is", "are", "was", "were", "she", "they", "his", "her", "him", "with", "of",
    "that", "this", "it", "have", "has", "been", "not", "at", "for", "on", "from", "my", "we",
    "you", "will", "would", "there", "what", "who", "be", "by", "an", "or", "but", "if", "about",
    "into", "out", "said", "when", "which", "their", "them", "our", "your", "had", "did", "can",
    "could", "should", "all", "some", "now", "just", "then", "than", "because", "very", "also",
    "i'm", "he's", "she's", "it's", "don't", "isn't", "won't", "can't",
];

/// Function words of the languages that share many words with a pack's (French, Spanish,
/// Italian and Portuguese with Romanian; Czech and Slovak with Polish; and others written
/// here): where these are about as many as a pack's, the general detector decides between
/// them. Words of a pack are taken out when the detector is built.
const NEIGHBOURS: &[&str] = &[
    "le", "les", "est", "une", "des", "pas", "qui", "avec", "dans", "pour", "sur", "elle", "ils",
    "sont", "mais", "très", "je", "vous", "nous", "mon", "du", "au", "aux", "cette", "ce", "los",
    "las", "que", "está", "una", "con", "por", "para", "pero", "muy", "hay", "ella", "ellos",
    "del", "yo", "tiene", "che", "di", "della", "sono", "non", "per", "questo", "mio", "mia",
    "gli", "nel", "è", "não", "uma", "com", "os", "dos", "das", "eles", "muito", "minha", "je",
    "jsem", "jsou", "není", "který", "která", "když", "aby", "také", "byl", "byla", "ve", "jako",
    "som", "sú", "ako", "ktorý", "ktorá", "keď", "bol", "bola", "vo", "ir", "yra", "su", "kad",
    "bet", "iš", "į", "jis", "ji", "buvo", "mano", "un", "ar", "der", "die", "das", "und", "ist",
    "nicht", "mit", "ein", "eine", "ich", "auf", "für", "het", "een", "niet", "met", "van", "ik",
    "zijn", "az", "és", "hogy", "nem", "van", "egy", "ve", "bir", "bu", "ile", "için", "çok",
    "değil", "ben", "dhe", "në", "është", "që", "për", "janë", "waa", "iyo", "oo", "uu", "ang",
    "ng", "mga", "ay", "yang", "dan", "ini", "itu", "tidak", "dengan", "saya", "và", "của", "là",
    "không", "có", "tôi", "này", "û", "ji", "kwa", "ni", "ja", "että", "och", "att", "det", "som",
    "er", "og", "ikke", "jeg", "da", "za", "nisu", "sam", "smo", "bila", "bio", "kai", "eu", "tu",
];

/// Fewer letters than this and the detector's guess is not taken (the stop words still are).
const MIN_LETTERS: usize = 40;
/// A pack language needs at least this many of its words, and more than twice English's.
const MIN_PACK_WORDS: usize = 3;
/// Where at least this share (in percent) of the words are English function words, the text
/// is English whatever the detector says (a report dense with names and codes can fool it).
const ENGLISH_SHARE: usize = 15;

/// Function words (of a neighbour language or a pack's) a text needs before the detector is
/// asked about it: fewer, and it is a list of names, places or descriptions, read as English.
const MIN_PROSE_WORDS: usize = 2;

/// Words a text needs, with none of them an English function word, for the detector's
/// unsure guess to be taken.
const MIN_WORDS_UNSURE: usize = 8;

/// The language an answer was found to be written in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// English, or too short or mixed to say: read by the English rules.
    English,
    /// A language with a pack: its index in [`Detector`]'s packs.
    Pack(usize),
    /// A language with no pack: its ISO 639 code and English name.
    Unread { code: String, name: String },
}

/// A pack as the detector sees it.
#[derive(Debug, Clone)]
struct Profile {
    stop_words: FxHashSet<String>,
    detector: Option<whatlang::Lang>,
}

#[derive(Debug, Clone, Default)]
pub struct Detector {
    english: FxHashSet<&'static str>,
    neighbours: FxHashSet<String>,
    packs: Vec<Profile>,
}

impl Detector {
    /// A detector for these packs' languages (in this order), besides English.
    pub fn new<'a>(packs: impl Iterator<Item = &'a Language>) -> Self {
        let packs: Vec<Profile> = packs
            .map(|l| Profile {
                stop_words: l.stop_words.iter().map(|w| fold(w).into_owned()).collect(),
                detector: l.detector.as_deref().and_then(whatlang::Lang::from_code),
            })
            .collect();
        let neighbours = NEIGHBOURS
            .iter()
            .map(|w| fold(w).into_owned())
            .filter(|w| !packs.iter().any(|p| p.stop_words.contains(w)))
            .collect();
        Detector {
            english: ENGLISH.iter().copied().collect(),
            neighbours,
            packs,
        }
    }

    pub fn detect(&self, text: &str) -> Written {
        self.detect_with(text, true)
    }

    /// As [`Detector::detect`], but a language the detector is unsure of is not taken, however
    /// little English there is: for answers joined together, where names, places and numbers
    /// hold no function word of any language.
    pub fn detect_sure(&self, text: &str) -> Written {
        self.detect_with(text, false)
    }

    fn detect_with(&self, text: &str, take_unsure: bool) -> Written {
        let (mut words, mut english, mut letters, mut latin) = (0usize, 0usize, 0usize, 0usize);
        let mut neighbours = 0usize;
        let mut pack = vec![0usize; self.packs.len()];
        let mut word = String::new();
        for c in text.chars().chain(std::iter::once(' ')) {
            let c = if c == '’' { '\'' } else { c };
            if c.is_alphabetic() || (c == '\'' && !word.is_empty()) {
                letters += usize::from(c != '\'');
                latin += usize::from(c.is_ascii_alphabetic() || is_latin(c));
                word.extend(c.to_lowercase());
                continue;
            }
            if word.is_empty() {
                continue;
            }
            let w = fold(word.trim_end_matches('\''));
            words += 1;
            english += usize::from(self.english.contains(w.as_ref()));
            neighbours += usize::from(self.neighbours.contains(w.as_ref()));
            for (n, p) in pack.iter_mut().zip(&self.packs) {
                *n += usize::from(p.stop_words.contains(w.as_ref()));
            }
            word.clear();
        }
        if letters == 0 {
            return Written::English;
        }
        // Another script: the English rules cannot read a word of it, however short, but a name
        // or two ("محمد علي") is not a narrative.
        if latin * 2 < letters && (words >= 3 || letters >= 20) {
            return unread(whatlang::detect(text).filter(|i| i.is_reliable()), text);
        }
        let best = pack.iter().enumerate().max_by_key(|(_, n)| **n);
        let best_count = best.map_or(0, |(_, n)| *n);
        if let Some((k, &n)) = best {
            if n >= MIN_PACK_WORDS && n > 2 * english {
                // The detector is costly: asked only when a neighbour's words come close.
                if neighbours * 2 < n {
                    return Written::Pack(k);
                }
                return self.confirm(k, letters, text);
            }
        }
        // Names, places, plates and descriptions hold no function word of any language, and the
        // detector guesses wildly at them: only prose is given to it.
        let prose = neighbours + best_count >= MIN_PROSE_WORDS;
        if !prose || letters < MIN_LETTERS || english * 100 >= ENGLISH_SHARE * words {
            return Written::English;
        }
        // A text of some length with no English function word at all is not English, even
        // where the detector is unsure which language it is.
        let no_english = take_unsure && english == 0 && words >= MIN_WORDS_UNSURE;
        match whatlang::detect(text).filter(|i| i.is_reliable() || no_english) {
            Some(i) if i.lang() != whatlang::Lang::Eng => {
                match self.packs.iter().position(|p| p.detector == Some(i.lang())) {
                    Some(k) => Written::Pack(k),
                    None => unread(Some(i), text),
                }
            }
            _ => Written::English,
        }
    }
}

impl Detector {
    /// A pack's words won, but a neighbour's came close (French "de", "la", "un" are Romanian
    /// too; Czech shares much with Polish): where the general detector knows the pack's
    /// language and is confident that a long enough text is in another, it decides.
    fn confirm(&self, k: usize, letters: usize, text: &str) -> Written {
        let Some(own) = self.packs[k].detector else {
            return Written::Pack(k);
        };
        if letters < MIN_LETTERS {
            return Written::Pack(k);
        }
        // A neighbour's words came close, so even an unsure guess of another language is
        // taken over the pack.
        match whatlang::detect(text) {
            Some(i) if i.lang() != own && i.lang() != whatlang::Lang::Eng => {
                match self.packs.iter().position(|p| p.detector == Some(i.lang())) {
                    Some(j) => Written::Pack(j),
                    None => unread(Some(i), text),
                }
            }
            _ => Written::Pack(k),
        }
    }
}

/// A language with no pack, named by the detector, or by its script when the detector is
/// unsure.
fn unread(info: Option<whatlang::Info>, text: &str) -> Written {
    match info {
        Some(i) => Written::Unread {
            code: i.lang().code().to_string(),
            name: if i.is_reliable() {
                i.lang().eng_name().to_string()
            } else {
                format!("probably {}", i.lang().eng_name())
            },
        },
        None => {
            let script = whatlang::detect_script(text)
                .map_or_else(|| "unknown".to_string(), |s| s.name().to_string());
            Written::Unread {
                code: "und".into(),
                name: format!("not known ({script} script)"),
            }
        }
    }
}

/// Latin letters beyond ASCII ("ł", "ș", "ŵ"): the packs' scripts.
fn is_latin(c: char) -> bool {
    matches!(c, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}')
}

/// Latin letters without their diacritics, one character for one ("dziś" → "dzis", "ł" → "l",
/// "ș" → "s", "ŵ" → "w"), so phone-typed text and the packs' phrases meet, and positions in
/// characters stay those of the original.
pub fn fold(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(fold_char).collect())
}

fn fold_char(c: char) -> char {
    match c {
        'ł' => 'l',
        'Ł' => 'L',
        'ø' => 'o',
        'Ø' => 'O',
        'đ' => 'd',
        'Đ' => 'D',
        c if c.is_ascii() || !is_latin(c) => c,
        c => {
            let mut parts = std::iter::once(c).nfd();
            match parts.next() {
                Some(base) if base.is_ascii() && parts.all(is_combining_mark) => base,
                _ => c,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detector() -> Detector {
        let lang = |code: &str, detector: Option<&str>, words: &str| Language {
            code: code.into(),
            name: code.into(),
            detector: detector.map(str::to_string),
            stop_words: words.split_whitespace().map(str::to_string).collect(),
        };
        let packs = [
            lang(
                "pl",
                Some("pol"),
                "i w z na się nie jest że jak ale teraz mój moja",
            ),
            lang("cy", None, "mae yn y yr ei efo gyda wedi bod oed heno nawr"),
            lang("ur", None, "hai hain ka ki ke ko se mein ne aur nahi abhi"),
        ];
        Detector::new(packs.iter())
    }

    #[test]
    fn pack_languages_are_told_by_their_words() {
        let d = detector();
        assert_eq!(
            d.detect("Moja córka jest teraz z nim w samochodzie"),
            Written::Pack(0)
        );
        // Without diacritics, as typed on a phone.
        assert_eq!(
            d.detect("moja corka jest teraz z nim i nie odbiera"),
            Written::Pack(0)
        );
        assert_eq!(d.detect("mae hi efo dyn yn y car nawr"), Written::Pack(1));
        assert_eq!(
            d.detect("meri beti abhi ek aadmi ke saath gaari mein hai"),
            Written::Pack(2)
        );
    }

    #[test]
    fn english_with_foreign_names_or_a_few_words_stays_english() {
        let d = detector();
        assert_eq!(
            d.detect("Kacper Wiśniewski and Zofia Nowak are with an older man in Selby now, he has a knife."),
            Written::English
        );
        // Mixed: the Polish words do not clearly outnumber the English ones.
        assert_eq!(
            d.detect("She said nie wiem, and that the man is with her at the flat now"),
            Written::English
        );
        assert_eq!(d.detect("Ça va"), Written::English);
        assert_eq!(d.detect("12:30 A1 HG1"), Written::English);
        // Descriptions, addresses and names hold no function word: the detector's guess at
        // them ("German", "Swedish") is not taken.
        for t in [
            "Silver Vauxhall Corsa YX21 KCD, Westborough, Scarborough, opposite Boyes",
            "Flat 3, 27 Keighley Road, Skipton BD23 2LP, rear entrance via alley",
            "Tall, grey North Face coat, dark hair, neck tattoo, Nike trainers, gold chain",
        ] {
            assert_eq!(d.detect(t), Written::English, "{t}");
        }
    }

    #[test]
    fn a_language_without_a_pack_is_named_and_unread() {
        let d = detector();
        let french = d.detect(
            "Ma fille de quatorze ans est en ce moment dans une voiture avec deux hommes \
             qui refusent de la laisser partir. Elle vient de m'envoyer un message.",
        );
        assert_eq!(
            french,
            Written::Unread {
                code: "fra".into(),
                name: "French".into()
            }
        );
        // The detector is unsure, but not one English word: still not English.
        assert_eq!(
            d.detect("Mano dukra yra su vyresniu vyru automobilyje ir neatsako į telefoną, prašau padėkite."),
            Written::Unread {
                code: "lit".into(),
                name: "probably Lithuanian".into()
            }
        );
        let arabic = d.detect("ابنتي في سيارة مع رجلين الآن ولا يسمحون لها بالخروج");
        assert!(matches!(arabic, Written::Unread { .. }), "{arabic:?}");
        // Another script is not read as English, however short, unless it is only a name.
        assert!(matches!(
            d.detect("ساعدوني أرجوكم الآن"),
            Written::Unread { .. }
        ));
        assert_eq!(d.detect("محمد علي"), Written::English);
    }

    proptest::proptest! {
        #[test]
        fn any_text_gets_a_language_without_panicking(text in "\\PC{0,300}") {
            let d = detector();
            let _ = d.detect(&text);
            proptest::prop_assert_eq!(fold(&text).chars().count(), text.chars().count());
        }
    }

    #[test]
    fn folding_keeps_one_character_for_one() {
        assert_eq!(fold("Dziś wieczorem łódź"), "Dzis wieczorem lodz");
        assert_eq!(
            fold("diseară în seara asta, ţ ș"),
            "diseara in seara asta, t s"
        );
        assert_eq!(fold("ŵ ŷ hŷn"), "w y hyn");
        let s = "Zażółć gęślą jaźń ابن";
        assert_eq!(fold(s).chars().count(), s.chars().count());
    }
}
