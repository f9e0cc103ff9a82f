//! Acknowledging a submission through its email's acknowledgement link, from the officer's
//! machine (the desk's button does what opening the link and pressing its button does).
//!
//! A link is followed only when it points at the configured gateway: anyone can email an
//! inbox, and the desk must not be made to post to a host a message names.

use super::client::Gateway;
use std::path::Path;

/// Whether a link can still be used: the gateway answers its page with 200 until it is used
/// (or expires), then 404 without saying which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    Open,
    UsedOrExpired,
}

/// The path (`/ack/<token>`) of `link` when it is an acknowledgement link to the gateway at
/// `base` (`https://host[:port]`); `None` for any other link.
pub fn path_on(base: &str, link: &str) -> Option<String> {
    let base = base.trim().trim_end_matches('/');
    let rest = link.trim().strip_prefix(base)?;
    let token = rest.strip_prefix("/ack/")?;
    let valid = !token.is_empty()
        && token.len() <= 128
        && token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    valid.then(|| format!("/ack/{token}"))
}

fn gateway_path(gateway: &str, ca: Option<&Path>, link: &str) -> anyhow::Result<(Gateway, String)> {
    let gw = Gateway::new(gateway, ca)?;
    let path = path_on(gw.base(), link).ok_or_else(|| {
        anyhow::anyhow!(
            "the acknowledgement link is not a link to the configured gateway {}",
            gw.base()
        )
    })?;
    Ok((gw, path))
}

/// Whether the link is still open (looked at with a GET, which acknowledges nothing).
pub async fn state(gateway: &str, ca: Option<&Path>, link: &str) -> anyhow::Result<LinkState> {
    let (gw, path) = gateway_path(gateway, ca, link)?;
    match gw.public("GET", &path).await? {
        200 => Ok(LinkState::Open),
        404 => Ok(LinkState::UsedOrExpired),
        other => anyhow::bail!("the gateway answered the acknowledgement page with HTTP {other}"),
    }
}

/// Acknowledges (or, for an inbox without a deadline, confirms receipt) through the link.
pub async fn acknowledge(gateway: &str, ca: Option<&Path>, link: &str) -> anyhow::Result<()> {
    let (gw, path) = gateway_path(gateway, ca, link)?;
    match gw.public("POST", &path).await? {
        200 => Ok(()),
        404 => anyhow::bail!("the link was used already, or has expired"),
        other => anyhow::bail!("the gateway did not record it: HTTP {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::path_on;

    #[test]
    fn only_links_to_the_configured_gateway_are_followed() {
        let base = "https://gw.example:8443";
        assert_eq!(
            path_on(base, "https://gw.example:8443/ack/AbC-_9").as_deref(),
            Some("/ack/AbC-_9")
        );
        for other in [
            "https://evil.example/ack/AbC",
            "https://gw.example:8443.evil.example/ack/AbC",
            "https://gw.example:8443/follow-up",
            "https://gw.example:8443/ack/",
            "https://gw.example:8443/ack/a/../../x",
            "https://gw.example:8443/ack/a?b=c",
            "http://gw.example:8443/ack/AbC",
        ] {
            assert_eq!(path_on(base, other), None, "{other}");
        }
    }
}
