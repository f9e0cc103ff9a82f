//! `/.well-known/pis-gateway/signing-keys`: the public keys that sign sealed documents, so
//! readers can check what arrives. The current key first; earlier ones stay listed during a
//! rotation. Beside them, `officers`: the keys of the officers who may share a restricted view
//! with MACE, which sign what they share (kept apart: an officer key never signs as the
//! gateway).

use crate::http::AppState;
use crate::signing::ALG;
use actix_web::{web, HttpResponse};
use serde_json::json;

pub async fn list(state: web::Data<AppState>) -> HttpResponse {
    let keys: Vec<_> = state
        .signing_keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            json!({
                "id": k.id(),
                "alg": ALG,
                "public_key": k.to_base64(),
                "current": i == 0,
            })
        })
        .collect();
    let officers: Vec<_> = state
        .officers
        .sharers()
        .into_iter()
        .map(|(k, routes)| {
            json!({
                "id": k.id(),
                "alg": ALG,
                "public_key": k.to_base64(),
                "routes": routes,
            })
        })
        .collect();
    HttpResponse::Ok()
        .content_type("application/json")
        .json(json!({ "keys": keys, "officers": officers }))
}
