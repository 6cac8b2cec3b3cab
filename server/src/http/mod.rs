//! The HTTP surface: Leptos pages and server functions, the JSON API, health, and the
//! layers every request passes (request id, tracing, client address, CSRF, sign-in gate).

pub mod api;
mod csrf;
mod forms;
mod gate;
mod headers;
mod health;

use crate::config::ServeArgs;
use app::api::context::ClientIp;
use app::ports::Services;
use app::{shell, App};
use axum::http::StatusCode;
use axum::{
    extract::{ConnectInfo, Request},
    middleware::{self, Next},
    response::Response,
    Router,
};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::net::SocketAddr;
use std::time::Duration;
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

/// How long the HTTP layer lets a request run.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub request_timeout: Duration,
}

impl From<&ServeArgs> for Limits {
    fn from(args: &ServeArgs) -> Self {
        Limits {
            request_timeout: Duration::from_secs(args.request_timeout_secs.max(1)),
        }
    }
}

pub fn router(services: Services, options: LeptosOptions, limits: Limits) -> Router {
    let routes = generate_route_list(App);
    let context = {
        let services = services.clone();
        move || provide_context(services.clone())
    };
    let pages = Router::new()
        .leptos_routes_with_context(&options, routes, context.clone(), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context(
            context, shell,
        ))
        .with_state(options);
    // Stateless routers are merged only after `with_state` (see CRATES.md).
    pages
        .merge(api::router(services.clone()))
        .merge(forms::router(services.clone()))
        .merge(health::router(services.clone()))
        .layer(middleware::from_fn_with_state(
            services.clone(),
            gate::require_sign_in,
        ))
        .layer(middleware::from_fn_with_state(
            services,
            csrf::refuse_cross_site,
        ))
        .layer(middleware::from_fn(client_ip))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ))
        .layer(middleware::from_fn(headers::security_headers))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// Makes the peer address available to server functions (login rate limits).
async fn client_ip(mut req: Request, next: Next) -> Response {
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    req.extensions_mut().insert(ClientIp(ip));
    next.run(req).await
}
