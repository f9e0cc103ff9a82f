//! Security headers on every response.

use actix_web::middleware::DefaultHeaders;

/// No inline script, no third-party origin; forms post only to this origin; no framing.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; \
form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// [`CSP`], with one inline stylesheet allowed by its hash (`'sha256-…'`): a page that carries
/// its own styles, so it paints before the stylesheets arrive. Never `'unsafe-inline'`.
pub fn csp_with_style(source: &str) -> String {
    CSP.replacen("style-src 'self'", &format!("style-src 'self' {source}"), 1)
}

pub fn security_headers(tls: bool) -> DefaultHeaders {
    let mut h = DefaultHeaders::new()
        .add(("Content-Security-Policy", CSP))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        // Nothing leaves for another site (the Exit this page link included). Same-origin
        // requests keep their referrer so that browsers without Sec-Fetch-Site still send a
        // real Origin with a form post instead of `null`.
        .add(("Referrer-Policy", "same-origin"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), interest-cohort=()",
        ))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
        .add(("Cross-Origin-Resource-Policy", "same-origin"))
        // Pages can show what someone typed; nothing may be kept by a shared browser or proxy.
        .add(("Cache-Control", "no-store"));
    if tls {
        h = h.add((
            "Strict-Transport-Security",
            "max-age=31536000; includeSubDomains",
        ));
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_inline_style_is_allowed_by_its_hash_alone() {
        let csp = csp_with_style("'sha256-abc='");
        assert!(csp.contains("style-src 'self' 'sha256-abc=';"), "{csp}");
        assert!(!csp.contains("unsafe"), "{csp}");
        assert!(csp.contains("script-src 'self';"), "{csp}");
    }
}
