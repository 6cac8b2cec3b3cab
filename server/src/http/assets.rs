//! The site's static files under `/pkg/` (the app bundle and the stylesheet): the
//! build's brotli or gzip copy when the browser takes it, and cache headers that let a
//! browser keep a file for good when its name carries its hash, so a second visit fetches
//! nothing. Other files under the site root go through the Leptos fallback.

use axum::{
    extract::Request,
    http::{header, HeaderValue},
    middleware::{self, Next},
    response::Response,
    Router,
};
use leptos::prelude::LeptosOptions;
use std::path::Path;
use tower_http::services::ServeDir;

/// A year: the longest lifetime caches honour; a new build brings new names.
const FOREVER: &str = "public, max-age=31536000, immutable";
/// Plain names change content under the same URL: ask the server each time (it answers
/// 304 while the file is unchanged).
const REVALIDATE: &str = "no-cache";

pub fn router(options: &LeptosOptions) -> Router {
    let dir = Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    let policy = if options.hash_files {
        FOREVER
    } else {
        REVALIDATE
    };
    Router::new()
        .nest_service(&format!("/{}", options.site_pkg_dir), files)
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            cache_found_files(req, next, policy)
        }))
}

async fn cache_found_files(req: Request, next: Next, policy: &'static str) -> Response {
    let mut res = next.run(req).await;
    // A missing file must not be cached: the next deployment may bring it.
    if res.status().is_success() || res.status() == axum::http::StatusCode::NOT_MODIFIED {
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    res
}
