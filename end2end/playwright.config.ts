import { defineConfig, devices } from "@playwright/test";

// The server under test: the debug build `node .ci/site.mjs` made, on a fresh SQLite file.
const port = 3107;
export const baseURL = `http://127.0.0.1:${port}`;
// A real SMTP server on loopback; every message it takes lands here as .eml and .json.
const smtpPort = 2587;
export const mailDir = "../target/e2e-mail";

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath: "/usr/bin/chromium",
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
          ],
        },
      },
    },
  ],
  webServer: [
    {
      command: `rm -rf ${mailDir} && mkdir -p ${mailDir} && exec python3 ../server/tests/support/smtp_sink.py --port ${smtpPort} --dir ${mailDir}`,
      port: smtpPort,
      timeout: 30_000,
      reuseExistingServer: false,
    },
    {
      command:
        "rm -rf ../target/e2e && mkdir -p ../target/e2e && exec ../target/debug/resonance serve",
      url: `${baseURL}/healthz`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        DATABASE_URL: "sqlite://../target/e2e/resonance.db",
        RESONANCE_BIND: `127.0.0.1:${port}`,
        RESONANCE_SECRET_KEY_FILE: "../target/e2e/resonance.key",
        LEPTOS_SITE_ROOT: "../target/site",
        RESONANCE_LOG: "warn",
        RESONANCE_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        RESONANCE_MAIL_FROM: "Resonance <surveys@example.com>",
        RESONANCE_OUTBOX_POLL_MS: "100",
        RESONANCE_SCHEDULER_MS: "500",
        // The journey's webhook receiver runs on loopback, which only a named allowance reaches.
        RESONANCE_WEBHOOK_ALLOW_HOSTS: "127.0.0.1",
      },
    },
  ],
});
