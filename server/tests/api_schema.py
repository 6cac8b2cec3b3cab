#!/usr/bin/env python3
"""Property-based tests of the JSON API against its own OpenAPI document (schemathesis).

For each database (SQLite, then PostgreSQL) this starts `resonance serve` on a fresh
database and a free loopback port, signs up the first admin, makes an API token and some
data (an active survey with its public and a personal link, two contacts), then runs
`schemathesis run <server>/api/v1/openapi.json` with the token. The checks: no 5xx, every
response matches the schema documented for it, its status code and content type are
documented. The server is stopped and the database dropped afterwards, pass or fail.

    make api-schema                      # both databases
    python3 server/tests/api_schema.py --database sqlite --max-examples 50

Environment: RESONANCE_BIN (a built binary; otherwise `cargo build -p server --bin
resonance`), POSTGRES_URL (an admin connection, default
postgres://postgres@127.0.0.1:5432/postgres; skipped when unreachable, except with
CI=true), API_SCHEMA_CHECKS (schemathesis checks, comma-separated), API_SCHEMA_SEED.

schemathesis and psycopg are installed, pinned, into target/api-schema/venv on first use;
reports (JUnit XML) go to target/api-schema/<database>/.
"""

import argparse
import http.cookiejar
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "target" / "api-schema"
VENV = WORK / "venv"
PINNED = ["schemathesis==4.32.5", "psycopg[binary]==3.3.9"]
CONFIG = Path(__file__).resolve().with_name("schemathesis.toml")
DEFAULT_CHECKS = ",".join(
    [
        "not_a_server_error",
        "response_schema_conformance",
        "status_code_conformance",
        "content_type_conformance",
    ]
)
# Revoking a token is tested last, on its own: in the main run it could revoke the token
# the run itself authenticates with, and every later request would only see 401.
REVOKE = "DELETE /api/v1/tokens/{id}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--workers", default="2")
    args = parser.parse_args()

    if Path(sys.prefix).resolve() != VENV.resolve():
        ensure_venv()
        python = VENV / "bin" / "python"
        os.execv(python, [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])

    binary = resonance_binary()
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    results = {}
    for database in databases:
        if database == "postgres" and not postgres_reachable():
            if os.environ.get("CI") == "true":
                print("PostgreSQL is required in CI but is not reachable", file=sys.stderr)
                results[database] = False
                continue
            print("SKIPPING PostgreSQL: it is not reachable")
            continue
        results[database] = run_database(binary, database, args)
    print()
    for database, ok in results.items():
        print(f"api-schema {database}: {'passed' if ok else 'FAILED'}")
    return 0 if results and all(results.values()) else 1


def ensure_venv() -> None:
    marker = VENV / "installed.txt"
    if marker.exists() and marker.read_text() == "\n".join(PINNED):
        return
    print(f"Installing {', '.join(PINNED)} into {VENV.relative_to(ROOT)}")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    pip = [str(VENV / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]
    subprocess.run([*pip, "install", "--quiet", *PINNED], check=True)
    marker.write_text("\n".join(PINNED))


def resonance_binary() -> Path:
    given = os.environ.get("RESONANCE_BIN")
    if given:
        return Path(given).resolve()
    subprocess.run(["cargo", "build", "-p", "server", "--bin", "resonance"], cwd=ROOT, check=True)
    metadata = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return Path(json.loads(metadata.stdout)["target_directory"]) / "debug" / "resonance"


def postgres_admin_url() -> str:
    return os.environ.get("POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def postgres_reachable() -> bool:
    url = urllib.parse.urlsplit(postgres_admin_url())
    try:
        socket.create_connection((url.hostname or "127.0.0.1", url.port or 5432), 2).close()
        return True
    except OSError:
        return False


def postgres(sql: str) -> None:
    import psycopg  # installed in the venv

    with psycopg.connect(postgres_admin_url(), autocommit=True) as conn:
        conn.execute(sql)


def run_database(binary: Path, database: str, args) -> bool:
    print(f"\n=== {database} ===", flush=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"resonance-api-schema-{database}-"))
    db_name = f"resonance_api_schema_{os.getpid()}"
    if database == "sqlite":
        url = f"sqlite://{scratch / 'resonance.db'}"
    else:
        postgres(f'CREATE DATABASE "{db_name}"')
        admin = urllib.parse.urlsplit(postgres_admin_url())
        url = urllib.parse.urlunsplit(admin._replace(path=f"/{db_name}"))
    server = None
    try:
        server, base = start_server(binary, url, scratch)
        token, data = set_up(base)
        return run_schemathesis(base, token, data, database, args)
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        if database == "postgres":
            postgres(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        shutil.rmtree(scratch, ignore_errors=True)


def start_server(binary: Path, url: str, scratch: Path):
    (scratch / "site").mkdir()
    log = open(scratch / "server.log", "w+")
    env = {
        **os.environ,
        "RESONANCE_LOG_FORMAT": "json",
        "RESONANCE_LOG": os.environ.get("RESONANCE_LOG", "info"),
    }
    server = subprocess.Popen(
        [
            str(binary),
            "serve",
            "--database-url",
            url,
            "--bind",
            "127.0.0.1:0",
            # One argument: a key may begin with "-", which would read as a flag.
            f"--secret-key={secrets.token_urlsafe(48)}",
            "--secret-key-file",
            str(scratch / "resonance.key"),
            "--site-root",
            str(scratch / "site"),
        ],
        cwd=scratch,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        log.seek(0)
        for line in log:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            address = record.get("fields", {}).get("address")
            if address and "listening" in record.get("fields", {}).get("message", ""):
                base = f"http://{address}"
                print(f"resonance serves {base} on {url.split('://')[0]}", flush=True)
                return server, base
        time.sleep(0.2)
    log.seek(0)
    sys.stderr.write(log.read())
    if server.poll() is None:
        server.kill()
    raise RuntimeError("resonance did not start")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def set_up(base: str):
    """The first admin, signed in; an API token; data for the operations that need it."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)

    def send(method, path, body=None, form=None, headers=None, token=None):
        headers = dict(headers or {})
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["content-type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers.setdefault("content-type", "application/json")
        if token:
            headers["authorization"] = f"Bearer {token}"
        request = urllib.request.Request(base + path, data=data, headers=headers, method=method)
        try:
            with opener.open(request, timeout=30) as res:
                return res.status, res.read(), res.headers
        except urllib.error.HTTPError as e:
            return e.code, e.read(), e.headers

    # The setup form, as a browser posts it (see the story tests' `set_up_admin`).
    status, _, headers = send(
        "POST",
        "/rpc/setup",
        form={"name": "Ada Admin", "email": "ada@example.com", "password": "correct horse battery"},
        headers={"accept": "text/html", "referer": base + "/setup"},
    )
    if status != 302 or headers.get("location") != "/surveys":
        raise RuntimeError(f"setup answered {status} {headers.get('location')}")
    status, body, _ = send("POST", "/api/v1/tokens", body={"name": "api-schema"})
    if status != 201:
        raise RuntimeError(f"token creation answered {status}: {body!r}")
    token = json.loads(body)["secret"]

    def api(method, path, body=None, expect=(200, 201), **kw):
        status, out, _ = send(method, "/api/v1" + path, body=body, token=token, **kw)
        if status not in expect:
            raise RuntimeError(f"{method} {path} answered {status}: {out[:300]!r}")
        return json.loads(out) if out else None

    survey = api("POST", "/surveys", {"kind": "nps"})
    api(
        "PUT",
        f"/surveys/{survey['id']}/settings",
        {"status": "active", "closes_at": None, "response_cap": None},
    )
    personal = api("POST", f"/surveys/{survey['id']}/links", {"locale": "en"})
    api(
        "POST",
        "/contacts/import",
        b"email,name,team\nana@example.com,Ana,Sales\nbob@example.com,Bob,Ops\n",
        headers={"content-type": "text/csv"},
    )
    data = {
        "RESONANCE_SCHEMA_SLUG": survey["public_url"].rsplit("/s/", 1)[1],
        "RESONANCE_SCHEMA_PERSONAL_TOKEN": personal["url"].rsplit("/t/", 1)[1],
    }
    return token, data


def run_schemathesis(base: str, token: str, data: dict, database: str, args) -> bool:
    reports = WORK / database
    shutil.rmtree(reports, ignore_errors=True)
    reports.mkdir(parents=True)
    checks = os.environ.get("API_SCHEMA_CHECKS", DEFAULT_CHECKS)
    common = [
        str(VENV / "bin" / "schemathesis"),
        "--config-file",
        str(CONFIG),
        "run",
        f"{base}/api/v1/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        checks,
        "--max-examples",
        str(args.max_examples),
        "--workers",
        args.workers,
        "--request-timeout",
        "30",
        "--no-color",
        "--generation-database",
        "none",
    ]
    if os.environ.get("API_SCHEMA_SEED"):
        common += ["--seed", os.environ["API_SCHEMA_SEED"]]
    env = {**os.environ, **data}
    ok = True
    for name, selection in [
        ("main", ["--exclude-name", REVOKE]),
        ("revoke", ["--include-name", REVOKE, "--phases", "examples,coverage,fuzzing"]),
    ]:
        command = [
            *common,
            *selection,
            "--report",
            "junit",
            "--report-junit-path",
            str(reports / f"{name}.xml"),
        ]
        started = time.monotonic()
        # schemathesis keeps a cache in its working directory: keep it out of the tree.
        result = subprocess.run(command, env=env, cwd=reports)
        print(f"[{database} {name}] schemathesis exited {result.returncode} "
              f"after {time.monotonic() - started:.0f}s", flush=True)
        ok = ok and result.returncode == 0
    return ok


if __name__ == "__main__":
    sys.exit(main())
