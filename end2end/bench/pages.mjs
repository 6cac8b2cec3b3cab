// Lighthouse's mobile run (its default: a mid-range phone, simulated slow 4G) in Debian's
// chromium on the release build: the answer page a respondent opens from an email, and
// the admin's survey list. Then the bytes of a first and a second visit, read from the
// browser's network events. Prints figures; asserts no time.
//
// Run by `make bench-pages` after `cargo leptos build --release --precompress`.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "@playwright/test";
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";

const port = 3207;
// BENCH_URL measures a server that is already running (e.g. an older build) instead.
const external = process.env.BENCH_URL;
const base = external ?? `http://127.0.0.1:${port}`;
const chromiumPath = "/usr/bin/chromium";
const flags = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
const admin = { name: "Bench Admin", email: "bench@example.com", password: "correct horse battery" };

async function startServer() {
  if (external) return { server: null, dir: null };
  const dir = mkdtempSync(join(tmpdir(), "resonance-pages-"));
  const server = spawn("../../target/release/resonance", ["serve"], {
    env: {
      ...process.env,
      DATABASE_URL: `sqlite://${dir}/resonance.db`,
      RESONANCE_BIND: `127.0.0.1:${port}`,
      RESONANCE_SECRET_KEY_FILE: `${dir}/resonance.key`,
      LEPTOS_SITE_ROOT: "../../target/site",
      RESONANCE_LOG: "warn",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return { server, dir };
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the release server did not start (is target/release/resonance built?)");
}

// The first admin, and an NPS survey taking answers; its public link and the session.
async function prepare(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/setup`);
  await page.getByLabel("Your name").fill(admin.name);
  await page.getByLabel("Email").fill(admin.email);
  await page.getByLabel(/^Password/).fill(admin.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(/\/surveys$/);
  await page.getByLabel("Kind").selectOption("nps");
  await page.getByLabel(/^Subject/).fill("our support");
  await page.getByRole("button", { name: "Create draft" }).click();
  await page.waitForURL(/\/surveys\/\d+$/);
  await page.getByLabel("Status", { exact: true }).selectOption("active");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText(/· taking answers/).waitFor();
  const link = await page.getByTestId("public-link").getAttribute("href");
  const cookies = await context.cookies();
  await context.close();
  return { answer: new URL(link, base).href, cookies };
}

async function runLighthouse(url, cookie) {
  const chrome = await chromeLauncher.launch({ chromePath: chromiumPath, chromeFlags: flags });
  try {
    const result = await lighthouse(url, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: ["performance"],
      extraHeaders: cookie ? { Cookie: cookie } : undefined,
    });
    const audits = result.lhr.audits;
    return {
      score: result.lhr.categories.performance.score,
      lcp: audits["largest-contentful-paint"].numericValue,
      fcp: audits["first-contentful-paint"].numericValue,
      tbt: audits["total-blocking-time"].numericValue,
      bytes: audits["total-byte-weight"].numericValue,
    };
  } finally {
    await chrome.kill();
  }
}

// Bytes over the wire on a first visit, then on a second one in the same browser, and
// which requests of the second visit went to the network at all (the page itself must).
async function visits(browser, url, cookies) {
  const context = await browser.newContext();
  if (cookies.length) await context.addCookies(cookies);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  let bytes = 0;
  let fetched = [];
  const urls = new Map();
  cdp.on("Network.responseReceived", (e) => urls.set(e.requestId, e.response));
  cdp.on("Network.loadingFinished", (e) => {
    bytes += e.encodedDataLength;
    const response = urls.get(e.requestId);
    // From the network: not a cache hit, and more than headers came over the wire.
    if (response && !response.fromDiskCache && !response.fromMemoryCache && e.encodedDataLength > 0)
      fetched.push(`${response.url} (${response.status}, ${e.encodedDataLength} B)`);
  });
  await page.goto(url, { waitUntil: "networkidle" });
  const first = { bytes, requests: fetched.length };
  // Away and back, as a second visit is: the same URL again would be a reload.
  await page.goto("about:blank");
  bytes = 0;
  fetched = [];
  await page.goto(url, { waitUntil: "networkidle" });
  const again = fetched.filter((u) => new URL(u.split(" ")[0]).pathname !== new URL(url).pathname);
  await context.close();
  return { first, second: { bytes, refetched: again } };
}

const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;

const { server, dir } = await startServer();
try {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: flags.slice(1) });
  const { answer, cookies } = await prepare(browser);
  const session = cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  const pages = [
    { name: "answer page", url: answer, cookies: [], cookie: "" },
    // As the email's "9" button opens it.
    { name: "answer page ?score=9", url: `${answer}?score=9`, cookies: [], cookie: "" },
    { name: "admin page /surveys", url: `${base}/surveys`, cookies, cookie: session },
  ];
  console.log("Lighthouse mobile (simulated slow 4G, 4x CPU slowdown), release build:");
  for (const p of pages) {
    const lh = await runLighthouse(p.url, p.cookie);
    const v = await visits(browser, p.url, p.cookies);
    console.log(
      `${p.name.padEnd(22)} performance ${lh.score.toFixed(2)}   LCP ${(lh.lcp / 1000).toFixed(2)} s   ` +
        `FCP ${(lh.fcp / 1000).toFixed(2)} s   TBT ${lh.tbt.toFixed(0)} ms   Lighthouse bytes ${kib(lh.bytes)}`,
    );
    console.log(
      `${"".padEnd(22)} first visit ${kib(v.first.bytes)} in ${v.first.requests} requests   ` +
        `second visit ${kib(v.second.bytes)}, assets fetched again: ${v.second.refetched.length ? v.second.refetched.join(", ") : "none"}`,
    );
  }
  await browser.close();
} finally {
  if (server) {
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}
