//! Cross-site request forgery defence for every state-changing request: browsers say where
//! a request comes from (`Sec-Fetch-Site`, `Origin`), and only our own pages may POST.
//! Clients that send neither (scripts, curl) carry no ambient browser cookies to abuse.

use app::ports::Services;
use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;

pub async fn refuse_cross_site(
    State(services): State<Services>,
    req: Request,
    next: Next,
) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe
        || one_click_unsubscribe(req.uri().path())
        || same_origin(req.headers(), &services.settings.base_url)
    {
        return next.run(req).await;
    }
    // The request's span names the route (`/t/{id}`); the path itself may hold a
    // personal token, which must not reach the log.
    tracing::warn!("refused a cross-site request");
    (
        StatusCode::FORBIDDEN,
        Json(json!({ "error": "Cross-site requests are not accepted. Submit the form from Resonance itself." })),
    )
        .into_response()
}

/// RFC 8058: a mail client posts the one-click unsubscribe itself, from its own site. The
/// token in the URL is the capability and unsubscribing twice changes nothing, so a
/// forged request can do no more than the link's owner could.
fn one_click_unsubscribe(path: &str) -> bool {
    path.strip_prefix("/u/")
        .or_else(|| path.strip_prefix("/d/"))
        .is_some_and(|token| !token.is_empty() && !token.contains('/'))
}

fn same_origin(headers: &HeaderMap, base_url: &str) -> bool {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = get("sec-fetch-site") {
        return matches!(site, "same-origin" | "none");
    }
    match get(header::ORIGIN.as_str()) {
        None => true,
        Some(origin) => {
            let host = get(header::HOST.as_str()).unwrap_or_default();
            origin == base_url
                || origin.strip_prefix("http://") == Some(host)
                || origin.strip_prefix("https://") == Some(host)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{one_click_unsubscribe, same_origin};
    use axum::http::HeaderMap;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    const BASE: &str = "https://survey.example";

    #[test]
    fn a_form_posted_from_another_site_is_refused() {
        assert!(!same_origin(
            &headers(&[("sec-fetch-site", "cross-site")]),
            BASE
        ));
        assert!(!same_origin(
            &headers(&[("sec-fetch-site", "same-site")]),
            BASE
        ));
        assert!(!same_origin(
            &headers(&[
                ("origin", "https://evil.example"),
                ("host", "survey.example")
            ]),
            BASE
        ));
    }

    #[test]
    fn our_own_pages_and_non_browser_clients_may_post() {
        assert!(same_origin(
            &headers(&[("sec-fetch-site", "same-origin")]),
            BASE
        ));
        assert!(same_origin(
            &headers(&[("origin", "https://survey.example")]),
            BASE
        ));
        assert!(same_origin(
            &headers(&[
                ("origin", "http://127.0.0.1:3000"),
                ("host", "127.0.0.1:3000")
            ]),
            BASE
        ));
        assert!(same_origin(&headers(&[]), BASE));
    }

    #[test]
    fn only_the_one_click_unsubscribe_is_exempt() {
        assert!(one_click_unsubscribe("/u/abc123"));
        assert!(one_click_unsubscribe("/d/abc123"));
        assert!(!one_click_unsubscribe("/d/"));
        assert!(!one_click_unsubscribe("/u/"));
        assert!(!one_click_unsubscribe("/u/abc/more"));
        assert!(!one_click_unsubscribe("/login"));
        assert!(!one_click_unsubscribe("/api/v1/u/abc"));
    }
}
