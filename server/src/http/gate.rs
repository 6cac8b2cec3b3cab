//! Admin pages need a signed-in user: without one, the browser is sent to the login page
//! before any page renders.

use app::api::{auth, context::parse_cookie};
use app::ports::Services;
use axum::{
    extract::{Request, State},
    http::Method,
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};

const ADMIN_PREFIXES: [&str; 3] = ["/surveys", "/contacts", "/settings"];

fn is_admin_page(path: &str) -> bool {
    ADMIN_PREFIXES
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")))
}

pub async fn require_sign_in(
    State(services): State<Services>,
    req: Request,
    next: Next,
) -> Response {
    if req.method() == Method::GET && is_admin_page(req.uri().path()) {
        let user = match parse_cookie(req.headers(), auth::SESSION_COOKIE) {
            Some(secret) => auth::user_for_session(&services, &secret)
                .await
                .ok()
                .flatten(),
            None => None,
        };
        if user.is_none() {
            return Redirect::to("/login").into_response();
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::is_admin_page;

    #[test]
    fn admin_pages_are_recognised_by_their_prefix_only() {
        assert!(is_admin_page("/surveys"));
        assert!(is_admin_page("/surveys/3"));
        assert!(is_admin_page("/settings/tokens"));
        assert!(is_admin_page("/contacts/imports/3"));
        assert!(!is_admin_page("/surveysx"));
        assert!(!is_admin_page("/s/abc"));
        assert!(!is_admin_page("/login"));
    }
}
