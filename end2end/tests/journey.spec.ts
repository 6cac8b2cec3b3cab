import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test, expect, Page, Browser } from "@playwright/test";
import { readdirSync, readFileSync } from "node:fs";
import { expectNoSeriousA11yViolations } from "./a11y";
import { mailDir } from "../playwright.config";

// One story, in order: first-run setup, sign-in, a survey, answers with JavaScript on and
// off, and the scored survey page. The server starts on an empty database.

const admin = { name: "Ada Admin", email: "ada@example.com", password: "correct horse battery" };
let surveyPath = "";
let answerLink = "";

function failOnPageErrors(page: Page) {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  return errors;
}

async function signIn(browser: Browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Email").fill(admin.email);
  await page.getByLabel("Password").fill(admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/surveys$/);
  return page;
}

// Creates a draft of `kind` from its template in the admin area, then opens it.
async function createOpenSurvey(page: Page, kind: string, subject = "") {
  await page.goto("/surveys");
  await page.getByLabel("Kind").selectOption(kind);
  await page.getByLabel(/^Subject/).fill(subject);
  await page.getByRole("button", { name: "Create draft" }).click();
  await expect(page).toHaveURL(/\/surveys\/\d+$/);
  const path = new URL(page.url()).pathname;
  await page.getByLabel("Status", { exact: true }).selectOption("active");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("survey-state")).toHaveText(/· taking answers/);
  const link = (await page.getByTestId("public-link").getAttribute("href")) ?? "";
  return { path, link };
}

test.describe.serial("the first slice", () => {
  test("the first visit offers setup, which creates the admin and then disappears", async ({ page }) => {
    const errors = failOnPageErrors(page);
    await page.goto("/");
    await expect(page).toHaveURL(/\/setup$/);
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");

    // A too-short password is refused and what was typed stays.
    await page.getByLabel("Your name").fill(admin.name);
    await page.getByLabel("Email").fill(admin.email);
    await page.getByLabel(/^Password/).fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByText("The password needs at least 10 characters.")).toBeVisible();
    await expect(page.getByLabel("Your name")).toHaveValue(admin.name);

    await page.getByLabel(/^Password/).fill(admin.password);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page).toHaveURL(/\/surveys$/);
    await expect(page.getByText(`${admin.name} · admin`)).toBeVisible();

    const setupAgain = await page.goto("/setup");
    expect(setupAgain?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
    expect(errors).toEqual([]);
  });

  test("admin pages send a visitor without a session to the login page", async ({ page }) => {
    await page.goto("/surveys");
    await expect(page).toHaveURL(/\/login$/);
  });

  test("a wrong password is refused with a message, the right one signs in", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("Email").fill(admin.email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByText("The email or the password is not right.")).toBeVisible();
    await expect(page.getByLabel("Email")).toHaveValue(admin.email);
  });

  test("the admin creates an NPS survey from its template, previews it and opens it", async ({ browser, playwright }) => {
    const page = await signIn(browser);
    await page.getByLabel("Kind").selectOption("nps");
    await page.getByLabel(/^Title/).fill("Customer NPS, Q4");
    await page.getByRole("button", { name: "Create draft" }).click();
    await expect(page).toHaveURL(/\/surveys\/\d+$/);
    surveyPath = new URL(page.url()).pathname;
    await expect(page.getByRole("heading", { name: "Customer NPS, Q4" })).toBeVisible();
    await expect(page.getByTestId("n")).toHaveText("0");
    answerLink = (await page.getByTestId("public-link").getAttribute("href")) ?? "";
    expect(answerLink).toMatch(/\/s\/[A-Za-z0-9_-]{22}$/);

    // A draft is closed to respondents, but its author previews it in each language.
    const respondent = await browser.newPage();
    await respondent.goto(answerLink);
    await expect(respondent.getByTestId("unavailable")).toHaveText(/not open yet/);
    await respondent.close();
    await page.getByTestId("preview-de").click();
    await expect(page.getByTestId("preview")).toBeVisible();
    await expect(page.getByText("Wie wahrscheinlich ist es, dass Sie Resonance einem Freund")).toBeVisible();
    await page.goto(surveyPath);
    await page.getByLabel("Status", { exact: true }).selectOption("active");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByTestId("survey-state")).toHaveText(/0 responses · taking answers/);

    // An API token is created in the UI, shown once, and works on /api/v1.
    await page.getByRole("link", { name: "API tokens" }).click();
    await page.getByLabel("Token name").fill("reporting script");
    await page.getByRole("button", { name: "Create token" }).click();
    const secret = (await page.getByTestId("token-secret").textContent()) ?? "";
    expect(secret).toMatch(/^rsn_/);
    await expect(page.getByRole("cell", { name: "reporting script" })).toBeVisible();
    const api = await playwright.request.newContext({ baseURL: page.url() });
    const listed = await api.get("/api/v1/surveys", { headers: { Authorization: `Bearer ${secret}` } });
    expect(listed.status()).toBe(200);
    expect((await listed.json()).map((s: { title: string }) => s.title)).toContain("Customer NPS, Q4");
    await api.dispose();
    await page.reload();
    await expect(page.getByTestId("token-secret")).toHaveCount(0);

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login$/);
    await page.goto(surveyPath);
    await expect(page).toHaveURL(/\/login$/);
  });

  test("a respondent with JavaScript answers in one tap from the email's score, and the page loads no code", async ({ page }) => {
    const errors = failOnPageErrors(page);
    const code: string[] = [];
    page.on("request", (r) => {
      if (/\.(wasm|js)(\?|$)/.test(r.url())) code.push(r.url());
    });
    await page.goto(`${answerLink}?score=9`);
    await expect(page.getByRole("radio", { name: "9", exact: true })).toBeChecked();
    // The follow-up asks what fits the score, and changes with it (the stylesheet's doing).
    const followUp = page.getByTestId("follow-up-label");
    await expect(followUp).toHaveText(/like most about Resonance/, { useInnerText: true });
    await page.locator("label[for=score-3]").click();
    await expect(followUp).toHaveText(/missing or disappointing/, { useInnerText: true });
    await expect(followUp).not.toHaveText(/like most/, { useInnerText: true });
    await expect(page.getByLabel(/missing or disappointing/)).toBeVisible();
    await page.locator("label[for=score-9]").click();
    await page.getByLabel(/like most/).fill("Fast and friendly support");
    await page.getByRole("button", { name: "Send" }).click();
    await expect(page).toHaveURL(/\/thanks\?lang=(en|de)&r=[\w-]+$/);
    await expect(page.getByRole("heading", { name: "Thank you!" })).toBeVisible();
    expect(code).toEqual([]);
    expect(errors).toEqual([]);
  });

  test("a second respondent picks 10 with the keyboard", async ({ page }) => {
    await page.goto(answerLink);
    await page.locator("label[for=score-9]").click();
    await expect(page.getByRole("radio", { name: "9", exact: true })).toBeFocused();
    await page.keyboard.press("ArrowRight");
    await expect(page.getByRole("radio", { name: "10 – Extremely likely" })).toBeChecked();
    await page.getByRole("button", { name: "Send" }).click();
    await expect(page).toHaveURL(/\/thanks\?lang=(en|de)&r=[\w-]+$/);
  });

  test("a respondent without JavaScript gets the error, keeps the comment, then answers", async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(answerLink);
    await page.getByLabel(/main reason/).fill("Too slow to reach anyone");
    await page.getByRole("button", { name: "Send" }).click();
    await expect(page.getByText("Please answer this question.")).toBeVisible();
    await expect(page.getByLabel(/main reason/)).toHaveValue("Too slow to reach anyone");

    await page.locator("label[for=score-3]").click();
    await page.getByRole("button", { name: "Send" }).click();
    await expect(page).toHaveURL(/\/thanks\?lang=(en|de)&r=[\w-]+$/);
    await context.close();
  });

  test("a German-speaking respondent gets the page in German and answers", async ({ browser }) => {
    const context = await browser.newContext({ locale: "de-DE" });
    const page = await context.newPage();
    await page.goto(`${answerLink}?score=7`);
    await expect(page.locator("html")).toHaveAttribute("lang", "de");
    await expect(page.getByText("Überhaupt nicht wahrscheinlich")).toBeVisible();
    await page.getByRole("button", { name: "Absenden" }).click();
    await expect(page.getByRole("heading", { name: "Vielen Dank!" })).toBeVisible();
    await context.close();
  });

  test("the answer page has no serious accessibility violations, in English and German", async ({ browser }) => {
    for (const locale of ["en-GB", "de-DE"]) {
      const context = await browser.newContext({ locale });
      const page = await context.newPage();
      await page.goto(`${answerLink}?score=4`);
      await expectNoSeriousA11yViolations(page);
      // The error state too: sending without a score shows a message by the scale.
      await page.goto(answerLink);
      await page.locator("button[type=submit]").click();
      await expect(page.locator("#answer-error")).not.toBeEmpty();
      await expectNoSeriousA11yViolations(page);
      await context.close();
    }
  });

  test("the answer page fits a 360 px wide phone screen", async ({ browser }) => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    await page.goto(answerLink);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    for (const n of [0, 10]) {
      const box = await page.locator(`label[for=score-${n}]`).boundingBox();
      expect(box!.width).toBeGreaterThanOrEqual(24);
      expect(box!.height).toBeGreaterThanOrEqual(24);
    }
    await context.close();
  });

  test("loading an answer link with a score records nothing", async ({ page }) => {
    for (const score of [0, 5, 10]) {
      const res = await page.goto(`${answerLink}?score=${score}`);
      expect(res?.status()).toBe(200);
    }
  });

  test("the survey page shows answers, the split, the NPS and its interval", async ({ browser }) => {
    const page = await signIn(browser);
    await page.goto(surveyPath);
    // 9, 10, 3 and 7: two promoters, a passive, a detractor; score-link visits added nothing.
    await expect(page.getByTestId("n")).toHaveText("4");
    await expect(page.getByTestId("promoters")).toHaveText("2 · 50.0 %");
    await expect(page.getByTestId("passives")).toHaveText("1 · 25.0 %");
    await expect(page.getByTestId("detractors")).toHaveText("1 · 25.0 %");
    await expect(page.getByTestId("nps")).toHaveText("25");
    // Adjusted Wald: n' = 7, p' = 2.75/7, d' = 1.75/7 -> 14.3 +- 58.4.
    await expect(page.getByTestId("nps-ci")).toHaveText("95 % CI -44.2 to 72.7");

    // Closing the survey: the link then says so, politely, instead of offering the scale.
    await page.getByLabel("Status", { exact: true }).selectOption("closed");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByTestId("survey-state")).toHaveText(/4 responses · not taking answers/);
    const respondent = await browser.newPage();
    await respondent.goto(answerLink);
    await expect(respondent.getByTestId("unavailable")).toHaveText(/This survey has ended/);
    await expect(respondent.getByRole("radio")).toHaveCount(0);
    await respondent.close();
  });

  test("the survey page charts the trend, and its filters live in the URL, with and without JavaScript", async ({ browser }) => {
    const page = await signIn(browser);
    const errors = failOnPageErrors(page);
    await page.goto(surveyPath);
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    // By default the last 90 days in weeks; this week holds the 4 answers.
    const trend = page.getByTestId("trend").first();
    await expect(trend.getByRole("img")).toHaveAttribute("aria-label", /^NPS by week from .* n = 4\), not enough answers yet/);
    await expect(trend.locator("svg circle")).toHaveCount(1);
    await trend.getByText("The numbers in this chart").click();
    await expect(trend.locator("tbody tr").last()).toContainText("Not enough answers yet");

    // Days of the last week: the URL says so, and the table has a row a day.
    await page.getByLabel("Range").selectOption("7d");
    await page.getByLabel("Periods").selectOption("day");
    await page.getByRole("button", { name: "Show", exact: true }).click();
    await expect(page).toHaveURL(/range=7d&grain=day/);
    await expect(trend.locator("tbody tr")).toHaveCount(7);
    await expect(trend.locator("tbody tr").last().locator("td").first()).toHaveText("4");
    await expectNoSeriousA11yViolations(page);

    // A 360 px phone: the chart scales to the column, nothing overflows.
    await page.setViewportSize({ width: 360, height: 740 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const box = await trend.locator("svg").boundingBox();
    expect(box?.width ?? 0).toBeLessThanOrEqual(360);
    await trend.screenshot({ path: "../target/e2e-artifacts/dashboard-trend-360.png" });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: "../target/e2e-artifacts/dashboard.png", fullPage: true });
    expect(errors).toEqual([]);

    // Without JavaScript the filters are a plain GET form.
    const context = await browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState() });
    const plain = await context.newPage();
    await plain.goto(surveyPath);
    await plain.getByLabel("Range").selectOption("30d");
    await plain.getByLabel("Periods").selectOption("day");
    await plain.getByRole("button", { name: "Show", exact: true }).click();
    await expect(plain).toHaveURL(/range=30d&grain=day/);
    await expect(plain.getByTestId("trend").first().locator("tbody tr")).toHaveCount(30);
    await context.close();
  });

  test("a pulse survey is answered page by page in German without JavaScript, and can be changed", async ({ browser }) => {
    const page = await signIn(browser);
    const { path: pulsePath, link } = await createOpenSurvey(page, "pulse");

    const context = await browser.newContext({ javaScriptEnabled: false, locale: "de-DE" });
    const r = await context.newPage();
    await r.goto(link);
    await expect(r.getByTestId("progress")).toHaveText("Frage 1 von 7");
    await expect(r.getByText("Meine Arbeitsbelastung ist gut zu bewältigen.")).toBeVisible();
    // A required statement cannot be skipped.
    await r.getByRole("button", { name: "Weiter" }).click();
    await expect(r.getByText("Bitte beantworten Sie diese Frage.")).toBeVisible();
    for (let step = 1; step <= 5; step++) {
      await r.locator("label[for=score-4]").click();
      await r.getByRole("button", { name: "Weiter" }).click();
      await expect(r.getByTestId("progress")).toHaveText(`Frage ${step + 1} von 7`);
    }
    await r.locator("label[for=score-8]").click();
    await r.getByRole("button", { name: "Weiter" }).click();
    await r.getByLabel(/sonst noch etwas/).fill("Mehr Zeit für Weiterbildung");
    await r.getByRole("button", { name: "Absenden" }).click();
    await expect(r.getByRole("heading", { name: "Vielen Dank!" })).toBeVisible();

    // Coming back shows the answers given, and a change replaces them.
    await r.getByRole("link", { name: /Antworten ändern/ }).click();
    await expect(r.getByRole("radio", { name: /^4 · / })).toBeChecked();
    await r.locator("label[for=score-2]").click();
    await r.getByRole("button", { name: "Weiter" }).click();
    await expect(r.getByTestId("progress")).toHaveText("Frage 2 von 7");
    await context.close();

    await page.goto(pulsePath);
    // One answer to an anonymous pulse: the page says neither how many answered (fewer
    // than its minimum group) nor what.
    await expect(page.getByTestId("responses")).toHaveText("fewer than the minimum group");
    const workload = page.locator("[data-question=workload]");
    await expect(workload.getByTestId("withheld")).toContainText("Hidden to protect anonymity");
    await expect(workload.getByTestId("n")).toHaveCount(0);
    await expect(workload.getByTestId("score")).toHaveCount(0);
    const enps = page.locator("[data-question=enps]");
    await expect(enps.getByTestId("withheld")).toBeVisible();
    await expect(enps.getByTestId("passives")).toHaveCount(0);
  });

  test("a CSAT survey is answered with JavaScript from its labelled five-point scale", async ({ browser }) => {
    const page = await signIn(browser);
    const { path: csatPath, link } = await createOpenSurvey(page, "csat", "your delivery");

    const r = await browser.newPage();
    await r.goto(`${link}?lang=en`);
    await expect(r.getByText(/satisfied are you with your delivery/)).toBeVisible();
    await r.getByText("5 · Very satisfied").click();
    await expect(r.getByRole("radio", { name: /^5 · Very satisfied/ })).toBeChecked();
    await r.getByRole("button", { name: "Send" }).click();
    await expect(r.getByRole("heading", { name: "Thank you!" })).toBeVisible();
    await r.close();
    await page.goto(csatPath);
    await expect(page.getByTestId("score")).toHaveText("100.0 %");
  });

  test("a CES survey is answered in German with JavaScript, with the follow-up for easy", async ({ browser }) => {
    const page = await signIn(browser);
    const { path, link } = await createOpenSurvey(page, "ces");
    const context = await browser.newContext({ locale: "de-DE" });
    const r = await context.newPage();
    await r.goto(link);
    await expect(r.getByText("Resonance hat es mir leicht gemacht, mein Anliegen zu erledigen.")).toBeVisible();
    await r.getByText("6 · Stimme zu", { exact: true }).click();
    await expect(r.getByRole("radio", { name: "6 · Stimme zu", exact: true })).toBeChecked();
    await expect(r.getByTestId("follow-up-label")).toHaveText(/Was hat es Ihnen leicht gemacht\?/, { useInnerText: true });
    await r.getByLabel(/leicht gemacht\?/).fill("Schnelle Antwort");
    await r.getByRole("button", { name: "Absenden" }).click();
    await expect(r.getByRole("heading", { name: "Vielen Dank!" })).toBeVisible();
    await context.close();
    await page.goto(path);
    await expect(page.getByTestId("score")).toHaveText("6.00");
    await expect(page.getByTestId("share")).toHaveText("100.0 %");
  });

  test("the admin builds a custom survey in the editor, fixing what it flags, and it is answered in German", async ({ browser }) => {
    const page = await signIn(browser);
    const errors = failOnPageErrors(page);
    const { path, link } = await createOpenSurvey(page, "custom");
    await page.getByTestId("edit").click();
    await expect(page).toHaveURL(/\/surveys\/\d+\/edit$/);
    await expect(page.getByTestId("versioning")).toHaveText(/saving changes version 1 in place/);
    await expectNoSeriousA11yViolations(page);

    // A single-choice question with three options, written in English and German.
    await page.getByLabel("Type of the new question").selectOption("single_choice");
    await page.getByRole("button", { name: "Add question" }).click();
    await expect(page).toHaveURL(/#q1$/);
    await expect(page.getByTestId("unsaved")).toBeVisible();
    const choice = page.locator("#q1");
    await choice.getByLabel("Question (English)").fill("How did you reach us?");
    await choice.getByLabel("Question (Deutsch)").fill("Wie haben Sie uns erreicht?");
    await choice.getByLabel("Option 1 (English)").fill("Phone");
    await choice.getByLabel("Option 1 (Deutsch)").fill("Telefon");
    await choice.getByLabel("Option 2 (English)").fill("Email");
    await choice.getByLabel("Option 2 (Deutsch)").fill("E-Mail");
    await choice.getByRole("button", { name: "Add option" }).click();
    await expect(page.locator("#q1").getByLabel("Option 3 (English)")).toBeVisible();
    await expect(page.locator("#q1").getByLabel("Option 1 (Deutsch)")).toHaveValue("Telefon");
    await page.locator("#q1").getByLabel("Option 3 (English)").fill("Chat");
    await page.locator("#q1").getByLabel("Option 3 (Deutsch)").fill("Chat");

    // Saved with a broken colour: the problem is listed and shown beside the field,
    // and everything typed is still there.
    await page.getByLabel(/^Brand colour/).fill("teal");
    await page.getByRole("button", { name: "Save" }).first().click();
    await expect(page.getByTestId("problems")).toContainText("1 problem to fix before saving");
    await expect(page.locator("#brand_color-error")).toHaveText(/#rrggbb/);
    await expect(page.getByLabel(/^Brand colour/)).toHaveAttribute("aria-invalid", "true");
    await expect(page.locator("#q1").getByLabel("Option 3 (English)")).toHaveValue("Chat");
    await page.getByLabel(/^Brand colour/).fill("#1a6b5c");

    // The choice comes first; then the survey is saved.
    await page.locator("#q1").getByRole("button", { name: "Move up" }).click();
    await expect(page.locator("#q0").getByLabel("Question (English)")).toHaveValue("How did you reach us?");
    await page.getByRole("button", { name: "Save" }).first().click();
    await expect(page.getByTestId("saved")).toBeVisible();
    await expect(page.getByTestId("problems")).toHaveCount(0);
    expect(errors).toEqual([]);

    // A German respondent without JavaScript answers the new first question.
    const context = await browser.newContext({ javaScriptEnabled: false, locale: "de-DE" });
    const r = await context.newPage();
    await r.goto(link);
    await expect(r.getByTestId("progress")).toHaveText("Frage 1 von 2");
    await expect(r.getByText("Wie haben Sie uns erreicht?")).toBeVisible();
    await r.getByText("E-Mail", { exact: true }).click();
    await r.getByRole("button", { name: "Weiter" }).click();
    await r.getByLabel("Was möchten Sie uns mitteilen?").fill("Alles gut");
    await r.getByRole("button", { name: "Absenden" }).click();
    await expect(r.getByRole("heading", { name: "Vielen Dank!" })).toBeVisible();
    await context.close();

    await page.goto(path);
    await expect(page.getByTestId("responses")).toHaveText("1");
    await expect(page.getByTestId("choice-option-2")).toHaveText("1");
    await expect(page.getByTestId("choice-option-1")).toHaveText("0");
  });

  test("an employee answers an anonymous eNPS from a personal link in German, in one tap, and can change it", async ({ browser }) => {
    const page = await signIn(browser);
    const { path } = await createOpenSurvey(page, "enps");
    await expect(page.getByText(/· anonymous/)).toBeVisible();
    const id = path.split("/").pop();
    const made = await page.request.post(`/api/v1/surveys/${id}/links`, {
      data: { locale: "de", attributes: { team: "Sales" } },
    });
    expect(made.status()).toBe(201);
    const { url } = await made.json();
    expect(new URL(url).pathname).toMatch(/^\/t\/[A-Za-z0-9_-]{43}$/);

    // The email's "9" button opens the page with 9 chosen; sending is the one tap.
    const r = await browser.newPage();
    await r.goto(`${url}?score=9`);
    await expect(r.getByText("Wie wahrscheinlich ist es, dass Sie Resonance als Arbeitgeber weiterempfehlen?")).toBeVisible();
    await expect(r.getByRole("radio", { name: /^9/ })).toBeChecked();
    await expect(r.getByTestId("follow-up-label")).toHaveText(/Was schätzen Sie an der Arbeit bei Resonance am meisten\?/, { useInnerText: true });
    await r.locator("#field-follow-up").fill("Das Team");
    await r.getByRole("button", { name: "Absenden" }).click();
    await expect(r.getByRole("heading", { name: "Vielen Dank!" })).toBeVisible();

    // Coming back through the same link shows the answer and replaces it: one response.
    await r.goto(url);
    await expect(r.getByRole("radio", { name: /^9/ })).toBeChecked();
    await r.locator("label[for=score-6]").click();
    await expect(r.getByTestId("follow-up-label")).toHaveText(/Was müsste sich ändern/, { useInnerText: true });
    await r.getByRole("button", { name: "Absenden" }).click();
    await expect(r.getByRole("heading", { name: "Vielen Dank!" })).toBeVisible();
    await r.close();

    await page.goto(path);
    await expect(page.getByTestId("responses")).toHaveText("fewer than the minimum group");
    // One employee is fewer than the minimum group: their score is not shown to anyone.
    await expect(page.getByTestId("withheld").first()).toContainText("Hidden to protect anonymity");
    await expect(page.getByTestId("detractors")).toHaveCount(0);
  });

  test("every kind's template is answered in English and German, with and without JavaScript", async ({ browser }) => {
    // 24 answer pages in fresh browser contexts: on a busy 2-core machine this outlives
    // the default minute without anything being wrong.
    test.setTimeout(180_000);
    const page = await signIn(browser);
    const kinds = [
      { kind: "nps", en: "recommend Resonance to a friend or colleague", de: "Resonance einem Freund oder Kollegen weiterempfehlen", pages: 1 },
      { kind: "enps", en: "recommend Resonance as a place to work", de: "Resonance als Arbeitgeber weiterempfehlen", pages: 1 },
      { kind: "ces", en: "Resonance made it easy for me to handle my issue.", de: "Resonance hat es mir leicht gemacht", pages: 1 },
      { kind: "csat", en: "How satisfied are you with", de: "Wie zufrieden sind Sie mit", pages: 1 },
      { kind: "pulse", en: "My workload is manageable.", de: "Meine Arbeitsbelastung ist gut zu bewältigen.", pages: 7 },
      { kind: "custom", en: "What would you like to tell us?", de: "Was möchten Sie uns mitteilen?", pages: 1 },
    ];
    const words = {
      en: { next: "Next", send: "Send", thanks: "Thank you!", progress: (n: number) => `Question 2 of ${n}` },
      de: { next: "Weiter", send: "Absenden", thanks: "Vielen Dank!", progress: (n: number) => `Frage 2 von ${n}` },
    };
    for (const k of kinds) {
      const { path, link } = await createOpenSurvey(page, k.kind, "the delivery");
      let answered = 0;
      for (const lang of ["en", "de"] as const) {
        for (const javaScriptEnabled of [true, false]) {
          const context = await browser.newContext({ javaScriptEnabled, locale: lang === "de" ? "de-DE" : "en-GB" });
          const r = await context.newPage();
          await r.goto(link);
          await expect(r.locator("html")).toHaveAttribute("lang", lang);
          await expect(r.getByText(k[lang], { exact: false }).first()).toBeVisible();
          if (k.kind === "custom") {
            await r.getByLabel(k[lang]).fill(`Answer ${lang} ${javaScriptEnabled}`);
          } else {
            await r.locator("label[for=score-4]").click();
            await expect(r.locator("#score-4")).toBeChecked();
          }
          const w = words[lang];
          await r.getByRole("button", { name: k.pages > 1 ? w.next : w.send }).click();
          if (k.pages > 1) {
            await expect(r.getByTestId("progress")).toHaveText(w.progress(k.pages));
          } else {
            await expect(r.getByRole("heading", { name: w.thanks })).toBeVisible();
          }
          answered += 1;
          await context.close();
        }
      }
      await page.goto(path);
      // Anonymous kinds (eNPS, pulse) do not say how many answered below their minimum group.
      const anonymous = ["enps", "pulse"].includes(k.kind);
      await expect(page.getByTestId("responses")).toHaveText(
        anonymous && answered < 5 ? "fewer than the minimum group" : String(answered),
      );
    }
  });

  test("contacts are imported from a German Excel CSV through a preview and column mapping, with the bad rows listed by line", async ({ browser }) => {
    const page = await signIn(browser);
    await page.getByRole("link", { name: "Contacts" }).click();
    await expect(page).toHaveURL(/\/contacts$/);
    await expectNoSeriousA11yViolations(page);
    const csv = "\ufeffE-Mail;Name;Sprache;Team\r\nanna@example.com;Anna Schmidt;de;Vertrieb\r\nkaputt;Bob;en;Ops\r\nliam@example.com;Liam;en;Support\r\n";
    await page.getByLabel("CSV file").setInputFiles({ name: "kontakte.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.getByRole("button", { name: "Import" }).click();
    await expect(page).toHaveURL(/\/contacts\/imports\/\d+$/);
    await expect(page.getByRole("heading", { name: "Import of kontakte.csv" })).toBeVisible();
    // The preview: each column with its first values and what its header suggests.
    const email = page.getByRole("combobox", { name: "E-Mail" });
    await expect(email).toHaveValue("email");
    await expect(page.getByRole("combobox", { name: "Sprache" })).toHaveValue("locale");
    await expect(page.getByRole("combobox", { name: "Team" })).toHaveValue("attribute");
    await expect(page.getByTestId("import-mapping")).toContainText("anna@example.com");
    await expectNoSeriousA11yViolations(page);
    // Without an email column the mapping comes back with the choice kept and the reason.
    await email.selectOption("ignore");
    await page.getByRole("button", { name: "Import 3 rows" }).click();
    await expect(page.getByText("No column holds the email address")).toBeVisible();
    await expect(email).toHaveValue("ignore");
    await email.selectOption("email");
    await page.getByRole("button", { name: "Import 3 rows" }).click();
    await expect(page.getByTestId("import-summary")).toHaveText("3 rows read: 2 new contacts, 0 updated.");
    await expect(page.getByTestId("import-problems")).toContainText("3");
    await expect(page.getByTestId("import-problems")).toContainText("not an email address");
    await page.getByRole("link", { name: "Back to the contacts" }).click();
    await expect(page.getByTestId("contact-total")).toHaveText("2");
    await expect(page.getByRole("cell", { name: "anna@example.com" })).toBeVisible();
    await expect(page.getByRole("cell", { name: "team: Vertrieb" })).toBeVisible();

    // A segment of the sales team, saved with its current size.
    await page.getByLabel("Segment name").fill("Vertrieb");
    await page.getByLabel(/^Conditions/).fill("team = Vertrieb");
    await page.getByRole("button", { name: "Save segment" }).click();
    const segments = page.getByTestId("segments");
    await expect(segments.getByRole("row", { name: /Vertrieb team = Vertrieb 1 1/ })).toBeVisible();
    await page.getByLabel("Segment name").fill("Kaputt");
    await page.getByLabel(/^Conditions/).fill("team");
    await page.getByRole("button", { name: "Save segment" }).click();
    await expect(page.getByText("Line 1: write a condition as attribute = value.")).toBeVisible();
    await expect(page.getByLabel(/^Conditions/)).toHaveValue("team");
  });

  test("the sales team gets the survey by email, a score in the email answers it, and a detractor is thanked and raises an alert", async ({ browser }) => {
    const page = await signIn(browser);
    const errors = failOnPageErrors(page);
    const { path } = await createOpenSurvey(page, "nps");
    // After an answer: a thank-you email, and an alert to the owner for a detractor.
    const thankYou = page.getByLabel(/Email a thank-you/);
    const alerts = page.getByLabel(/Email an alert for a low score/);
    await thankYou.check();
    await alerts.check();
    await Promise.all([
      page.waitForResponse((r) => r.url().includes("/rpc/survey_settings") && r.ok()),
      page.getByRole("button", { name: "Save" }).click(),
    ]);
    await page.reload();
    await expect(thankYou).toBeChecked();
    await expect(alerts).toBeChecked();
    await page.getByTestId("sends").click();
    await expect(page).toHaveURL(/\/sends$/);
    await page.getByLabel("Audience").selectOption({ label: "Vertrieb (1 can be sent to)" });
    await page.getByLabel(/^Remind/).fill("3");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await expect(page).toHaveURL(/\/sends\/\d+$/);
    const sendPath = new URL(page.url()).pathname;
    // The page follows the send as it goes: queued, then sent.
    await expect(page.getByTestId("count-recipients")).toHaveText("1");
    await expect(page.getByTestId("count-sent")).toHaveText("1");
    await expect(page.getByTestId("send-state")).toHaveText("Done");
    await expectNoSeriousA11yViolations(page);
    expect(errors).toEqual([]);

    // The email, as the SMTP server received it: German, with a link per score.
    let mail: { to: string; subject: string; plain: string; html: string } | undefined;
    await expect
      .poll(() => {
        const files = readdirSync(mailDir).filter((f) => f.endsWith(".json"));
        mail = files
          .map((f) => JSON.parse(readFileSync(`${mailDir}/${f}`, "utf8")))
          .find((m) => m.to.includes("anna@example.com"));
        return mail !== undefined;
      })
      .toBe(true);
    expect(mail!.plain).toMatch(/^Guten Tag Anna Schmidt,/);
    const link = mail!.plain.match(/(http\S+\/t\/[\w-]+)\?score=9/)![1];
    expect(mail!.html).toContain(`href="${link}?score=9"`);

    // Anna taps 3 in the email: the page opens with 3 chosen and she sends it.
    const respondent = await (await browser.newContext()).newPage();
    await respondent.goto(`${link}?score=3`);
    await expect(respondent.locator("html")).toHaveAttribute("lang", "de");
    await expect(respondent.getByRole("radio", { name: "3", exact: true })).toBeChecked();
    await respondent.getByRole("button", { name: "Absenden" }).click();
    await expect(respondent.getByRole("heading", { name: "Vielen Dank!" })).toBeVisible();

    await page.goto(path);
    await expect(page.getByTestId("responses")).toHaveText("1");
    await page.goto(sendPath);
    await expect(page.getByTestId("count-answered")).toHaveText("1");

    // Her thank-you arrives in German; the owner's alert links to her response.
    const mailTo = (to: string, subject: RegExp) => {
      const files = readdirSync(mailDir).filter((f) => f.endsWith(".json"));
      return files
        .map((f) => JSON.parse(readFileSync(`${mailDir}/${f}`, "utf8")))
        .find((m) => m.to.includes(to) && subject.test(m.subject));
    };
    await expect.poll(() => mailTo("anna@example.com", /^Danke für Ihre Antwort/) !== undefined).toBe(true);
    await expect.poll(() => mailTo(admin.email, /^Detractor alert: .*\(3\/10\)$/) !== undefined).toBe(true);
    const alert = mailTo(admin.email, /^Detractor alert/);
    expect(alert.plain).toContain("Anna Schmidt <anna@example.com> answered");
    await page.goto(alert.plain.match(/http\S+\/responses\/\d+/)![0]);
    await expect(page.getByTestId("respondent")).toHaveText("Anna Schmidt <anna@example.com>");
    await expect(page.getByTestId("response-answers")).toContainText("3 (low)");
    await expectNoSeriousA11yViolations(page);

    // The unsubscribe link asks first; the button unsubscribes.
    const token = link.split("/t/")[1];
    await respondent.goto(`/u/${token}`);
    await expect(respondent.getByText("a***@example.com")).toBeVisible();
    await respondent.getByRole("button", { name: "Abmelden" }).click();
    await expect(respondent.getByTestId("unsubscribed")).toBeVisible();
    await page.goto("/contacts");
    await expect(page.getByRole("row", { name: /anna@example.com.*unsubscribed/ })).toBeVisible();
  });

  test("an unknown page answers 404 with a page", async ({ page }) => {
    const res = await page.goto("/no/such/page");
    expect(res?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  });

  test("demo data fills the dashboards, and a filter and a breakdown change the URL and the numbers, with and without JavaScript", async ({ browser }) => {
    // What a new user runs after creating the first account.
    execFileSync("../target/debug/resonance", [
      "demo-data", "--database-url", "sqlite://../target/e2e/resonance.db",
      "--responses", "4000", "--contacts", "200", "--force",
    ]);
    const page = await signIn(browser);
    const errors = failOnPageErrors(page);
    // The overview: each survey's score over 90 days, its change and a sparkline.
    const demoRow = page.getByTestId("overview-row").filter({ hasText: "Customer NPS (demo)" });
    await expect(demoRow.getByTestId("overview-score")).toContainText(/^NPS -?\d+ \(/);
    await expect(demoRow.locator("svg")).toHaveCount(1);
    await expectNoSeriousA11yViolations(page);
    await page.screenshot({ path: "../target/e2e-artifacts/overview.png", fullPage: true });
    await page.getByRole("link", { name: "Customer NPS (demo)" }).click();
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    await page.getByLabel("Range").selectOption("all");
    await page.getByRole("button", { name: "Show", exact: true }).click();
    await expect(page).toHaveURL(/range=all/);
    const tile = page.getByTestId("tile").first();
    const everyone = Number(await tile.getByText(/^n = /).textContent().then((t) => t?.match(/n = (\d+)/)?.[1]));
    expect(everyone).toBeGreaterThan(500);
    await expect(page.getByTestId("shares").first().getByRole("img")).toHaveAttribute("aria-label", /Detractors, Passives and Promoters by month/);
    // The demo weighs customers by revenue: the weighted score and the revenue at risk.
    const weighted = page.getByTestId("weighted-tile");
    await expect(weighted).toContainText("Weighted NPS by revenue");
    await expect(weighted.getByTestId("weighted-at-risk")).toContainText(/^revenue at risk: [\d\u202f]+ of [\d\u202f]+ \(\d+\.\d %\)/);

    // Only the Sales team, broken down by tier.
    await page.getByTestId("filter-0").selectOption("team:Sales");
    await page.getByTestId("filter-by").selectOption("tier");
    await page.getByRole("button", { name: "Show", exact: true }).click();
    await expect(page).toHaveURL(/filter=team%3ASales.*by=tier/);
    const sales = Number(await tile.getByText(/^n = /).textContent().then((t) => t?.match(/n = (\d+)/)?.[1]));
    expect(sales).toBeGreaterThan(0);
    expect(sales).toBeLessThan(everyone);
    const breakdown = page.getByTestId("breakdown").first();
    await expect(breakdown.getByRole("table")).toContainText("NPS by tier");
    await expect(breakdown.locator("tbody tr")).toHaveCount(3);
    // The rows add up to the filtered tile.
    const rows = await breakdown.locator("tbody tr td:first-of-type").allTextContents();
    expect(rows.map(Number).reduce((a, b) => a + b, 0)).toBe(sales);
    await breakdown.getByRole("link", { name: "n", exact: true }).click();
    await expect(page).toHaveURL(/sort=n/);
    // The comments under the same filter, then only detractors'.
    const comments = page.getByTestId("comments");
    await expect(comments.locator("li.comment")).toHaveCount(20);
    await comments.getByTestId("comments-category").selectOption("detractor");
    await comments.getByRole("button", { name: "Show comments" }).click();
    await expect(page).toHaveURL(/category=detractor/);
    await expect(page).toHaveURL(/filter=team%3ASales/);
    await expect(comments.locator("li.comment").first()).toContainText("(detractor)");
    await expectNoSeriousA11yViolations(page);
    await page.setViewportSize({ width: 360, height: 740 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: "../target/e2e-artifacts/dashboard-filtered.png", fullPage: true });
    expect(errors).toEqual([]);

    // Without JavaScript: the same form, as a plain GET.
    const context = await browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState() });
    const plain = await context.newPage();
    await plain.goto(new URL(page.url()).pathname);
    await plain.getByLabel("Range").selectOption("all");
    await plain.getByTestId("filter-0").selectOption("team:Sales");
    await plain.getByRole("button", { name: "Show", exact: true }).click();
    await expect(plain).toHaveURL(/filter=team%3ASales/);
    await expect(plain.getByTestId("tile").first()).toContainText(`n = ${sales}`);
    // The anonymous eNPS offers one attribute at a time and no send.
    await plain.goto("/surveys");
    await plain.getByRole("link", { name: "Employee eNPS (demo)" }).click();
    await expect(plain.getByTestId("filter-0")).toBeVisible();
    await expect(plain.getByTestId("filter-1")).toHaveCount(0);
    await expect(plain.getByTestId("filter-send")).toHaveCount(0);
    await context.close();
  });

  test("an admin gives a manager the Sales team, whose dashboard is then Sales's alone, and the manager sees their sessions", async ({ browser }) => {
    const page = await signIn(browser);
    await page.goto("/settings/users");
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    await page.getByLabel("Name", { exact: true }).fill("Mia Manager");
    await page.getByLabel("Email", { exact: true }).fill("mia@example.com");
    await page.getByLabel(/^First password/).fill("correct horse battery");
    await page.getByLabel("Role", { exact: true }).selectOption("manager");
    // A manager without a scope is refused, with what was typed kept.
    await page.getByRole("button", { name: "Add user" }).click();
    await expect(page.getByText(/A manager needs a scope/)).toBeVisible();
    await expect(page.getByLabel("Email", { exact: true })).toHaveValue("mia@example.com");
    await page.getByLabel(/^First password/).fill("correct horse battery");
    await page.getByLabel(/^Scope, for a manager/).fill("team=Sales");
    await page.getByRole("button", { name: "Add user" }).click();
    await expect(page.getByRole("row", { name: /mia@example.com/ })).toBeVisible();
    await expect(page.getByRole("textbox", { name: "Scope of Mia Manager" })).toHaveValue("team=Sales");
    await expectNoSeriousA11yViolations(page);
    await page.screenshot({ path: "../target/e2e-artifacts/users.png", fullPage: true });

    // What the admin reads of Sales over all time, to hold the manager's view against.
    await page.goto("/surveys");
    await page.getByRole("link", { name: "Customer NPS (demo)" }).click();
    const path = new URL(page.url()).pathname;
    await page.goto(`${path}?range=all&filter=team%3ASales`);
    const salesTile = await page.getByTestId("tile").first().getByText(/^n = /).textContent();

    const context = await browser.newContext();
    const mia = await context.newPage();
    const errors = failOnPageErrors(mia);
    await mia.goto("/login");
    await mia.getByLabel("Email").fill("mia@example.com");
    await mia.getByLabel("Password").fill("correct horse battery");
    await mia.getByRole("button", { name: "Sign in" }).click();
    await expect(mia).toHaveURL(/\/surveys$/);
    await expect(mia.getByRole("link", { name: "Contacts" })).toHaveCount(0);
    await expect(mia.getByRole("link", { name: "Users" })).toHaveCount(0);
    await mia.goto(`${path}?range=all`);
    await expect(mia.locator("body")).toHaveAttribute("data-hydrated", "true");
    await expect(mia.getByTestId("tile").first().getByText(/^n = /)).toHaveText(salesTile ?? "");
    // Narrowed without asking, and no other team is offered.
    await expect(mia.getByTestId("filter-0")).toHaveValue("team:Sales");
    const teams = await mia.getByTestId("filter-0").locator('optgroup[label="team"] option').allTextContents();
    expect(teams).toEqual(["Sales"]);
    await expect(mia.getByTestId("comments").locator("li.comment").first()).toBeVisible();
    // Nothing of the whole survey, and nothing to change or send.
    await expect(mia.getByTestId("narrowed")).toBeVisible();
    await expect(mia.getByTestId("responses")).toHaveCount(0);
    await expect(mia.getByTestId("edit")).toHaveCount(0);
    await expect(mia.getByRole("heading", { name: "Sends and waves" })).toHaveCount(0);
    await expect(mia.getByRole("button", { name: "Save" })).toHaveCount(0);
    await expectNoSeriousA11yViolations(mia);
    await mia.screenshot({ path: "../target/e2e-artifacts/manager-dashboard.png", fullPage: true });
    // Another team's view is refused.
    await mia.goto(`${path}?range=all&filter=team%3AOps`);
    await expect(mia.getByText("Your role does not allow this.")).toBeVisible();

    await mia.goto("/settings/account");
    await expect(mia.getByRole("row", { name: /this one/ })).toBeVisible();
    await expectNoSeriousA11yViolations(mia);
    await mia.screenshot({ path: "../target/e2e-artifacts/account.png", fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  test("an admin invites a colleague by email, who chooses a password from the link, and a forgotten password is reset from the sign-in page", async ({ browser }) => {
    const mailTo = (to: string, subject: RegExp) =>
      readdirSync(mailDir)
        .filter((f) => f.endsWith(".json"))
        .map((f) => JSON.parse(readFileSync(`${mailDir}/${f}`, "utf8")))
        .find((m) => m.to.includes(to) && subject.test(m.subject));
    const linkIn = (mail: { plain: string }) => mail.plain.match(/http\S+\/password\/[\w-]+/)![0];

    const page = await signIn(browser);
    await page.goto("/settings/users");
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    await page.getByLabel("Name", { exact: true }).fill("Ines Invited");
    await page.getByLabel("Email", { exact: true }).fill("ines@example.com");
    await page.getByLabel("Role", { exact: true }).selectOption("viewer");
    await page.getByRole("button", { name: "Add user" }).click();
    await expect(page.getByTestId("user-added")).toBeVisible();
    await expect(page.getByRole("row", { name: /ines@example.com.*invited/ })).toBeVisible();

    await expect.poll(() => mailTo("ines@example.com", /invited to/) !== undefined).toBe(true);
    const invitation = linkIn(mailTo("ines@example.com", /invited to/));
    const ines = await (await browser.newContext()).newPage();
    const errors = failOnPageErrors(ines);
    await ines.goto(invitation);
    await expect(ines.getByRole("heading", { name: "Welcome to Resonance" })).toBeVisible();
    await expectNoSeriousA11yViolations(ines);
    await ines.screenshot({ path: "../target/e2e-artifacts/invitation.png", fullPage: true });
    await ines.getByLabel("New password (at least 10 characters)").fill("ines chose this one");
    await ines.getByLabel("The same password again").fill("ines chose this too");
    await ines.getByRole("button", { name: "Choose password and sign in" }).click();
    await expect(ines.getByText("The two passwords differ")).toBeVisible();
    await ines.getByLabel("New password (at least 10 characters)").fill("ines chose this one");
    await ines.getByLabel("The same password again").fill("ines chose this one");
    await ines.getByRole("button", { name: "Choose password and sign in" }).click();
    await expect(ines).toHaveURL(/\/surveys$/);

    // Later, on another browser, she has forgotten it.
    const later = await (await browser.newContext()).newPage();
    await later.goto("/login");
    await later.getByRole("link", { name: "Forgot your password?" }).click();
    await expect(later).toHaveURL(/\/forgot$/);
    await later.getByLabel("Email").fill("ines@example.com");
    await later.getByRole("button", { name: "Send the link" }).click();
    await expect(later.getByTestId("reset-sent")).toContainText("If an account has this address");
    await expectNoSeriousA11yViolations(later);
    await later.screenshot({ path: "../target/e2e-artifacts/forgot.png", fullPage: true });
    await expect.poll(() => mailTo("ines@example.com", /new password/) !== undefined).toBe(true);
    const reset = linkIn(mailTo("ines@example.com", /new password/));
    await later.goto(reset);
    await expect(later.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
    await later.getByLabel("New password (at least 10 characters)").fill("a newer password");
    await later.getByLabel("The same password again").fill("a newer password");
    await later.getByRole("button", { name: "Change password and sign in" }).click();
    await expect(later).toHaveURL(/\/surveys$/);
    // The link worked once, and the first browser's session ended with the change.
    await later.goto(reset);
    await expect(later.getByText(/expired or was used already/)).toBeVisible();
    await ines.goto("/surveys");
    await expect(ines).toHaveURL(/\/login$/);
    expect(errors).toEqual([]);
  });

  test("a detractor's answer opens a case for the Sales manager, who writes back by email in German and resolves it", async ({ browser }) => {
    const mailTo = (to: string, subject: RegExp) =>
      readdirSync(mailDir)
        .filter((f) => f.endsWith(".json"))
        .map((f) => JSON.parse(readFileSync(`${mailDir}/${f}`, "utf8")))
        .find((m) => m.to.includes(to) && subject.test(m.subject));
    const page = await signIn(browser);
    const errors = failOnPageErrors(page);
    await page.goto("/surveys");
    await page.getByRole("link", { name: "Customer NPS (demo)" }).click();
    const path = new URL(page.url()).pathname;
    const id = path.split("/").pop();
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");

    // The owner sets which answers open a case; a bad range is refused with the input kept.
    await page.getByLabel("Open a case for critical answers").check();
    await page.getByLabel(/^Headline scores that open a case/).fill("0-11");
    await page.getByLabel(/^Low-score alerts go to/).fill(admin.email);
    await page.getByRole("button", { name: "Set cases and alerts" }).click();
    await expect(page.getByText(/Write the scores that open a case as a range within 0–10/)).toBeVisible();
    await expect(page.getByLabel(/^Low-score alerts go to/)).toHaveValue(admin.email);
    await page.getByLabel(/^Headline scores that open a case/).fill("0-6");
    await page.getByRole("button", { name: "Set cases and alerts" }).click();
    await expect(page.getByTestId("case-settings-saved")).toBeVisible();
    await page.getByLabel(/Email an alert for a low score/).check();
    await Promise.all([
      page.waitForResponse((r) => r.url().includes("/rpc/survey_settings") && r.ok()),
      page.getByRole("button", { name: "Save" }).click(),
    ]);

    // Lena of Sales gets a personal link and answers 2 in German with a comment.
    const imported = await page.request.post("/api/v1/contacts/import", {
      data: "email,name,team,locale\nlena@example.com,Lena Berg,Sales,de\n",
    });
    expect(imported.ok()).toBe(true);
    const contacts = await (await page.request.get("/api/v1/contacts?limit=500")).json();
    const lena = contacts.contacts.find((c: { email: string }) => c.email === "lena@example.com");
    const made = await page.request.post(`/api/v1/surveys/${id}/links`, {
      data: { contact_id: lena.id, attributes: { team: "Sales" }, locale: "de" },
    });
    expect(made.status()).toBe(201);
    const link = (await made.json()).url as string;
    const respondent = await (await browser.newContext()).newPage();
    await respondent.goto(`${link}?score=2`);
    await expect(respondent.locator("html")).toHaveAttribute("lang", "de");
    const why = respondent.getByRole("textbox");
    if ((await why.count()) > 0 && (await why.first().isVisible())) {
      await why.first().fill("Die Lieferung kam zwei Wochen zu spät.");
    }
    await respondent.getByRole("button", { name: "Absenden" }).click();
    await expect(respondent.getByRole("heading", { name: "Vielen Dank!" })).toBeVisible();

    // The alert reaches the admin with a link to the case.
    await expect.poll(() => mailTo(admin.email, /^Detractor alert: .*\(2\/10\)$/) !== undefined).toBe(true);
    const alert = mailTo(admin.email, /^Detractor alert: .*\(2\/10\)$/);
    const casePath = new URL(alert.plain.match(/http\S+\/cases\/\d+/)![0]).pathname;

    // Mia, Sales's manager, owns it: she finds it under Cases.
    const context = await browser.newContext();
    const mia = await context.newPage();
    const miaErrors = failOnPageErrors(mia);
    await mia.goto("/login");
    await mia.getByLabel("Email").fill("mia@example.com");
    await mia.getByLabel("Password").fill("correct horse battery");
    await mia.getByRole("button", { name: "Sign in" }).click();
    await expect(mia).toHaveURL(/\/surveys$/);
    await mia.getByRole("link", { name: "Cases" }).click();
    await expect(mia).toHaveURL(/\/cases$/);
    await mia.getByLabel("Only mine").check();
    await mia.getByRole("button", { name: "Show" }).click();
    await expect(mia).toHaveURL(/mine=1/);
    const row = mia.getByTestId("case-row").filter({ hasText: "Lena Berg" });
    await expect(row).toContainText("Mia Manager");
    await expectNoSeriousA11yViolations(mia);
    await mia.screenshot({ path: "../target/e2e-artifacts/cases.png", fullPage: true });
    await row.getByRole("link").click();
    await expect(mia).toHaveURL(new RegExp(`${casePath}$`));
    await expect(mia.locator("body")).toHaveAttribute("data-hydrated", "true");
    await expect(mia.getByTestId("case-state")).toHaveText("Open");
    await expect(mia.getByTestId("case-score")).toHaveText("2");
    await expect(mia.getByText("They answered in German")).toBeVisible();

    // A blank reply is refused; then she writes in German and it goes by email.
    await mia.getByLabel("Message").fill("   ");
    await mia.getByTestId("send-reply").click();
    await expect(mia.getByText("Write the reply first.")).toBeVisible();
    await mia.getByLabel("Message").fill("Liebe Frau Berg,\n\ndas tut uns leid. Ihre nächste Lieferung geht heute per Express raus.");
    await mia.getByTestId("send-reply").click();
    await expect(mia.getByTestId("case-state")).toHaveText("Contacted");
    await expect(mia.getByTestId("event-reply")).toContainText("per Express");
    await expect.poll(() => mailTo("lena@example.com", /^Re: /) !== undefined).toBe(true);
    const reply = mailTo("lena@example.com", /^Re: /);
    expect(reply.plain).toMatch(/^Guten Tag Lena Berg,/);
    expect(reply.plain).toContain("Ihre nächste Lieferung geht heute per Express raus.");
    expect(reply.plain).toContain("Antworten Sie einfach auf diese E-Mail.");

    // A note, then resolved, without JavaScript too: the page is a plain form.
    await mia.getByLabel("Note", { exact: true }).fill("Called her as well; she is happy now.");
    await mia.getByTestId("add-note").click();
    await expect(mia.getByTestId("event-note")).toContainText("she is happy now");
    const plain = await (await browser.newContext({ javaScriptEnabled: false, storageState: await context.storageState() })).newPage();
    await plain.goto(casePath);
    await plain.getByTestId("case-resolved").click();
    await expect(plain.getByTestId("case-state")).toHaveText("Resolved");
    await mia.reload();
    await expect(mia.getByTestId("case-state")).toHaveText("Resolved");
    await expect(mia.getByTestId("case-open")).toBeVisible();
    await expectNoSeriousA11yViolations(mia);
    await mia.screenshot({ path: "../target/e2e-artifacts/case.png", fullPage: true });
    expect(miaErrors).toEqual([]);

    // The survey's dashboard times it, here per team (the breakdown's attribute).
    await page.goto(`${path}?range=all&by=team`);
    await expect(page.getByTestId("case-figures")).toBeVisible();
    await expect(page.getByTestId("cases-open")).toHaveText("0");
    await expect(page.getByTestId("cases-by-team")).toContainText("Sales");
    await page.getByTestId("case-figures").screenshot({ path: "../target/e2e-artifacts/case-figures.png" });

    // The admin gets this view by email every week, and asks for one now.
    await page.goto(`${path}?range=all&filter=team%3ASales`);
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    await page.getByLabel("How often").selectOption("weekly");
    await page.getByRole("button", { name: "Email me this view" }).click();
    await expect(page.getByTestId("digest-subscribed")).toBeVisible();
    await page.goto("/settings/account");
    await expect(page.getByTestId("digest-row")).toContainText("team:Sales");
    await page.getByTestId("digest-send").click();
    await expect(page.getByTestId("digest-sent")).toBeVisible();
    await expectNoSeriousA11yViolations(page);
    await page.screenshot({ path: "../target/e2e-artifacts/digests.png", fullPage: true });
    await expect.poll(() => mailTo(admin.email, /^Weekly digest: /) !== undefined).toBe(true);
    const digest = mailTo(admin.email, /^Weekly digest: /);
    expect(digest.plain).toMatch(/NPS: -?\d+ points/);
    expect(digest.plain).toContain("filter=team%3ASales");
    expect(digest.html).toMatch(/<img src="cid:trend-0\.[^"]+"/);
    expect(errors).toEqual([]);
    await context.close();
  });

  test("an admin registers a webhook, a local receiver gets the next answer and a test event signed, and a delivery is replayed", async ({ browser }) => {
    // The receiver: it keeps each request's headers and raw body.
    const got: { id: string; timestamp: string; signature: string; body: string }[] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        got.push({
          id: String(req.headers["webhook-id"]),
          timestamp: String(req.headers["webhook-timestamp"]),
          signature: String(req.headers["webhook-signature"]),
          body: Buffer.concat(chunks).toString("utf8"),
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((ready) => receiver.listen(0, "127.0.0.1", ready));
    const port = (receiver.address() as AddressInfo).port;
    // As the README's snippet checks it: HMAC-SHA256 of "id.timestamp.body".
    const verifies = (secret: string, r: (typeof got)[number]) => {
      const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
      const mac = createHmac("sha256", key).update(`${r.id}.${r.timestamp}.${r.body}`).digest("base64");
      return r.signature.split(" ").includes(`v1,${mac}`);
    };

    const page = await signIn(browser);
    const errors = failOnPageErrors(page);
    await page.getByRole("link", { name: "Webhooks" }).click();
    await expect(page).toHaveURL(/\/settings\/webhooks$/);
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    // A private address is refused, with what was typed kept.
    await page.getByLabel(/^Endpoint URL/).fill("http://169.254.169.254/latest/meta-data/");
    await page.getByRole("button", { name: "Add endpoint" }).click();
    await expect(page.getByText(/link-local \(cloud metadata\)/)).toBeVisible();
    await expect(page.getByLabel(/^Endpoint URL/)).toHaveValue("http://169.254.169.254/latest/meta-data/");
    await page.getByLabel(/^Endpoint URL/).fill(`http://127.0.0.1:${port}/hook`);
    await page.getByLabel(/^Description/).fill("Our CRM");
    await page.getByLabel(/A case is opened/).check();
    await page.getByRole("button", { name: "Add endpoint" }).click();
    await expect(page).toHaveURL(/\/settings\/webhooks\/\d+$/);
    const secret = (await page.getByTestId("webhook-secret").textContent()) ?? "";
    expect(secret).toMatch(/^whsec_/);

    // Someone answers the demo survey: the receiver gets it, signed.
    await page.goto("/surveys");
    await page.getByRole("link", { name: "Customer NPS (demo)" }).click();
    const id = new URL(page.url()).pathname.split("/").pop();
    const made = await page.request.post(`/api/v1/surveys/${id}/links`, {
      data: { attributes: { team: "Ops" }, locale: "en" },
    });
    expect(made.status()).toBe(201);
    const respondent = await (await browser.newContext()).newPage();
    await respondent.goto(`${(await made.json()).url}?score=9`);
    await respondent.getByRole("button", { name: "Send", exact: true }).click();
    await expect(respondent.getByRole("heading", { name: "Thank you!" })).toBeVisible();
    await expect.poll(() => got.length, { timeout: 15_000 }).toBeGreaterThan(0);
    const first = got[0];
    expect(verifies(secret, first)).toBe(true);
    expect(Math.abs(Date.now() / 1000 - Number(first.timestamp))).toBeLessThan(300);
    const body = JSON.parse(first.body);
    expect(body.type).toBe("response.completed");
    expect(body.data.response.answers[0].score).toBe(9);
    expect(body.data.response.attributes.team).toBe("Ops");

    // The endpoint's page lists the delivery with the receiver's 204; replayed, the same id
    // arrives again. Without JavaScript too.
    await page.goto(`/settings/webhooks`);
    await page.getByRole("link", { name: `http://127.0.0.1:${port}/hook` }).click();
    const delivery = page.locator("table.deliveries tbody tr").filter({ hasText: first.id });
    await expect(delivery).toContainText("delivered");
    await expect(delivery).toContainText("204");
    // A test event tries the receiver on demand: signed, and listed with the deliveries.
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    await page.getByRole("button", { name: "Send a test event" }).click();
    await expect.poll(() => got.length, { timeout: 15_000 }).toBeGreaterThan(1);
    const test = got[1];
    expect(JSON.parse(test.body).type).toBe("webhook.test");
    expect(verifies(secret, test)).toBe(true);
    // The page follows the delivery by itself until the receiver has answered.
    const tested = page.locator("table.deliveries tbody tr").filter({ hasText: test.id });
    await expect(tested).toContainText("webhook.test");
    await expect(tested).toContainText("delivered");
    await expect(tested).toContainText("204");
    await expectNoSeriousA11yViolations(page);
    await page.screenshot({ path: "../target/e2e-artifacts/webhook.png", fullPage: true });
    const plain = await (await browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState() })).newPage();
    await plain.goto(new URL(page.url()).pathname);
    await plain.locator("table.deliveries tbody tr").filter({ hasText: first.id }).getByRole("button", { name: "Replay" }).click();
    await expect.poll(() => got.length, { timeout: 15_000 }).toBeGreaterThan(2);
    expect(got[2].id).toBe(first.id);
    expect(verifies(secret, got[2])).toBe(true);
    // The list, on a phone's width: nothing runs off the screen.
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto("/settings/webhooks");
    await expect(page.getByRole("link", { name: `http://127.0.0.1:${port}/hook` })).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await expectNoSeriousA11yViolations(page);
    await page.screenshot({ path: "../target/e2e-artifacts/webhooks.png", fullPage: true });
    expect(errors).toEqual([]);
    receiver.close();
  });
});
