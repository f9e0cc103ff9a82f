//! The gateway's check of a signed officer request: who signed it, whether it is fresh, and
//! which routes' submissions that officer may act on. The nonce is checked last, against the
//! spool, by the HTTP layer (it is the one step that writes).

use super::request::{RequestParts, Signature};
use crate::routing::Routes;
use crate::signing::PublicKey;

/// How far a request's timestamp may be from the gateway's clock, either way. Nonces are kept
/// for twice this (and a minute more), so a request can never be replayed: by the time its
/// nonce is forgotten its timestamp is stale.
pub const WINDOW_SECS: i64 = 300;

/// Seconds a used nonce is remembered.
pub const NONCE_MEMORY_SECS: i64 = 2 * WINDOW_SECS + 60;

/// Why a signed request is refused (each a 401, each audited with its code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No `Authorization` header.
    Unsigned,
    /// An `Authorization` header that is not a `PISG-Ed25519` signature.
    Malformed,
    /// Signed with a key no route lists.
    UnknownKey,
    /// The signature does not match the request.
    BadSignature,
    /// The timestamp is outside the window.
    Stale,
    /// The nonce was used before.
    Replayed,
    /// The officer's routes received no delivery of this submission (or there is no such
    /// submission: the answer is the same, so an officer cannot probe for references).
    NotPermitted,
}

impl Refusal {
    /// The reason code written to the audit log.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Unsigned => "unsigned",
            Refusal::Malformed => "malformed_signature",
            Refusal::UnknownKey => "unknown_key",
            Refusal::BadSignature => "bad_signature",
            Refusal::Stale => "stale_timestamp",
            Refusal::Replayed => "replayed_nonce",
            Refusal::NotPermitted => "not_on_route",
        }
    }

    /// What the officer is told.
    pub fn message(self) -> &'static str {
        match self {
            Refusal::Unsigned => "Officer requests must be signed (pis-gateway reply or status)",
            Refusal::Malformed => "The Authorization header is not a PISG-Ed25519 signature",
            Refusal::UnknownKey => "The signing key is not listed on any route of this gateway",
            Refusal::BadSignature => "The signature does not match the request",
            Refusal::Stale => {
                "The request's timestamp is more than 5 minutes from the gateway's clock; \
                 check this machine's clock"
            }
            Refusal::Replayed => "This request was already received; sign a new one",
            Refusal::NotPermitted => {
                "This officer key is not listed on a route that received this submission"
            }
        }
    }
}

/// A request whose signature and timestamp check out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub key_id: String,
    pub nonce: [u8; 16],
}

/// The officers every route lists, with the routes that list each.
#[derive(Debug, Default)]
pub struct Officers {
    keys: Vec<(PublicKey, Vec<String>)>,
}

impl Officers {
    pub fn from_routes(routes: &Routes) -> Self {
        let mut keys: Vec<(PublicKey, Vec<String>)> = Vec::new();
        for route in routes.all() {
            for officer in &route.officers {
                match keys.iter_mut().find(|(k, _)| k == officer) {
                    Some((_, names)) => names.push(route.name.clone()),
                    None => keys.push((officer.clone(), vec![route.name.clone()])),
                }
            }
        }
        Officers { keys }
    }

    /// Checks the signature and its timestamp against `now`. On refusal, also the key id the
    /// request presented, if it could be read (for the audit log).
    pub fn check(
        &self,
        authorization: Option<&[u8]>,
        parts: &RequestParts<'_>,
        now: i64,
    ) -> Result<Signed, (Refusal, Option<String>)> {
        let header = authorization.ok_or((Refusal::Unsigned, None))?;
        let sig = std::str::from_utf8(header)
            .ok()
            .and_then(Signature::parse)
            .ok_or((Refusal::Malformed, None))?;
        let presented = Some(sig.key_id.clone());
        let (key, _) = self
            .keys
            .iter()
            .find(|(k, _)| k.id() == sig.key_id)
            .ok_or((Refusal::UnknownKey, presented.clone()))?;
        if !sig.verifies(key, parts) {
            return Err((Refusal::BadSignature, presented));
        }
        if (sig.timestamp - now).abs() > WINDOW_SECS {
            return Err((Refusal::Stale, presented));
        }
        Ok(Signed {
            key_id: sig.key_id,
            nonce: sig.nonce,
        })
    }

    /// The first of `delivered_to` (route names) that lists the officer, if any.
    pub fn route_for<'a>(
        &self,
        key_id: &str,
        delivered_to: impl IntoIterator<Item = &'a str>,
    ) -> Option<&'a str> {
        let (_, routes) = self.keys.iter().find(|(k, _)| k.id() == key_id)?;
        delivered_to
            .into_iter()
            .find(|r| routes.iter().any(|name| name == r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::officer::request::authorization;
    use crate::routing::{RouteSettings, View};
    use crate::signing::SigningKey;

    fn routes(police: &[&SigningKey], control: &[&SigningKey]) -> Routes {
        let key = age::x25519::Identity::generate().to_public().to_string();
        let route = |name: &str, role, officers: &[&SigningKey]| RouteSettings {
            name: name.into(),
            mailbox: "intel@example.invalid".into(),
            view: View::Full,
            recipients: vec![key.clone()],
            role: Some(role),
            localities: vec![],
            fallback: false,
            ack_immediate_minutes: None,
            ack_priority_minutes: None,
            officers: officers.iter().map(|k| k.public().to_base64()).collect(),
        };
        Routes::from_settings(&[
            route(
                "police_intelligence",
                crate::routing::Role::PoliceIntelligence,
                police,
            ),
            route("control_room", crate::routing::Role::ControlRoom, control),
        ])
        .expect("routes")
    }

    const PARTS: RequestParts<'static> = RequestParts {
        method: "POST",
        path: "/api/v1/officer/status",
        query: "",
        body: br#"{"reference":"PIS-AAAA-AAAA","status":"closed"}"#,
    };

    #[test]
    fn each_kind_of_bad_request_is_refused_with_its_own_reason() {
        let (intel, control, stranger) = (
            SigningKey::generate(),
            SigningKey::generate(),
            SigningKey::generate(),
        );
        let officers = Officers::from_routes(&routes(&[&intel], &[&control]));
        let now = 1_800_000_000;
        let signed = |key: &SigningKey, ts: i64| authorization(key, &PARTS, ts).into_bytes();
        let refusal = |header: Option<&[u8]>, parts: &RequestParts<'_>| {
            officers.check(header, parts, now).map_err(|(r, _)| r)
        };
        let ok = signed(&intel, now - WINDOW_SECS);
        assert_eq!(
            refusal(Some(&ok), &PARTS).map(|s| s.key_id),
            Ok(intel.public().id())
        );
        assert_eq!(refusal(None, &PARTS), Err(Refusal::Unsigned));
        assert_eq!(refusal(Some(b"Bearer x"), &PARTS), Err(Refusal::Malformed));
        assert_eq!(
            refusal(Some(&signed(&stranger, now)), &PARTS),
            Err(Refusal::UnknownKey)
        );
        let mut tampered = PARTS.clone();
        tampered.body = br#"{"reference":"PIS-BBBB-BBBB","status":"closed"}"#;
        assert_eq!(refusal(Some(&ok), &tampered), Err(Refusal::BadSignature));
        assert_eq!(
            refusal(Some(&signed(&intel, now - WINDOW_SECS - 1)), &PARTS),
            Err(Refusal::Stale)
        );
        assert_eq!(
            refusal(Some(&signed(&intel, now + WINDOW_SECS + 1)), &PARTS),
            Err(Refusal::Stale)
        );
        // A forger who names a listed key's id with their own signature.
        let forged = String::from_utf8(signed(&stranger, now))
            .expect("ascii")
            .replace(&stranger.public().id(), &intel.public().id());
        assert_eq!(
            refusal(Some(forged.as_bytes()), &PARTS),
            Err(Refusal::BadSignature)
        );
    }

    #[test]
    fn an_officer_acts_only_through_the_routes_that_list_it() {
        let (intel, control) = (SigningKey::generate(), SigningKey::generate());
        let officers = Officers::from_routes(&routes(&[&intel, &control], &[&control]));
        let (i, c) = (intel.public().id(), control.public().id());
        assert_eq!(
            officers.route_for(&i, ["police_intelligence"]),
            Some("police_intelligence")
        );
        assert_eq!(officers.route_for(&i, ["control_room"]), None);
        assert_eq!(
            officers.route_for(&c, ["control_room"]),
            Some("control_room")
        );
        assert_eq!(
            officers.route_for("0000000000000000", ["control_room"]),
            None
        );
    }
}
