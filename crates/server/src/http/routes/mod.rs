//! One file per route family.

pub mod ack;
pub mod api;
pub mod assets;
pub mod directory;
pub mod files;
pub mod follow_up;
mod follow_up_body;
pub mod form;
mod form_copy;
mod form_errors;
pub mod form_exit;
mod form_list;
pub mod form_post;
mod form_save;
mod form_send;
mod form_tasks;
pub mod health;
pub mod home;
mod link_page;
pub mod notice_address;
pub mod officer;
pub mod signing_keys;
pub mod workflow;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::home))
        .route("/accessibility", web::get().to(home::accessibility))
        .route("/privacy", web::get().to(home::privacy))
        .route("/hide-your-visit", web::get().to(home::hide_your_visit))
        .route("/exit", web::get().to(form_exit::exit_all))
        .route("/forms/{id}", web::get().to(form::show))
        .route("/forms/{id}", web::post().to(form_post::submit))
        .route("/forms/{id}/exit", web::get().to(form_exit::exit))
        .route("/forms/{id}/saved", web::get().to(form_save::saved))
        .route("/forms/{id}/resume", web::get().to(form_save::resume_page))
        .route("/forms/{id}/resume", web::post().to(form_save::resume))
        .route("/forms/{id}/{step}", web::get().to(form::step))
        .route("/forms/{id}/{step}", web::post().to(form_post::submit_step))
        .route(
            "/forms/{id}/{section}/danger-now",
            web::get().to(form::danger_step),
        )
        .route(
            "/forms/{id}/{section}/danger-now",
            web::post().to(form_post::submit_danger),
        )
        .route("/api/v1/forms", web::get().to(api::list_forms))
        .route("/api/v1/forms/{id}", web::get().to(api::describe_form))
        .route("/api/v1/submissions", web::post().to(api::submit))
        .route("/api/v1/routes", web::get().to(directory::list))
        .route(
            "/api/v1/officer/follow-up-key",
            web::get().to(officer::follow_up_key),
        )
        .route("/api/v1/officer/reply", web::post().to(officer::reply))
        .route("/api/v1/officer/status", web::post().to(officer::status))
        .route("/api/v1/officer/share", web::post().to(officer::share))
        .route("/api/v1/officer/workflow", web::post().to(workflow::record))
        .route("/api/v1/officer/workflow", web::get().to(workflow::history))
        .route("/ack/{token}", web::get().to(ack::show))
        .route("/ack/{token}", web::post().to(ack::acknowledge))
        .route("/follow-up", web::get().to(follow_up::show))
        .route("/follow-up", web::post().to(follow_up::post))
        .route(
            "/follow-up/confirm/{token}",
            web::get().to(notice_address::show),
        )
        .route(
            "/follow-up/confirm/{token}",
            web::post().to(notice_address::confirm),
        )
        .route("/files/{token}", web::get().to(files::show))
        .route("/files/{token}", web::post().to(files::download))
        .route(
            "/.well-known/pis-gateway/signing-keys",
            web::get().to(signing_keys::list),
        )
        .route("/healthz", web::get().to(health::healthz))
        .route("/static/{file}", web::get().to(assets::asset));
}

/// The admin listener (`server.admin_listen`): what operators watch. `/metrics` names
/// localities and `/readyz` touches the spool, so neither is on the public listener.
pub fn configure_admin(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(health::metrics));
}
