//! The documentation book (`docs/`, built by mdBook in `.ci/run`): every page is in the
//! contents, every relative link leads to a file that exists (and a `#fragment` to a heading
//! of that page), and the README stays a short map of the book.

use crate::helpers::repo;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn pages(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("docs/src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            pages(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

/// Relative link targets in a page's markdown: `](target)`, outside code.
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_fence = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("](") {
            let after = &rest[i + 2..];
            let Some(end) = after.find(')') else { break };
            let target = &after[..end];
            if !target.contains("://") && !target.starts_with("mailto:") && !target.is_empty() {
                out.push(target.to_string());
            }
            rest = &after[end..];
        }
    }
    out
}

/// The anchors mdBook gives a page's headings: lower case, spaces to hyphens, other
/// punctuation dropped.
fn anchors(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|l| l.starts_with('#'))
        .map(|l| {
            l.trim_start_matches('#')
                .trim()
                .to_lowercase()
                .chars()
                .filter_map(|c| match c {
                    ' ' => Some('-'),
                    c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                    _ => None,
                })
                .collect()
        })
        .collect()
}

#[test]
fn every_page_is_in_the_contents_and_every_link_leads_somewhere() {
    let src = repo().join("docs/src");
    let summary = std::fs::read_to_string(src.join("SUMMARY.md")).expect("SUMMARY.md");
    let listed: BTreeSet<String> = links(&summary).into_iter().collect();
    let mut all = Vec::new();
    pages(&src, &mut all);
    let mut problems = Vec::new();
    for page in &all {
        let name = page
            .strip_prefix(&src)
            .expect("under src")
            .to_string_lossy()
            .to_string();
        if name != "SUMMARY.md" && !listed.contains(&name) {
            problems.push(format!("{name} is not in SUMMARY.md"));
        }
        let text = std::fs::read_to_string(page).expect("page");
        for target in links(&text) {
            let (file, fragment) = target.split_once('#').unwrap_or((&target, ""));
            let path = if file.is_empty() {
                page.clone()
            } else {
                page.parent().expect("dir").join(file)
            };
            if !path.exists() {
                problems.push(format!("{name}: {target} does not exist"));
                continue;
            }
            if !fragment.is_empty() && path.extension().is_some_and(|e| e == "md") {
                let there = std::fs::read_to_string(&path).expect("linked page");
                if !anchors(&there).contains(fragment) {
                    problems.push(format!("{name}: no heading for #{fragment} in {file}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_readme_is_a_short_map_of_the_book() {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README");
    assert!(
        readme.lines().count() < 300,
        "{} lines",
        readme.lines().count()
    );
    for target in links(&readme) {
        let file = target.split('#').next().unwrap_or_default();
        assert!(
            repo().join(file).exists(),
            "README links to {target}, which does not exist"
        );
    }
    assert!(
        readme.contains("docs/src/SUMMARY.md"),
        "the README points to the book"
    );
}
