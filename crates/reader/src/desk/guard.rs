//! What keeps other web pages and other users of the machine out of the desk: the one-time
//! start token exchanged for a session cookie, the `Host` check against DNS rebinding, the
//! CSRF token on every form, and the headers on every answer.

use std::collections::HashMap;
use std::sync::Mutex;

pub const COOKIE: &str = "desk_session";

/// Every desk page: nothing from anywhere but the desk itself, no script at all.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
                       form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// A random token: 256 bits, URL-safe base64.
pub fn random_token() -> String {
    use base64::Engine;
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 32];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        // Without a random source nothing on the machine is safe: stop rather than go on.
        .expect("the system's random source");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Compares two secrets in time that does not depend on where they first differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// What the page says after an action, once.
#[derive(Debug, Clone)]
pub struct Flash {
    pub ok: bool,
    pub text: String,
}

#[derive(Debug)]
struct Session {
    csrf: String,
    flash: Option<Flash>,
}

/// The start token (until used) and the sessions it opened.
pub struct Sessions {
    start: Mutex<Option<String>>,
    live: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    pub fn new(start: String) -> Self {
        Sessions {
            start: Mutex::new(Some(start)),
            live: Mutex::new(HashMap::new()),
        }
    }

    /// Exchanges the start token, once, for a new session id.
    pub fn exchange(&self, token: &str) -> Option<String> {
        let mut start = self.start.lock().unwrap_or_else(|e| e.into_inner());
        if !start.as_deref().is_some_and(|s| same(s, token)) {
            return None;
        }
        *start = None;
        let id = random_token();
        self.live.lock().unwrap_or_else(|e| e.into_inner()).insert(
            id.clone(),
            Session {
                csrf: random_token(),
                flash: None,
            },
        );
        Some(id)
    }

    /// The session's CSRF token, when `id` is a live session.
    pub fn csrf(&self, id: &str) -> Option<String> {
        let live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        live.iter()
            .find(|(k, _)| same(k, id))
            .map(|(_, s)| s.csrf.clone())
    }

    pub fn set_flash(&self, id: &str, flash: Flash) {
        if let Some(s) = self
            .live
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_mut(id)
        {
            s.flash = Some(flash);
        }
    }

    pub fn take_flash(&self, id: &str) -> Option<Flash> {
        self.live
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_mut(id)
            .and_then(|s| s.flash.take())
    }
}

/// The session id a request's `Cookie` header carries.
pub fn session_cookie(req: &actix_web::HttpRequest) -> Option<String> {
    req.headers()
        .get_all(actix_web::http::header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_string())
}

/// Whether the `Host` header names the desk itself: a page on another site that makes its
/// name resolve to 127.0.0.1 (DNS rebinding) still sends its own name.
pub fn host_allowed(host: Option<&str>, port: u16) -> bool {
    host.is_some_and(|h| h == format!("127.0.0.1:{port}") || h == format!("localhost:{port}"))
}

/// Whether an `Origin` header, when a browser sends one, is the desk's own.
pub fn origin_allowed(origin: Option<&str>, port: u16) -> bool {
    origin.is_none_or(|o| {
        o == format!("http://127.0.0.1:{port}") || o == format!("http://localhost:{port}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_start_token_opens_one_session_once() {
        let sessions = Sessions::new("start-token".into());
        assert!(sessions.exchange("start-tokeN").is_none());
        let id = sessions.exchange("start-token").expect("a session");
        assert!(sessions.exchange("start-token").is_none(), "used once");
        assert!(sessions.csrf(&id).is_some());
        assert!(sessions.csrf("another").is_none());
    }

    #[test]
    fn only_the_desks_own_host_and_origin_are_let_in() {
        assert!(host_allowed(Some("127.0.0.1:8765"), 8765));
        assert!(host_allowed(Some("localhost:8765"), 8765));
        for bad in [
            None,
            Some("evil.example:8765"),
            Some("127.0.0.1:8766"),
            Some("127.0.0.1"),
            Some("localhost.evil.example:8765"),
        ] {
            assert!(!host_allowed(bad, 8765), "{bad:?}");
        }
        assert!(origin_allowed(None, 1));
        assert!(origin_allowed(Some("http://localhost:1"), 1));
        assert!(!origin_allowed(Some("http://evil.example"), 1));
        assert!(!origin_allowed(Some("null"), 1));
    }
}
