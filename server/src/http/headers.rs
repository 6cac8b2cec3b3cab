//! Response headers every page and API answer carries: no content-type sniffing, no
//! framing by other sites, a referrer policy, and none at all from the pages whose URL is
//! a capability (`/t/` answer links, `/u/` unsubscribe links, `/password/` account links),
//! so the token never leaves in a `Referer` header to a site those pages link to.

use axum::{
    extract::Request,
    http::{header, HeaderValue},
    middleware::Next,
    response::Response,
};

pub async fn security_headers(req: Request, next: Next) -> Response {
    let capability_url = is_capability_url(req.uri().path());
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    let mut set = |name, value: &'static str| {
        headers
            .entry(name)
            .or_insert_with(|| HeaderValue::from_static(value));
    };
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    // No page of ours is meant to be shown inside another site's frame (clickjacking).
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none'");
    if capability_url {
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
    } else {
        set(header::REFERRER_POLICY, "strict-origin-when-cross-origin");
    }
    res
}

/// Paths whose secret segment is the permission: an answer link and an unsubscribe link.
pub fn is_capability_url(path: &str) -> bool {
    path.starts_with("/t/")
        || path.starts_with("/u/")
        || path.starts_with("/d/")
        || path.starts_with("/password/")
}

#[cfg(test)]
mod tests {
    use super::is_capability_url;

    #[test]
    fn answer_unsubscribe_and_account_links_are_capabilities_and_admin_pages_are_not() {
        assert!(is_capability_url("/password/abc"));
        assert!(is_capability_url("/t/abc"));
        assert!(is_capability_url("/t/abc/thanks"));
        assert!(is_capability_url("/u/abc"));
        assert!(!is_capability_url("/s/public-slug"));
        assert!(!is_capability_url("/surveys/1"));
    }
}
