//! The gateway's check of a signed officer request: who signed it, whether it is fresh, and
//! which routes' submissions that officer may act on. The nonce is checked last, against the
//! spool, by the HTTP layer (it is the one step that writes).

use super::request::{RequestParts, Signature};
use crate::routing::{OfficerAction, Routes};
use crate::signing::PublicKey;

/// How far a request's timestamp may be from the gateway's clock, either way. Nonces are kept
/// for twice this (and a minute more), so a request can never be replayed: by the time its
/// nonce is forgotten its timestamp is stale.
pub const WINDOW_SECS: i64 = 300;

/// Seconds a used nonce is remembered.
pub const NONCE_MEMORY_SECS: i64 = 2 * WINDOW_SECS + 60;

/// Why a signed request is refused: a 401 for who signed it, a 403 for what they may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No `Authorization` header.
    Unsigned,
    /// An `Authorization` header that is not a `PISG-Ed25519` signature.
    Malformed,
    /// A signature that names no gateway host (a client from before hosts were signed).
    HostNotSigned,
    /// Signed by a listed officer for another gateway's host: a replay across deployments.
    WrongGateway,
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
    /// The officer's routes received this submission, but none of them the full view (a MACE
    /// route's notice or restricted view): such an officer may only confirm receipt.
    NotFullView,
    /// A route of the officer's received the full view, but its role (or `officer_actions`)
    /// does not allow this action.
    ActionNotPermitted,
}

impl Refusal {
    /// The reason code written to the audit log.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Unsigned => "unsigned",
            Refusal::Malformed => "malformed_signature",
            Refusal::HostNotSigned => "host_not_signed",
            Refusal::WrongGateway => "wrong_gateway",
            Refusal::UnknownKey => "unknown_key",
            Refusal::BadSignature => "bad_signature",
            Refusal::Stale => "stale_timestamp",
            Refusal::Replayed => "replayed_nonce",
            Refusal::NotPermitted => "not_on_route",
            Refusal::NotFullView => "not_full_view",
            Refusal::ActionNotPermitted => "action_not_permitted",
        }
    }

    /// Whether the request's signature verified before it was refused: only then is the
    /// refusal written to the audit log. Anyone can send unsigned or wrongly signed requests
    /// by the thousand, and each audit row is a durable write (on PostgreSQL, under the audit
    /// head's lock); those are counted in metrics instead.
    pub fn signature_verified(self) -> bool {
        !matches!(
            self,
            Refusal::Unsigned
                | Refusal::Malformed
                | Refusal::HostNotSigned
                | Refusal::UnknownKey
                | Refusal::BadSignature
        )
    }

    /// Whether the refusal is about what the officer may do (403) rather than who signed (401).
    pub fn forbidden(self) -> bool {
        matches!(self, Refusal::NotFullView | Refusal::ActionNotPermitted)
    }

    /// What the officer is told.
    pub fn message(self) -> &'static str {
        match self {
            Refusal::Unsigned => "Officer requests must be signed (pis-gateway reply or status)",
            Refusal::Malformed => "The Authorization header is not a PISG-Ed25519 signature",
            Refusal::HostNotSigned => {
                "The request does not sign the gateway's host: update pis-gateway on this \
                 machine (officer requests are now signed for one gateway)"
            }
            Refusal::WrongGateway => {
                "The request was signed for another gateway's host; check --gateway (it must \
                 be this gateway's public address)"
            }
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
            Refusal::NotFullView => {
                "This officer's routes received only a notice or a restricted view of this \
                 submission: they may confirm receipt, nothing more"
            }
            Refusal::ActionNotPermitted => {
                "This officer's route does not allow this action (see the route's \
                 officer_actions)"
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

/// A route that lists an officer, with what its officers may do.
#[derive(Debug, Clone)]
struct Grant {
    route: String,
    actions: Vec<OfficerAction>,
}

/// The officers every route lists, with the routes that list each, and the host name their
/// requests must be signed for.
#[derive(Debug, Default)]
pub struct Officers {
    keys: Vec<(PublicKey, Vec<Grant>)>,
    host: String,
}

impl Officers {
    pub fn from_routes(routes: &Routes) -> Self {
        let mut keys: Vec<(PublicKey, Vec<Grant>)> = Vec::new();
        for route in routes.all() {
            let grant = Grant {
                route: route.name.clone(),
                actions: route.officer_actions.clone(),
            };
            for officer in &route.officers {
                match keys.iter_mut().find(|(k, _)| k == officer) {
                    Some((_, grants)) => grants.push(grant.clone()),
                    None => keys.push((officer.clone(), vec![grant.clone()])),
                }
            }
        }
        Officers {
            keys,
            host: String::new(),
        }
    }

    /// Requests must be signed for `host` (the host name of `server.public_url`).
    pub fn serving(mut self, host: String) -> Self {
        self.host = host;
        self
    }

    /// The officers who may share (on a route whose actions include `share`), with those
    /// routes' names: the keys a MACE reader checks a shared view against.
    pub fn sharers(&self) -> Vec<(&PublicKey, Vec<&str>)> {
        self.keys
            .iter()
            .filter_map(|(key, grants)| {
                let routes: Vec<&str> = grants
                    .iter()
                    .filter(|g| g.actions.contains(&OfficerAction::Share))
                    .map(|g| g.route.as_str())
                    .collect();
                (!routes.is_empty()).then_some((key, routes))
            })
            .collect()
    }

    /// Checks the signature, the host it was signed for and its timestamp against `now`.
    /// `parts.host` is not used: the host must be the one given to [`Officers::serving`]. On
    /// refusal, also the key id the request presented, if it could be read (for the audit
    /// log).
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
        let host = sig
            .host
            .clone()
            .ok_or((Refusal::HostNotSigned, presented.clone()))?;
        let (key, _) = self
            .keys
            .iter()
            .find(|(k, _)| k.id() == sig.key_id)
            .ok_or((Refusal::UnknownKey, presented.clone()))?;
        // Checked over the host it names, so a request an officer really signed for another
        // gateway is told apart from a forgery (and audited as the replay it is).
        let signed_for = RequestParts {
            host: &host,
            ..parts.clone()
        };
        if !sig.verifies(key, &signed_for) {
            return Err((Refusal::BadSignature, presented));
        }
        if host != self.host {
            return Err((Refusal::WrongGateway, presented));
        }
        if (sig.timestamp - now).abs() > WINDOW_SECS {
            return Err((Refusal::Stale, presented));
        }
        Ok(Signed {
            key_id: sig.key_id,
            nonce: sig.nonce,
        })
    }

    /// The route through which the officer may take `action`, given the routes the submission
    /// was delivered to, each with whether it received the full view: the first that lists the officer, received the full
    /// view, and allows the action. Otherwise the most telling refusal: on no such route at
    /// all, on one that received less than the full view, or on one whose role forbids it.
    pub fn permit<'a>(
        &self,
        key_id: &str,
        action: OfficerAction,
        delivered_to: impl IntoIterator<Item = (&'a str, bool)>,
    ) -> Result<&'a str, Refusal> {
        let grants = self
            .keys
            .iter()
            .find(|(k, _)| k.id() == key_id)
            .map(|(_, g)| g.as_slice())
            .unwrap_or_default();
        let mut refusal = Refusal::NotPermitted;
        for (route, full) in delivered_to {
            let Some(grant) = grants.iter().find(|g| g.route == route) else {
                continue;
            };
            if !full {
                if refusal == Refusal::NotPermitted {
                    refusal = Refusal::NotFullView;
                }
            } else if grant.actions.contains(&action) {
                return Ok(route);
            } else {
                refusal = Refusal::ActionNotPermitted;
            }
        }
        Err(refusal)
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
            officer_actions: None,
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
        host: "pis.example.org",
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
        let officers = Officers::from_routes(&routes(&[&intel], &[&control]))
            .serving("pis.example.org".into());
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
        // Signed by a listed officer, for another gateway that lists the same key.
        let elsewhere = RequestParts {
            host: "pis.other-force.example",
            ..PARTS.clone()
        };
        let replayed = authorization(&intel, &elsewhere, now).into_bytes();
        assert_eq!(refusal(Some(&replayed), &PARTS), Err(Refusal::WrongGateway));
        // Naming this gateway over a signature made for the other is a forgery.
        let renamed = String::from_utf8(replayed)
            .expect("ascii")
            .replace("host=pis.other-force.example", "host=pis.example.org");
        assert_eq!(
            refusal(Some(renamed.as_bytes()), &PARTS),
            Err(Refusal::BadSignature)
        );
        // A client from before hosts were signed: refused by name.
        let v1 = String::from_utf8(signed(&intel, now))
            .expect("ascii")
            .replace(",host=pis.example.org", "");
        assert_eq!(
            refusal(Some(v1.as_bytes()), &PARTS),
            Err(Refusal::HostNotSigned)
        );
    }

    #[test]
    fn an_officer_acts_only_through_a_route_that_received_the_full_view_and_allows_the_action() {
        let (intel, control) = (SigningKey::generate(), SigningKey::generate());
        let officers = Officers::from_routes(&routes(&[&intel, &control], &[&control]));
        let (i, c) = (intel.public().id(), control.public().id());
        let full = |r| (r, true);
        let police = "police_intelligence";
        for action in OfficerAction::ALL {
            assert_eq!(officers.permit(&i, action, [full(police)]), Ok(police));
            assert_eq!(
                officers.permit(&i, action, [full("control_room")]),
                Err(Refusal::NotPermitted)
            );
            // Listed on the control room too, whose role grants nothing by default.
            assert_eq!(
                officers.permit(&c, action, [full("control_room")]),
                Err(Refusal::ActionNotPermitted)
            );
            assert_eq!(
                officers.permit(&c, action, [full("control_room"), full(police)]),
                Ok(police)
            );
            assert_eq!(
                officers.permit(&i, action, [(police, false)]),
                Err(Refusal::NotFullView)
            );
            assert_eq!(
                officers.permit("0000000000000000", action, [full(police)]),
                Err(Refusal::NotPermitted)
            );
        }
    }
}
