//! The set of forms the gateway serves, loaded once at start.

use super::spec::{parse_spec, FormSpec, SpecProblem};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The forms shipped with the gateway, compiled in so `open` can label answers on an
/// analyst's machine that has no copy of `forms/`.
pub const BUILT_IN: &[(&str, &str)] = &[
    (
        "professional.toml",
        include_str!("../../../../forms/professional.toml"),
    ),
    (
        "community.toml",
        include_str!("../../../../forms/community.toml"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read form folder {path}: {source}")]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", .problems.iter().map(|(f, p)| format!("{f}: {p}")).collect::<Vec<_>>().join("\n"))]
    Specs {
        problems: Vec<(String, SpecProblem)>,
    },
}

#[derive(Debug, Clone, Default)]
pub struct FormRegistry {
    forms: BTreeMap<String, Arc<FormSpec>>,
}

impl FormRegistry {
    /// Loads every `*.toml` in `dir`. All problems in all files are reported together, each
    /// with the file and the field it concerns.
    pub fn load_dir(dir: &Path) -> Result<Self, LoadError> {
        let folder_err = |source| LoadError::Folder {
            path: dir.to_path_buf(),
            source,
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(folder_err)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        let mut sources = Vec::new();
        for path in files {
            let text = std::fs::read_to_string(&path).map_err(|source| LoadError::Folder {
                path: path.clone(),
                source,
            })?;
            sources.push((path.display().to_string(), text));
        }
        Self::from_sources(sources.iter().map(|(n, t)| (n.as_str(), t.as_str())))
    }

    pub fn built_in() -> Result<Self, LoadError> {
        Self::from_sources(BUILT_IN.iter().copied())
    }

    pub fn from_sources<'a>(
        sources: impl Iterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, LoadError> {
        let mut forms = BTreeMap::new();
        let mut problems = Vec::new();
        for (name, text) in sources {
            match parse_spec(text) {
                Ok(spec) => {
                    problems.extend(
                        super::fields::check(&spec)
                            .into_iter()
                            .map(|p| (name.to_string(), p)),
                    );
                    if forms.contains_key(&spec.id) {
                        problems.push((
                            name.to_string(),
                            SpecProblem {
                                location: "id".into(),
                                message: format!("form id `{}` is used by another file", spec.id),
                            },
                        ));
                    }
                    forms.insert(spec.id.clone(), Arc::new(spec));
                }
                Err(ps) => problems.extend(ps.into_iter().map(|p| (name.to_string(), p))),
            }
        }
        if forms.is_empty() && problems.is_empty() {
            problems.push((
                "forms".into(),
                SpecProblem {
                    location: "folder".into(),
                    message: "no form specs (*.toml) found".into(),
                },
            ));
        }
        if problems.is_empty() {
            Ok(FormRegistry { forms })
        } else {
            Err(LoadError::Specs { problems })
        }
    }

    pub fn get(&self, id: &str) -> Option<&Arc<FormSpec>> {
        self.forms.get(id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<FormSpec>> {
        self.forms.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_forms_load() {
        let reg = FormRegistry::built_in().unwrap_or_else(|e| panic!("{e}"));
        assert!(reg.get("professional").is_some());
        assert!(reg.get("community").is_some());
    }

    #[test]
    fn the_shipped_forms_match_the_files_on_disk() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../forms");
        let reg = FormRegistry::load_dir(&dir).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reg.iter().count(), 2);
    }

    #[test]
    fn every_field_that_can_be_required_says_what_to_do_when_it_is_missing() {
        fn walk(form: &str, fields: &[crate::forms::spec::Field], missing: &mut Vec<String>) {
            for f in fields {
                if f.can_be_required() && f.error_required.is_none() {
                    missing.push(format!("{form}: {}", f.id));
                }
                if let crate::forms::spec::Kind::Group { fields, .. } = &f.kind {
                    walk(form, fields, missing);
                }
            }
        }
        let reg = FormRegistry::built_in().unwrap_or_else(|e| panic!("{e}"));
        let mut missing = Vec::new();
        for spec in reg.iter() {
            for s in &spec.sections {
                walk(&spec.id, &s.fields, &mut missing);
            }
        }
        assert!(missing.is_empty(), "no error_required: {missing:?}");
    }

    #[test]
    fn renaming_a_field_triage_relies_on_stops_loading_with_file_and_field() {
        let renamed = BUILT_IN[0]
            .1
            .replace("id = \"gate.immediate_danger\"", "id = \"gate.danger\"");
        let err =
            FormRegistry::from_sources([("forms/professional.toml", renamed.as_str())].into_iter())
                .unwrap_err()
                .to_string();
        assert!(
            err.contains("forms/professional.toml: field `gate.immediate_danger`: is missing: triage (the gate question)"),
            "{err}"
        );
        let retyped = BUILT_IN[0].1.replace(
            "id = \"concern_categories\"\nkind = \"multi_choice\"",
            "id = \"concern_categories\"\nkind = \"choice\"",
        );
        assert_ne!(
            retyped, BUILT_IN[0].1,
            "the professional form has concern_categories as multi_choice"
        );
        let err =
            FormRegistry::from_sources([("forms/professional.toml", retyped.as_str())].into_iter())
                .unwrap_err()
                .to_string();
        assert!(
            err.contains("field `concern_categories`: must be a multi_choice field"),
            "{err}"
        );
        let no_option = BUILT_IN[1].1.replace(
            "{ value = \"WEAPONS\", label = \"Someone has a knife, gun or other weapon\" },\n",
            "",
        );
        let err =
            FormRegistry::from_sources([("forms/community.toml", no_option.as_str())].into_iter())
                .unwrap_err()
                .to_string();
        assert!(err.contains("has no option `WEAPONS`"), "{err}");
    }

    #[test]
    fn a_bad_spec_is_named_by_file_and_field() {
        let bad = BUILT_IN[1]
            .1
            .replacen("kind = \"yes_no\"", "kind = \"yes_or_no\"", 1);
        let err = FormRegistry::from_sources([("forms/community.toml", bad.as_str())].into_iter())
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("forms/community.toml: section `before_you_start` > field `"),
            "{err}"
        );
        assert!(err.contains("yes_or_no"), "{err}");
    }
}
