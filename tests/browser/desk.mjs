// Browser checks of the officer's desk (`pis-gateway desk`), run on the map fixture's
// envelopes (tests/browser/map-fixture: 60 generated reports, its own identity and the example
// signing key) as the officer's mailbox. run.mjs calls runDeskChecks; `node
// tests/browser/desk.mjs [path/to/pis-gateway]` runs these checks alone (no gateway: the desk's
// pages do not need one, its actions do).
//
//   * `desk init` from flags writes the desk file, and `desk` prints a one-time link;
//   * the link opens the queue and the token leaves the address bar;
//   * the queue lists IMMEDIATE first, then PRIORITY, then ROUTINE;
//   * the priority filter (a plain form) shows only what it names;
//   * keyboard only: the first Tab reaches the skip link, which moves focus to the content;
//     Tab reaches a report's link with a visible focus indicator, and Enter opens its case;
//   * axe finds no violation on the queue (plain and filtered), a case and its report page;
//   * at 320 px nothing scrolls sideways (the queue's table scrolls inside its own region);
//   * no request leaves the desk, and no page runs a script.

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURE = 'tests/browser/map-fixture';
const NARROW = { width: 320, height: 640 };
const RANK = { IMMEDIATE: 0, PRIORITY: 1, ROUTINE: 2 };

function check(results, failures, name, fn) {
  return fn().then(
    () => results.push({ name, passed: true }),
    (e) => {
      const error = e.message.split('\n')[0];
      results.push({ name, passed: false, error });
      failures.push(`desk: ${name}: ${error}`);
    },
  );
}

// The desk file from flags, then the desk itself; resolves with its process and link.
async function startDesk(bin, gateway, work) {
  const officer = path.join(work, 'officer.pem');
  execFileSync(bin, ['keygen', '--officer', '--output', officer], { stdio: 'pipe' });
  const file = path.join(work, 'desk.toml');
  execFileSync(bin, [
    'desk', 'init', '--desk', file, '--gateway', gateway, '--ca', 'certs-example/ca.pem',
    '--identity', `${FIXTURE}/analyst.key`, '--officer-key', officer,
    '--signing-keys', `${FIXTURE}/signing-keys.txt`, '--mailbox', `${FIXTURE}/envelopes`,
  ], { stdio: 'pipe' });
  const child = spawn(bin, ['desk', '--desk', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const link = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no link from the desk: ${out}`)), 60_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+\/start\/[A-Za-z0-9_-]+/);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    child.stderr.on('data', (d) => { out += d; });
    child.on('exit', (code) => reject(new Error(`the desk exited (${code}): ${out}`)));
  });
  return { child, link, origin: new URL(link).origin };
}

const priorities = (page) => page.locator('tbody tr td:nth-child(2)').allTextContents();

async function noSideways(page, what) {
  const [scroll, client] = await page.evaluate(() => [
    document.documentElement.scrollWidth, document.documentElement.clientWidth,
  ]);
  if (scroll > client) throw new Error(`${what} scrolls sideways at 320 px (${scroll} > ${client})`);
}

async function axeClean(page, runAxe, what) {
  const own = await page.evaluate(() => document.scripts.length);
  if (own) throw new Error(`${what} holds ${own} script(s)`);
  const v = await runAxe(page);
  if (v.length) throw new Error(`${what}: ${v.map((x) => `${x.id} (${x.targets.join(', ')})`).join('; ')}`);
}

async function queueChecks(page, { link, origin, runAxe, shots, results, failures }) {
  await check(results, failures, 'the one-time link opens the queue without the token', async () => {
    await page.goto(link);
    if (page.url() !== `${origin}/`) throw new Error(`at ${page.url()}`);
    if ((await page.locator('h1').textContent()) !== 'Queue') throw new Error('no queue');
  });
  await check(results, failures, 'IMMEDIATE first, then PRIORITY, then ROUTINE', async () => {
    const shown = await priorities(page);
    if (shown.length < 10) throw new Error(`only ${shown.length} rows`);
    const ranks = shown.map((p) => RANK[p.trim()] ?? 3);
    if (ranks.some((r, i) => i > 0 && r < ranks[i - 1])) throw new Error(`order ${shown.join(',')}`);
  });
  await check(results, failures, 'axe: the queue', async () => {
    await axeClean(page, runAxe, 'queue');
    await page.screenshot({ path: path.join(shots, 'desk-queue.png'), fullPage: true });
  });
  await check(results, failures, 'the priority filter shows only what it names', async () => {
    await page.locator('#priority').selectOption('ROUTINE');
    await page.locator('form.filters button').click();
    await page.waitForURL(/priority=ROUTINE/);
    const shown = await priorities(page);
    if (!shown.length || shown.some((p) => p.trim() !== 'ROUTINE')) throw new Error(shown.join(','));
    await axeClean(page, runAxe, 'filtered queue');
  });
}

async function keyboardChecks(page, { origin, runAxe, shots, results, failures }) {
  await check(results, failures, 'keyboard: skip link, visible focus, Enter opens a case', async () => {
    await page.goto(`${origin}/`);
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => document.activeElement.textContent);
    if (first !== 'Skip to main content') throw new Error(`first Tab reaches "${first}"`);
    await page.keyboard.press('Enter');
    if ((await page.evaluate(() => document.activeElement.id)) !== 'main') throw new Error('focus did not move to main');
    for (let i = 0; i < 40; i += 1) {
      await page.keyboard.press('Tab');
      const href = await page.evaluate(() => document.activeElement.getAttribute('href'));
      if (href && href.startsWith('/case/')) break;
    }
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      const s = getComputedStyle(el);
      return { href: el.getAttribute('href'), outline: s.outlineStyle, shadow: s.boxShadow, bg: s.backgroundColor };
    });
    if (!focused.href?.startsWith('/case/')) throw new Error('Tab never reached a report');
    if (focused.shadow === 'none' && focused.outline === 'none') throw new Error('no visible focus');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/case\/PIS-/);
  });
  await check(results, failures, 'axe: a case', async () => {
    await axeClean(page, runAxe, 'case');
    await page.screenshot({ path: path.join(shots, 'desk-case.png'), fullPage: true });
  });
  await check(results, failures, 'axe: the report page', async () => {
    await page.locator('a', { hasText: 'Read the report' }).click();
    await page.waitForURL(/\/report$/);
    await axeClean(page, runAxe, 'report');
  });
}

async function narrowChecks(page, { origin, results, failures }) {
  await check(results, failures, 'at 320 px nothing scrolls sideways', async () => {
    await page.setViewportSize(NARROW);
    await page.goto(`${origin}/`);
    await noSideways(page, 'the queue');
    const href = await page.locator('tbody a').first().getAttribute('href');
    await page.goto(`${origin}${href}`);
    await noSideways(page, 'a case');
  });
}

export async function runDeskChecks(browser, { bin, gateway, runAxe, shots, desktop, failures, results }) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pisg-desk-'));
  let desk;
  try {
    desk = await startDesk(bin, gateway, work);
    // axe is added to each page as a script, which the desk's policy forbids like any other:
    // the policy is bypassed for axe, and the pages are checked to hold no script themselves.
    const context = await browser.newContext({ viewport: desktop, bypassCSP: true });
    const requests = [];
    const scripts = [];
    context.on('request', (r) => requests.push(r.url()));
    const page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') scripts.push(m.text()); });
    const shared = { ...desk, runAxe, shots, results, failures };
    await queueChecks(page, shared);
    await keyboardChecks(page, shared);
    await narrowChecks(page, shared);
    await check(results, failures, 'no request leaves the desk', async () => {
      const outside = requests.filter((u) => !u.startsWith(desk.origin) && !u.startsWith('data:'));
      if (outside.length) throw new Error(outside.join(', '));
    });
    await context.close();
  } catch (e) {
    failures.push(`desk: could not run: ${e.message.split('\n')[0]}`);
  } finally {
    desk?.child.kill();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

// Alone: `node tests/browser/desk.mjs [bin]`, from the repository's top folder.
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { chromium } = await import('playwright-core');
  const { createRequire } = await import('node:module');
  const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
  const runAxe = async (page) => {
    await page.addScriptTag({ path: axePath });
    const r = await page.evaluate(() => window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      resultTypes: ['violations'],
    }));
    return r.violations.map((v) => ({ id: v.id, targets: v.nodes.map((n) => n.target.join(' ')) }));
  };
  const shots = path.resolve('target/browser/screenshots');
  fs.mkdirSync(shots, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu'],
  });
  const results = [];
  const failures = [];
  try {
    await runDeskChecks(browser, {
      bin: path.resolve(process.argv[2] || 'target/debug/pis-gateway'),
      // No gateway: the pages say what they could not ask it.
      gateway: 'https://localhost:9',
      runAxe, shots, desktop: { width: 1024, height: 768 }, failures, results,
    });
  } finally {
    await browser.close();
  }
  for (const r of results) console.log(`${r.passed ? 'ok  ' : 'FAIL'} ${r.name}${r.error ? `: ${r.error}` : ''}`);
  for (const f of failures.filter((f) => !results.some((r) => f.endsWith(r.error ?? '\0')))) console.log(`FAIL ${f}`);
  process.exit(failures.length ? 1 : 0);
}
