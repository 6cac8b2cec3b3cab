// Builds what `resonance serve` serves: the server binary, and under target/site/pkg/ the
// app bundle (WebAssembly and its JavaScript) and the stylesheet, each named by its hash
// and listed in target/site/hash.txt; with --release, also optimised and precompressed
// (brotli and gzip) at the highest levels, once, so no request pays for it.
//
//   node .ci/site.mjs            debug build (the browser journeys)
//   node .ci/site.mjs --release  release build (`make run`, deployments, the page bench)
//
// It does what cargo-leptos does for this workspace with the tools already installed
// (cargo, wasm-bindgen, npm's wasm-opt), so a newcomer's first run need not compile
// cargo-leptos. The names match the `[[workspace.metadata.leptos]]` settings, so
// `cargo leptos watch` still works for those who install it.
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const release = process.argv.includes("--release");
const site = join(root, "target", "site");
const pkg = join(site, "pkg");
const name = "resonance";

function run(command, args) {
  console.log(`> ${command} ${args.join(" ")}`);
  execFileSync(command, args, { cwd: root, stdio: "inherit" });
}

function runAsync(command, args) {
  console.log(`> ${command} ${args.join(" ")}`);
  const child = spawn(command, args, { cwd: root, stdio: "inherit" });
  return new Promise((resolve, reject) =>
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${command} failed (${code})`)))),
  );
}

const started = Date.now();
// Both builds at once: each has long stretches on one core (linking, the bundle's LTO).
// The bundle has a target directory of its own: built into target/, its features would
// unify differently from the server's and rebuild shared dependencies each time.
const bundle = runAsync("cargo", [
  "build",
  "-p", "app",
  "--lib",
  "--target", "wasm32-unknown-unknown",
  "--target-dir", "target/front",
  "--no-default-features",
  "--features", "hydrate",
  "--profile", release ? "wasm-release" : "dev",
]);
const server = runAsync("cargo", ["build", "-p", "server", "--bin", name, ...(release ? ["--release"] : [])]);
// On a newcomer's first run wasm-bindgen-cli compiles meanwhile, in the builds' idle time;
// installed, this returns at once.
const tools = runAsync("bash", [join(".ci", "tools.sh"), "wasm-bindgen"]);
await Promise.all([bundle, server, tools]);

rmSync(pkg, { recursive: true, force: true });
mkdirSync(pkg, { recursive: true });
const wasm = join(root, "target", "front", "wasm32-unknown-unknown", release ? "wasm-release" : "debug", "app.wasm");
run("wasm-bindgen", ["--target", "web", "--no-typescript", "--out-name", name, "--out-dir", pkg, wasm]);
renameSync(join(pkg, `${name}_bg.wasm`), join(pkg, `${name}.wasm`));
if (release) {
  // npm's binaryen (Debian's 108 silently breaks hydration), with cargo-leptos's flags.
  const file = join(pkg, `${name}.wasm`);
  run("wasm-opt", ["-Oz", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", file, "-o", file]);
}
copyFileSync(join(root, "style", "main.css"), join(pkg, `${name}.css`));

// Hashed names: a browser may keep each file for good, and a new build brings new names.
const hashes = {};
for (const ext of ["js", "wasm", "css"]) {
  const plain = join(pkg, `${name}.${ext}`);
  const bytes = readFileSync(plain);
  const hash = createHash("md5").update(bytes).digest("base64url");
  const hashed = join(pkg, `${name}.${hash}.${ext}`);
  renameSync(plain, hashed);
  hashes[ext] = hash;
  if (release) {
    const brotli = brotliCompressSync(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    });
    writeFileSync(`${hashed}.br`, brotli);
    writeFileSync(`${hashed}.gz`, gzipSync(bytes, { level: 9 }));
    console.log(`${name}.${ext}: ${bytes.length} bytes, ${brotli.length} brotli`);
  }
}
// Where the server (and Leptos's script and stylesheet tags) read the names.
writeFileSync(join(site, "hash.txt"), `js: ${hashes.js}\nwasm: ${hashes.wasm}\ncss: ${hashes.css}\n`);
console.log(`site built in ${((Date.now() - started) / 1000).toFixed(0)} s: ${site}`);
