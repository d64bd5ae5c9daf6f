// Drives the partner console in Debian's Chromium (headless, through
// Playwright) as a partner would, against the fleet the C++ test started.
// Prints "ok: <step>" per step; any failure ends it with a message and
// exit status 1. Screenshots of every page go to $SHOTS.
//
// Environment: ONRAMP_NODE_PATH (npm packages), CONSOLE_BASE
// (https://127.0.0.1:<port>), KEY_ACME and KEY_GLOBEX (API keys), CSV (a
// file of phones to claim) and PROFILE_RULE (where they are sent),
// SIMULATE (a command: device-agent's simulator powering on some of them),
// SIMULATED_MAC (one of those), PHONE_MAC (a phone acme has onboarded, with
// a secret), CONFLICT_MAC (a phone in the CSV that globex already owns),
// SHOTS.

import { execSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(`${process.env.ONRAMP_NODE_PATH}/`);
const { chromium } = require("playwright-core");

const { CONSOLE_BASE: base, KEY_ACME, KEY_GLOBEX, CSV, PROFILE_RULE, SIMULATE, SIMULATED_MAC, PHONE_MAC, CONFLICT_MAC,
        SHOTS } = process.env;

function check(condition, message) {
  if (!condition) throw new Error(message);
}

function step(name) {
  console.log(`ok: ${name}`);
}

// Every page is saved as a picture, and checked that each of its form
// controls and buttons has a name a screen reader can say.
async function shot(page, name) {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  const unnamed = await page.evaluate(() => [...document.querySelectorAll("input, select, textarea, button")]
    .filter((control) => !(control.labels?.length || control.getAttribute("aria-label") ||
                           control.getAttribute("aria-labelledby") ||
                           (control.tagName === "BUTTON" && control.textContent.trim())))
    .map((control) => control.outerHTML.slice(0, 80)));
  check(unnamed.length === 0, `${name}: controls without a name: ${unnamed.join(", ")}`);
}

async function signIn(page, key) {
  await page.goto(`${base}/console/sign-in`);
  await page.getByLabel("Partner API key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${base}/console/`);
}

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  // This machine has no network: keep Chromium from reaching for Google.
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const errors = [];
try {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, acceptDownloads: true,
                                             viewport: { width: 1366, height: 820 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  page.on("pageerror", (error) => errors.push(error.message));

  // Without a session every page sends the browser to sign in, and back.
  await page.goto(`${base}/console/phones`);
  await page.waitForURL(`${base}/console/sign-in?next=/console/phones`);
  await shot(page, "sign-in");
  await page.getByLabel("Partner API key").fill("onr_0123456789abcdef_not-a-key");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("#sign-in-error", { hasText: "unknown or revoked" }).waitFor();
  // By keyboard alone: the key field has the focus, Enter signs in.
  await page.keyboard.type(KEY_ACME);
  await page.keyboard.press("Enter");
  await page.waitForURL(`${base}/console/phones`);
  await page.locator("table tbody tr").first().waitFor();
  const kept = await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.length,
                                            cookie: document.cookie }));
  check(kept.local === 0 && kept.session === 0 && !kept.cookie.includes("onramp_session"),
        `the key or session is readable by scripts: ${JSON.stringify(kept)}`);
  step("a page without a session led to sign-in, a wrong key was refused, the right one signed in");

  // Claim a CSV of 1,000 phones, one of them another partner's.
  await page.goto(`${base}/console/claim`);
  await page.getByLabel("Profile_Rule the phones are sent to").fill(PROFILE_RULE);
  await page.getByLabel("CSV file").setInputFiles(CSV);
  await page.getByRole("button", { name: "Claim", exact: true }).click();
  await page.locator("#claim-counts").waitFor({ timeout: 90000 });
  const counts = await page.locator("#claim-counts").innerText();
  check(counts.includes("999 claimed"), `claim counts: ${counts}`);
  check(counts.includes("1 claimed by another partner"), `claim counts: ${counts}`);
  const conflict = await page.locator("#claim-problems tbody tr").innerText();
  check(conflict.includes(CONFLICT_MAC) && conflict.includes("Conflict"), `conflict row: ${conflict}`);
  const [saved] = await Promise.all([page.waitForEvent("download"), page.locator("#claim-download").click()]);
  const download = readFileSync(await saved.path(), "utf8").trim().split("\n");
  check(download.length === 1001 && download.some((line) => line.includes(CONFLICT_MAC) && line.includes("Conflict")),
        `the results file has ${download.length} lines`);
  const [value, max] = await page.locator("#claim-progress").evaluate((bar) => [bar.value, bar.max]);
  check(value === 1000 && max === 1000, `progress ${value} of ${max}`);
  await shot(page, "claim");
  step("1,000 rows claimed: 999 claimed, 1 conflict explained, every row's result to download, progress complete");

  // The simulator powers on some of the claimed phones; one of them is
  // found by its MAC and its timeline tells how it onboarded.
  execSync(SIMULATE, { stdio: ["ignore", "ignore", "pipe"], timeout: 120000 });
  await page.goto(`${base}/console/phones?mac=${SIMULATED_MAC}`);
  await page.getByRole("link", { name: SIMULATED_MAC }).click();
  await page.waitForURL(`${base}/console/phones/${SIMULATED_MAC}`);
  await page.locator("ol.timeline li", { hasText: "acquired" }).first().waitFor();
  const simulated = await page.locator("ol.timeline").first().innerText();
  for (const kind of ["claimed", "lookup", "acquired"]) {
    check(simulated.includes(kind), `the simulated phone's timeline lacks ${kind}: ${simulated}`);
  }
  await shot(page, "simulated-phone");
  step("a phone the simulator onboarded: found by MAC, its timeline from claim to acquired");

  // The site's phones: only the onboarded one, with what it last did.
  await page.goto(`${base}/console/phones`);
  await page.getByLabel("Site").fill("lisbon");
  await page.getByRole("button", { name: "Find" }).click();
  await page.getByRole("link", { name: PHONE_MAC }).waitFor();
  const rows = page.locator("table tbody tr");
  check(await rows.count() === 1, `the site holds ${await rows.count()} phones`);
  const row = await rows.innerText();
  check(row.includes("lisbon") && row.includes("Acquired") && row.includes("12.0.1") && !row.includes("never"),
        `the phone's row: ${row}`);
  step("the site's one phone listed with its state, firmware and last contact");

  // Find the onboarded phone by its MAC as people write it, open it.
  await page.goto(`${base}/console/phones`);
  await page.getByLabel("MAC").fill(PHONE_MAC.match(/../g).join(":").toUpperCase());
  await page.getByRole("button", { name: "Find" }).click();
  await page.getByRole("link", { name: PHONE_MAC }).waitFor();
  check(await page.locator("table tbody tr").count() === 1, "the search found more than the one phone");
  await shot(page, "phones");
  await page.getByRole("link", { name: PHONE_MAC }).click();
  await page.waitForURL(`${base}/console/phones/${PHONE_MAC}`);
  const timeline = page.locator("ol.timeline").first();
  await timeline.locator("li", { hasText: "acquired" }).first().waitFor();
  const story = await timeline.innerText();
  for (const kind of ["claimed", "lookup", "registered", "acquired"]) {
    check(story.includes(kind), `the timeline lacks ${kind}: ${story}`);
  }
  const preview = await page.locator("pre.profile").innerText();
  check(preview.includes("Proxy_1_") && !preview.includes("s3cret-sip-password"),
        `the preview shows a secret or lacks the proxy: ${preview}`);
  const facts = await page.getByLabel("About this phone").innerText();
  check(facts.includes("Acquired") && !facts.includes("Last contact\tnever"), `facts: ${facts}`);
  await shot(page, "phone");
  step("found the phone by MAC; its timeline shows the onboarding, its preview masks the secret");

  // Create three codes, revoke one.
  await page.goto(`${base}/console/codes`);
  await page.getByLabel("How many").fill("3");
  await page.getByLabel("Profile_Rule").fill("https://prov.acme.example/profile/$MA.xml");
  await page.getByRole("button", { name: "Create codes" }).click();
  const issued = (await page.locator("#issued-codes").inputValue()).split("\n");
  check(issued.length === 3 && issued.every((code) => /^\d{16}$/.test(code)), `issued: ${issued}`);
  await page.locator("#codes tbody tr").first().waitFor();
  const revoke = page.getByRole("button", { name: `Revoke the code ending ${issued[0].slice(-4)}` });
  page.once("dialog", (dialog) => dialog.accept());  // "Revoke the code ending …? It cannot be used afterwards."
  await revoke.click();
  await page.locator("#codes tr", { hasText: issued[0].slice(-4) }).locator("text=Revoked").waitFor();
  await shot(page, "codes");
  step("3 codes created and shown once; one revoked");

  // A site parameter: saved, then a bad value refused on its field.
  await page.goto(`${base}/console/layers?scope=site&key=lisbon`);
  await page.getByLabel("Name of parameter 1").fill("Time_Zone");
  await page.getByLabel("Value of parameter 1").fill("GMT+1");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByLabel("Value of Time_Zone").waitFor();
  await page.getByLabel("Value of Time_Zone").fill("GMT+2 ");
  await page.getByRole("button", { name: "Save" }).click();
  const fieldError = page.locator(".field-error:not([hidden])");
  await fieldError.waitFor();
  check((await fieldError.innerText()).includes("leading or trailing spaces"), "the field error is not shown");
  check(await page.getByLabel("Value of Time_Zone").getAttribute("aria-invalid") === "true",
        "the bad value's field is not marked invalid");
  await shot(page, "layers");
  step("a site parameter saved; a bad value's error shown on its field");

  // Pause the rollout.
  await page.goto(`${base}/console/firmware?model=CP-8851-3PCC`);
  await page.locator("#plan-title").waitFor();
  const path = await page.getByRole("img", { name: /^Upgrade path/ }).getAttribute("aria-label");
  check(path.includes("→ 11-3-1MPP-100") && path.includes("→ 12-5-1MPP-100"), `upgrade path: ${path}`);
  const versions = await page.locator("table").first().innerText();
  check(versions.includes("11-3-1MPP-100") &&
        versions.indexOf("11-3-1MPP-100") < versions.indexOf("12-5-1MPP-100"), `images out of order: ${versions}`);
  await page.getByRole("button", { name: "Pause" }).click();
  await page.locator('[data-state="ROLLOUT_STATE_PAUSED"]').waitFor();
  await shot(page, "firmware");
  step("images in version order, the two-hop upgrade path drawn, the rollout paused");

  await page.goto(`${base}/console/`);
  const funnel = await page.locator("svg.chart").getAttribute("aria-label");
  check(funnel.includes("Claimed 1000") && funnel.includes("Acquired 6"), `funnel: ${funnel}`);
  await shot(page, "overview");
  step("the funnel counts 1,000 claimed, 6 acquired");

  // Another partner, in another browser, sees none of it.
  const other = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage();
  other.on("pageerror", (error) => errors.push(error.message));
  await signIn(other, KEY_GLOBEX);
  await other.goto(`${base}/console/phones?mac=${PHONE_MAC}`);
  await other.locator(".notice", { hasText: `No phone ${PHONE_MAC} is yours` }).waitFor();
  await other.goto(`${base}/console/phones/${PHONE_MAC}`);
  await other.locator(".notice", { hasText: "No such phone among yours" }).waitFor();
  await shot(other, "other-partner");
  step("a second partner sees none of the first's phones");

  // Signing out ends it everywhere: a second tab's next request, and the
  // next page, lead to sign-in again.
  const tab = await context.newPage();
  tab.on("pageerror", (error) => errors.push(error.message));
  await tab.goto(`${base}/console/phones`);
  await tab.locator("table tbody tr").first().waitFor();
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(`${base}/console/sign-in`);
  await tab.getByRole("button", { name: "Find" }).click();
  await tab.waitForURL(`${base}/console/sign-in?next=%2Fconsole%2Fphones`);
  await page.goto(`${base}/console/codes`);
  await page.waitForURL(`${base}/console/sign-in?next=/console/codes`);
  step("signed out: another tab's next request and the next page lead to sign-in again");

  check(errors.length === 0, `script errors on the pages: ${errors.join("; ")}`);
} catch (error) {
  console.error(`failed: ${error.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
