//! The HTTP surface: Leptos pages and server functions, the JSON API, plain form routes,
//! health, static files, and the layers every request passes (request id, tracing,
//! client address, CSRF, sign-in gate).
//!
//! # Route map: every URL prefix and the file that serves it
//!
//! Pages (GET, rendered on the server, then hydrated; route table in `app/src/app.rs`,
//! one component per page in `app/src/pages/`):
//! - `/` → `home.rs`; `/setup` → `setup.rs`; `/login` → `login.rs`
//! - `/surveys` → `surveys.rs`; `/surveys/{id}` → `survey.rs`;
//!   `/surveys/{id}/edit` → `editor.rs`; `/surveys/{id}/sends` and
//!   `/surveys/{id}/sends/{send}` → `sends.rs`; `/surveys/{id}/responses/{response}` →
//!   `response.rs`
//! - `/contacts` and `/contacts/imports/{id}` → `contacts.rs`
//! - `/responses` → `inbox.rs`; `/cases` → `cases.rs`; `/cases/{id}` → `case.rs`
//! - `/settings/tokens` → `tokens.rs`; `/settings/users` → `users.rs`;
//!   `/settings/account` (password, sessions, digests) → `account.rs`;
//!   `/settings/webhooks` and `/settings/webhooks/{id}` → `webhooks.rs`
//! - answer links: `/s/{id}` (a survey's public link) and `/t/{token}` (a personal link)
//!   → `answer.rs`; their `/thanks` → `thanks.rs`. GET only renders; answering is a POST.
//! - unsubscribe links: `/u/{token}` → `unsubscribe.rs` (the page; the POST is below)
//! - anything else that is neither a file nor a route: `not_found.rs`, a 404
//!
//! Server functions: `POST /rpc/{endpoint}`, registered with the pages; each is declared
//! with `#[server(prefix = "/rpc", endpoint = "…")]` in `app/src/api/<noun>.rs` next to its
//! use case (`/rpc/answer` in `answers.rs`, `/rpc/login` in `auth.rs`, `/rpc/create_send`
//! in `sends.rs`, …): search for the endpoint's name.
//!
//! Plain form routes (POST, answered with a redirect) in `forms.rs`:
//! `/surveys/{id}/editor`, `/contacts/upload`, `/contacts/imports/{id}`,
//! `/contacts/{id}/suppression`, and `/u/{token}` (unsubscribe, also RFC 8058 one-click).
//!
//! JSON API `/api/v1/…`: `api.rs` holds the router, the OpenAPI document at
//! `/api/v1/openapi.json`, authentication and errors (unknown `/api/v1/*` paths get a JSON
//! 404 there); the handlers are one file per resource in `api/`:
//! - `/api/v1/me` (and its `/sessions`, `/password`), `/api/v1/users` → `api/users.rs`
//! - `/api/v1/tokens` → `api/tokens.rs`
//! - `/api/v1/surveys`, `/api/v1/surveys/{id}` (report), `…/definition`, `…/settings`,
//!   `…/links`, `…/trends` and its charts, `…/results.csv` → `api/surveys.rs`
//! - `/api/v1/surveys/{id}/responses/{response_id}`, `/api/v1/answers/{slug}`,
//!   `/api/v1/personal-answers/{token}` → `api/responses.rs`
//! - `/api/v1/surveys/{id}/sends`, `/api/v1/sends/{id}` (and `/pause`, `/resume`,
//!   `/cancel`), `/api/v1/frequency-rules` → `api/sends.rs`
//! - `/api/v1/contacts`, `/api/v1/contacts/import`, `/api/v1/contacts/export`,
//!   `/api/v1/contacts/{id}/suppression`, `/api/v1/privacy/{email}` → `api/contacts.rs`
//! - `/api/v1/contacts/imports` (upload, preview, start, discard) → `api/imports.rs`
//! - `/api/v1/segments` → `api/segments.rs`
//! - `/api/v1/cases`, `/api/v1/surveys/{id}/case-settings` → `api/cases.rs`
//! - `/api/v1/me/digests`, `/api/v1/me/language` → `api/digests.rs`
//! - `/api/v1/webhooks` (endpoints, rotation, deliveries, replay) → `api/webhooks.rs`
//!
//! Health: `GET /healthz` → `health.rs`.
//!
//! Static files: `/pkg/…` (the wasm bundle, its JavaScript and the stylesheet, with hashed
//! names) → `assets.rs`, precompressed and cached for good; any other file under the site
//! root (`target/site`) is served by the Leptos fallback below.
//!
//! Every request passes, outermost first: compression (brotli or gzip, for what the build
//! did not compress already), a request id (`x-request-id`, set unless the
//! client sent one, echoed in the response), the trace span carrying it, the stamp that
//! puts it into the JSON body of a 500 (`request_id.rs`), the security headers of every
//! response (`headers.rs`), the request timeout (408), the client address for server
//! functions, `csrf.rs` (only our own pages may POST, and mail clients the one-click
//! unsubscribe), `gate.rs` (admin pages — `/surveys`, `/contacts`, `/settings` — need a
//! signed-in user), and `nul.rs` (a page's query or a form holding a NUL is a 422). Before all of them, `serve.rs` disconnects a client that does not send
//! a request's headers in time.

pub mod api;
mod assets;
mod client_ip;
mod csrf;
mod forms;
mod gate;
mod headers;
mod health;
mod nul;
mod request_id;

use crate::config::ServeArgs;
use app::api::context::ClientIp;
use app::ports::Services;
use app::{shell, App};
use axum::http::StatusCode;
use axum::{
    extract::{ConnectInfo, Request, State},
    middleware::{self, Next},
    response::Response,
    Router,
};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tower_http::{
    compression::{
        predicate::{NotForContentType, Predicate},
        CompressionLayer, CompressionLevel, DefaultPredicate,
    },
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

/// How long the HTTP layer lets a request run, and whose word on the client it takes.
#[derive(Clone, Debug)]
pub struct Limits {
    pub request_timeout: Duration,
    pub trusted_proxies: Arc<Vec<client_ip::Block>>,
}

impl TryFrom<&ServeArgs> for Limits {
    type Error = String;
    fn try_from(args: &ServeArgs) -> Result<Self, String> {
        let trusted = args
            .trusted_proxies
            .iter()
            .filter(|b| !b.trim().is_empty())
            .map(|b| client_ip::Block::parse(b))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("--trusted-proxies: {e}"))?;
        Ok(Limits {
            request_timeout: Duration::from_secs(args.request_timeout_secs.max(1)),
            trusted_proxies: Arc::new(trusted),
        })
    }
}

/// The page routes, listed once per process. Listing them runs the app with resource loads
/// suspended by a process-wide flag, so a page rendering elsewhere in the process at that
/// moment would wait forever on a resource that never loads (leptos issue 4773). Listing
/// once, before any router serves, leaves no page to catch the flag.
pub fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn router(services: Services, options: LeptosOptions, limits: Limits) -> Router {
    let routes = page_routes();
    let context = {
        let services = services.clone();
        move || provide_context(services.clone())
    };
    let static_files = assets::router(&options);
    let pages = Router::new()
        .leptos_routes_with_context(&options, routes, context.clone(), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context(
            context, shell,
        ))
        .with_state(options);
    // Stateless routers are merged only after `with_state`: before it, axum would need
    // `LeptosOptions: FromRef<()>`.
    pages
        .merge(static_files)
        .merge(api::router(services.clone()))
        .merge(forms::router(services.clone()))
        .merge(health::router(services.clone()))
        .layer(middleware::from_fn(nul::refuse_nul))
        .layer(middleware::from_fn_with_state(
            services.clone(),
            gate::require_sign_in,
        ))
        .layer(middleware::from_fn_with_state(
            services,
            csrf::refuse_cross_site,
        ))
        .layer(middleware::from_fn_with_state(
            limits.trusted_proxies.clone(),
            client_ip,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ))
        .layer(middleware::from_fn(headers::security_headers))
        .layer(middleware::from_fn(request_id::stamp_internal_errors))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(request_id::span))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(compression())
}

/// Pages, JSON and the stylesheet are compressed as they go out, at a level that costs
/// little CPU. The release build ships the bundle already compressed at the highest level
/// (`--precompress`); an uncompressed (debug) bundle is not worth compressing per request.
fn compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new()
        .quality(CompressionLevel::Precise(4))
        .compress_when(
            DefaultPredicate::new().and(NotForContentType::const_new("application/wasm")),
        )
}

/// Makes the client's address available to the limits on sign-ins and answers (see
/// `client_ip.rs`), as the key they count under.
async fn client_ip(
    State(trusted): State<Arc<Vec<client_ip::Block>>>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let key = match peer {
        Some(peer) => {
            let forwarded: Vec<&str> = req
                .headers()
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect();
            client_ip::limit_key(client_ip::client(peer, &forwarded, &trusted))
        }
        None => "unknown".into(),
    };
    req.extensions_mut().insert(ClientIp(key));
    next.run(req).await
}
