//! What a browser downloads: respondent pages ship no code, assets with hashed names are
//! cached for good and sent in the build's compressed copy, and pages are compressed on
//! the way out.

use crate::harness::{self, client, spawn_app_with_site};
use std::path::Path;

/// A compiled site as `cargo leptos build --release --precompress` leaves it, in small.
fn hashed_site() -> tempfile::TempDir {
    let site = tempfile::tempdir().expect("site dir");
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).expect("pkg dir");
    let write = |name: &str, bytes: &[u8]| std::fs::write(pkg.join(name), bytes).expect("file");
    write("resonance.Css1.css", b"body { color: black; }");
    write("resonance.Css1.css.br", b"brotli bytes of the stylesheet");
    write("resonance.Js1.js", b"export default function init() {}");
    write("resonance.Wasm1.wasm", b"\0asm");
    std::fs::write(
        site.path().join("hash.txt"),
        "js: Js1\nwasm: Wasm1\ncss: Css1\n",
    )
    .expect("hash file");
    site
}

async fn get(url: &str, accept_encoding: &str) -> reqwest::Response {
    client()
        .get(url)
        .header("accept-encoding", accept_encoding)
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn the_answer_page_ships_no_code_while_admin_pages_load_the_hashed_bundle() {
    let site = hashed_site();
    let db = harness::sqlite_db();
    let app = spawn_app_with_site(&db.url, site.path(), &[]).await;
    let admin = client();
    app.set_up_admin(&admin).await;
    let survey = app.create_survey(&admin, "nps").await;
    let id = survey["id"].as_i64().expect("id");
    app.set_status(&admin, id, "active").await;
    let slug = harness::public_slug(&survey);

    let answer = app.page(&client(), &format!("/s/{slug}?score=9")).await;
    assert!(answer.contains("name=\"answer[0]\""), "{answer}");
    assert!(
        answer.contains("href=\"/pkg/resonance.Css1.css\""),
        "{answer}"
    );
    assert!(!answer.contains("resonance.Js1.js"), "{answer}");
    assert!(!answer.contains(".wasm"), "{answer}");
    // Every wording of the follow-up is there; the one for a 9 is shown until another
    // score is picked (the stylesheet follows the pick).
    let high = answer
        .find("data-for=\"high\"")
        .expect("the promoters' wording");
    let start = answer[..high].rfind('<').expect("its tag");
    let tag = &answer[start..high + answer[high..].find('>').expect("its tag's end")];
    assert!(tag.contains("shown"), "{tag}");
    for slot in ["none", "low", "middle"] {
        assert!(answer.contains(&format!("data-for=\"{slot}\"")), "{answer}");
    }
    assert!(answer.contains("data-category=\"low\""), "{answer}");

    let login = app.page(&client(), "/login").await;
    assert!(
        login.contains("href=\"/pkg/resonance.Css1.css\""),
        "{login}"
    );
    assert!(login.contains("/pkg/resonance.Js1.js"), "{login}");
    assert!(login.contains("/pkg/resonance.Wasm1.wasm"), "{login}");
}

#[tokio::test]
async fn hashed_assets_are_cached_for_good_and_sent_precompressed() {
    let site = hashed_site();
    let db = harness::sqlite_db();
    let app = spawn_app_with_site(&db.url, site.path(), &[]).await;

    let css = get(&app.url("/pkg/resonance.Css1.css"), "gzip, deflate, br").await;
    assert_eq!(css.status(), 200);
    assert_eq!(css.headers()["content-encoding"], "br");
    assert_eq!(
        css.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(
        css.bytes().await.expect("body").as_ref(),
        b"brotli bytes of the stylesheet"
    );

    // A browser that takes no brotli gets the file itself.
    let plain = get(&app.url("/pkg/resonance.Css1.css"), "identity").await;
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(
        plain.bytes().await.expect("body").as_ref(),
        b"body { color: black; }"
    );

    // A file that is not there is not cached: the next deployment may bring it.
    let missing = get(&app.url("/pkg/resonance.Old0.wasm"), "br").await;
    assert_eq!(missing.status(), 404);
    assert!(missing.headers().get("cache-control").is_none());
}

#[tokio::test]
async fn assets_without_hashed_names_are_checked_again_on_every_visit() {
    let site = tempfile::tempdir().expect("site dir");
    std::fs::create_dir_all(site.path().join("pkg")).expect("pkg dir");
    std::fs::write(site.path().join("pkg/resonance.css"), "body {}").expect("css");
    let db = harness::sqlite_db();
    let app = spawn_app_with_site(&db.url, Path::new(site.path()), &[]).await;

    let css = get(&app.url("/pkg/resonance.css"), "identity").await;
    assert_eq!(css.status(), 200);
    assert_eq!(css.headers()["cache-control"], "no-cache");
    let login = app.page(&client(), "/login").await;
    assert!(login.contains("href=\"/pkg/resonance.css\""), "{login}");
}

#[tokio::test]
async fn pages_and_json_are_compressed_for_browsers_that_accept_it() {
    let db = harness::sqlite_db();
    let app = harness::spawn_app(&db.url, &[]).await;

    let page = get(&app.url("/login"), "gzip").await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-encoding"], "gzip");
    let body = page.bytes().await.expect("body");
    assert_eq!(&body[..2], &[0x1f, 0x8b], "a gzip stream");

    let page = get(&app.url("/login"), "br").await;
    assert_eq!(page.headers()["content-encoding"], "br");

    let plain = get(&app.url("/login"), "identity").await;
    assert!(plain.headers().get("content-encoding").is_none());
    assert!(plain.text().await.expect("body").contains("<form"));
}
