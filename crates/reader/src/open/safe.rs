//! Submitter content made safe at each exit. A document may carry terminal escape sequences
//! (ESC, CSI, OSC…), carriage returns that rewrite a line, and Unicode bidirectional controls
//! that make text read differently from how it is stored ("Trojan Source"). None is obeyed:
//! each is shown as `\u{..}` in text and HTML, and escaped in JSON.

use std::fmt::Write;

/// Unicode's bidirectional formatting characters (embeddings, overrides, isolates and marks).
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// A character that must be shown rather than obeyed. Line feeds and tabs are kept.
fn is_hostile(c: char) -> bool {
    let code = c as u32;
    (code < 0x20 && c != '\n' && c != '\t') || (0x7f..=0x9f).contains(&code) || is_bidi_control(c)
}

/// Text safe for a terminal: C0 and C1 control characters (ESC, CSI, carriage return, BEL…) and
/// bidirectional controls are shown as `\u{..}` rather than obeyed, so a document can neither
/// rewrite the lines around it nor reorder what the officer reads.
pub fn terminal_safe(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_hostile(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// Text for an HTML page: controls shown as in a terminal, then every markup character escaped.
pub fn html(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in terminal_safe(s).chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Serialised JSON with every control and bidirectional character that serde leaves raw
/// (C1 controls, DEL, bidi), and `<`, `>`, `&`, written as `\uXXXX` escapes: the same JSON
/// value, but bytes that are safe to print in a terminal, paste into another system, or embed
/// in a page. (None of these characters can occur outside a string in JSON.)
pub fn json(serialised: &str) -> String {
    let mut out = String::with_capacity(serialised.len());
    for c in serialised.chars() {
        if is_hostile(c) || matches!(c, '<' | '>' | '&') {
            // Every such character is in the Basic Multilingual Plane: one escape each.
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_are_shown_not_obeyed() {
        let hostile = "a\u{1b}[2Kb\rc\u{9b}d\u{202e}evil\u{2066}x\u{7}";
        let t = terminal_safe(hostile);
        assert_eq!(
            t,
            "a\\u{1b}[2Kb\\u{d}c\\u{9b}d\\u{202e}evil\\u{2066}x\\u{7}"
        );
        assert_eq!(terminal_safe("line\n\tnext"), "line\n\tnext");
        assert_eq!(html("<b>\u{202e}"), "&lt;b&gt;\\u{202e}");
        let j = json(&serde_json::to_string(&serde_json::json!({"v": hostile})).expect("json"));
        assert!(!j.chars().any(is_hostile), "{j}");
        let markup = json(&serde_json::to_string(&serde_json::json!({"v": "<b>&"})).expect("json"));
        assert_eq!(markup, r#"{"v":"\u003cb\u003e\u0026"}"#);
        let back: serde_json::Value = serde_json::from_str(&j).expect("still JSON");
        assert_eq!(back["v"], hostile, "the same value");
    }
}
