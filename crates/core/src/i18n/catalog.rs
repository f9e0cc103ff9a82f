//! The Fluent strings of every language, loaded once from `forms/locales/<code>/`.
//!
//! Each language folder holds `*.ftl` files (the public pages, the validation messages, one per
//! form) and a `language.toml` that says who translated it and whether a native speaker has
//! reviewed it. English is the source: a string missing from another language falls back to
//! English, and a form's English is its TOML, so a form's `.ftl` exists only for the others.

use super::english::Template;
use super::Lang;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct CatalogError {
    pub file: String,
    pub message: String,
}

/// What `language.toml` says about a translation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageInfo {
    /// Who wrote the translation.
    pub translator: String,
    /// `reviewed by …` once a native speaker has checked it; anything else (the shipped
    /// `draft: needs review by a native speaker`) means not yet.
    pub review: String,
}

impl LanguageInfo {
    pub fn reviewed(&self) -> bool {
        self.review.trim_start().starts_with("reviewed")
    }
}

struct Language {
    bundle: FluentBundle<FluentResource>,
    ids: BTreeSet<String>,
    info: LanguageInfo,
}

/// Every language's strings.
pub struct Catalog {
    languages: BTreeMap<Lang, Language>,
    /// English text (of messages without arguments) to its id: messages that code writes in
    /// English (a page's title given by a route, a notice kept in a draft) are found by their
    /// words, as gettext does, so those call sites stay as they are.
    english: HashMap<String, String>,
    /// The code's English messages with values in them (`msg-…` ids with variables), found by
    /// their words around the values.
    templates: Vec<Template>,
}

impl Catalog {
    /// Loads every shipped language found under `dir`. English must be there; a file that does
    /// not parse, or a message defined twice, stops start-up with the file's name.
    pub fn load(dir: &Path) -> Result<Catalog, CatalogError> {
        let mut languages = BTreeMap::new();
        for lang in Lang::ALL {
            let folder = dir.join(lang.code());
            if !folder.is_dir() {
                if lang == Lang::En {
                    return Err(CatalogError {
                        file: folder.display().to_string(),
                        message: "missing: English is the language every other falls back to"
                            .into(),
                    });
                }
                continue;
            }
            languages.insert(lang, load_language(lang, &folder)?);
        }
        let mut catalog = Catalog {
            languages,
            english: HashMap::new(),
            templates: Vec::new(),
        };
        let ids: Vec<String> = catalog.languages[&Lang::En].ids.iter().cloned().collect();
        for id in ids {
            if let Some(text) = catalog.format(Lang::En, &id, &[]) {
                catalog.english.entry(text).or_insert(id);
            } else if id.starts_with("msg-") {
                let bundle = &catalog.languages[&Lang::En].bundle;
                let pattern = bundle.get_message(&id).and_then(|m| m.value());
                if let Some(t) = pattern.and_then(|p| Template::of(&id, p)) {
                    catalog.templates.push(t);
                }
            }
        }
        catalog
            .templates
            .sort_by_key(|t| std::cmp::Reverse(t.own_text_len()));
        Ok(catalog)
    }

    /// English words as `lang` writes them, when they are a message of the catalog; as they are
    /// otherwise.
    pub fn translate_english(&self, lang: Lang, text: &str) -> String {
        if lang == Lang::En {
            return text.to_string();
        }
        self.english
            .get(text)
            .and_then(|id| self.format(lang, id, &[]))
            .or_else(|| self.translate_filled(lang, text))
            .unwrap_or_else(|| text.to_string())
    }

    /// English words with values in them, as `lang` writes them with the same values. A value
    /// that is itself English words the catalog has (a file's problem inside "… Choose your
    /// files again") is translated too; in right-to-left text a value that is not a number is
    /// isolated, so "10 MB" keeps its order.
    fn translate_filled(&self, lang: Lang, text: &str) -> Option<String> {
        self.templates.iter().find_map(|t| {
            let values = t.values(text)?;
            let args: Vec<(&str, String)> = values
                .into_iter()
                .map(|(name, value)| {
                    let v = self.translate_english(lang, value);
                    if lang.rtl() && v.parse::<f64>().is_err() {
                        (name, format!("\u{2068}{v}\u{2069}"))
                    } else {
                        (name, v)
                    }
                })
                .collect();
            self.format(lang, &t.id, &args)
        })
    }

    /// The languages found, English first.
    pub fn languages(&self) -> Vec<Lang> {
        self.languages.keys().copied().collect()
    }

    pub fn info(&self, lang: Lang) -> Option<&LanguageInfo> {
        self.languages.get(&lang).map(|l| &l.info)
    }

    /// Whether `lang` itself (not its fallback) has the message.
    pub fn has(&self, lang: Lang, id: &str) -> bool {
        self.languages
            .get(&lang)
            .is_some_and(|l| l.ids.contains(id))
    }

    /// The message ids `lang` itself defines.
    pub fn ids(&self, lang: Lang) -> Vec<String> {
        self.languages
            .get(&lang)
            .map(|l| l.ids.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// The English message ids `lang` lacks (they are shown in English).
    pub fn missing(&self, lang: Lang) -> Vec<String> {
        let (Some(en), Some(other)) = (self.languages.get(&Lang::En), self.languages.get(&lang))
        else {
            return Vec::new();
        };
        en.ids.difference(&other.ids).cloned().collect()
    }

    /// The message in `lang`, or in English, or `None` when neither has it.
    pub fn lookup(&self, lang: Lang, id: &str, args: &[(&str, String)]) -> Option<String> {
        [lang, Lang::En]
            .into_iter()
            .find_map(|l| self.format(l, id, args))
    }

    /// The message in `lang` itself, without falling back.
    pub fn format(&self, lang: Lang, id: &str, args: &[(&str, String)]) -> Option<String> {
        let bundle = &self.languages.get(&lang)?.bundle;
        let pattern = bundle.get_message(id)?.value()?;
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            // Numbers as numbers, so plural selectors (Welsh has six forms) choose by them.
            match value.parse::<f64>() {
                Ok(n) => fluent_args.set(*name, FluentValue::from(n)),
                Err(_) => fluent_args.set(*name, FluentValue::from(value.as_str())),
            }
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
        errors.is_empty().then(|| text.into_owned())
    }
}

fn load_language(lang: Lang, folder: &Path) -> Result<Language, CatalogError> {
    let problem = |file: &Path, message: String| CatalogError {
        file: file.display().to_string(),
        message,
    };
    let info_path = folder.join("language.toml");
    let info: LanguageInfo = std::fs::read_to_string(&info_path)
        .map_err(|e| problem(&info_path, e.to_string()))
        .and_then(|s| toml::from_str(&s).map_err(|e| problem(&info_path, e.to_string())))?;
    let id: unic_langid::LanguageIdentifier = lang
        .code()
        .parse()
        .map_err(|_| problem(folder, "not a language tag".into()))?;
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // No Unicode isolation marks around arguments: the templates isolate with <bdi> where a
    // value's direction may differ, and English pages stay byte for byte what they were.
    bundle.set_use_isolating(false);
    let mut ids = BTreeSet::new();
    let mut files: Vec<_> = std::fs::read_dir(folder)
        .map_err(|e| problem(folder, e.to_string()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ftl"))
        .collect();
    files.sort();
    for path in files {
        let source = std::fs::read_to_string(&path).map_err(|e| problem(&path, e.to_string()))?;
        let resource = FluentResource::try_new(source)
            .map_err(|(_, errors)| problem(&path, format!("does not parse: {}", errors[0])))?;
        for entry in resource.entries() {
            if let fluent_syntax::ast::Entry::Message(m) = entry {
                ids.insert(m.id.name.to_string());
            }
        }
        bundle
            .add_resource(resource)
            .map_err(|errors| problem(&path, format!("{}", errors[0])))?;
    }
    Ok(Language { bundle, ids, info })
}
