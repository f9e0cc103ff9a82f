// Browser checks of the officer's desk (`pis-gateway desk`), run on the map fixture's
// envelopes (tests/browser/map-fixture: 60 generated reports, its own identity and the example
// signing key) as the officer's mailbox. run.mjs calls runDeskChecks; `node
// tests/browser/desk.mjs [path/to/pis-gateway]` runs these checks alone (the fixture's pages
// need no gateway; the journey starts its own).
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
//
// The journey (journey below) against a real gateway of its own (started as run.sh starts the
// suite's, with the officer's key on its police route and a MACE route for the City of York,
// mail to files): two community reports sent, the police route's emails the officer's
// mailbox; the officer sees the IMMEDIATE one first, acknowledges it, replies, and the
// submitter reads the reply on /follow-up; records a grade and shares the other with MACE
// (the share page shows what is taken out and what is kept); the MACE coordinator's desk, on
// their own mailbox and identity, lists that restricted view only and offers confirming
// receipt and nothing else. axe on every new page and state, and 320 px.

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
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
    await openQueue(page, link);
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

const CA = 'certs-example/ca.pem';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// One HTTPS request to the gateway, trusting the example CA only.
function fetchGateway(base, pathname, { method = 'GET', json } = {}) {
  return new Promise((resolve, reject) => {
    const body = json === undefined ? null : Buffer.from(JSON.stringify(json));
    const req = https.request(new URL(pathname, base), {
      method, ca: fs.readFileSync(CA),
      headers: body ? { 'content-type': 'application/json', 'content-length': body.length } : {},
    }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

const wait = (ms) => new Promise((r) => { setTimeout(r, ms); });

// A gateway of the journey's own, configured as run.sh configures the suite's but with its
// own keys: the officer's key on the police route, and a MACE route for the City of York
// sealed to the coordinator's identity.
async function startGateway(bin, work) {
  const key = (args) => execFileSync(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();
  const keys = {
    officer: path.join(work, 'officer.pem'), police: path.join(work, 'police.key'),
    mace: path.join(work, 'mace.key'),
  };
  const officer = key(['keygen', '--officer', '--output', keys.officer]);
  const police = key(['keygen', '--output', keys.police]);
  const mace = key(['keygen', '--output', keys.mace]);
  const port = await freePort();
  const repo = process.cwd();
  const mail = path.join(work, 'mail');
  fs.writeFileSync(path.join(work, 'gateway.toml'), `[server]
listen = "127.0.0.1:${port}"
admin_listen = "127.0.0.1:0"
public_url = "https://localhost:${port}"
tls_cert = "${repo}/certs-example/localhost.pem"
tls_key = "${repo}/certs-example/localhost-key.pem"
signing_key = "${repo}/certs-example/signing-key.pem"
[spool]
dir = "${work}/spool"
[forms]
dir = "${repo}/forms"
[mail]
transport = "file"
file_dir = "${mail}"
[delivery]
poll_interval_secs = 1
[routing]
triage_rules = "${repo}/config/triage.toml"
localities = "${repo}/config/localities.toml"
[limits]
min_fill_seconds = 0
submissions_per_minute = 100000
submission_burst = 100000
pages_per_minute = 100000
page_burst = 100000
global_submissions_per_second = 100000
global_pages_per_second = 100000
navigation_per_minute = 100000
navigation_burst = 100000
global_navigation_per_second = 100000
`);
  const route = (name, role, mailbox, view, recipient, extra = '') => `[[routes]]
name = "${name}"
role = "${role}"
mailbox = "${mailbox}"
view = "${view}"
recipients = ["${recipient}"]
${extra}`;
  fs.writeFileSync(path.join(work, 'routes.toml'), [
    route('police_intelligence', 'police_intelligence', 'intel@example.invalid', 'full', police, `officers = ["${officer}"]\n`),
    route('control_room', 'control_room', 'control-room@example.invalid', 'full', police),
    route('mace_city_of_york', 'mace', 'mace-york@example.invalid', 'restricted', mace, 'localities = ["CITY_OF_YORK"]\n'),
    route('escalation', 'escalation', 'duty-inspector@example.invalid', 'notice', police),
  ].join(''));
  const log = fs.openSync(path.join(work, 'gateway.log'), 'w');
  const child = spawn(bin, ['serve', '--config', path.join(work, 'gateway.toml')], { stdio: ['ignore', log, log] });
  const base = `https://localhost:${port}`;
  for (let i = 0; i < 150; i += 1) {
    if (child.exitCode !== null) break;
    const up = await fetchGateway(base, '/healthz').then((r) => r.status === 200, () => false);
    if (up) return { child, base, mail, keys };
    await wait(200);
  }
  child.kill();
  throw new Error(`the journey's gateway did not start: ${fs.readFileSync(path.join(work, 'gateway.log'), 'utf8').slice(-2000)}`);
}

const COMMUNITY = {
  'gate.immediate_danger': 'no', 'gate.crime_against_you': 'no', worry_type: ['PEOPLE_COMING_AND_GOING'],
  what_happened: 'Young people are going in and out of the flat at all hours and some look frightened.',
  places: [{ street_or_landmark: 'Flats behind the Co-op on Front Street', town: 'Acomb', postcode: 'yo24 3bz' }],
  when_known: 'ONGOING', when: '2026-10', how_know: 'SAW_OR_HEARD_MYSELF', risk_to_you: 'yes', contact_ok: 'no',
};

async function send(base, answers) {
  const r = await fetchGateway(base, '/api/v1/submissions', {
    method: 'POST', json: { form: 'community', answers, follow_up: true },
  });
  if (r.status !== 201) throw new Error(`a report was refused: ${r.status} ${r.text}`);
  const body = JSON.parse(r.text);
  return { reference: body.reference, code: body.follow_up_code };
}

// The emails to `to` once `count` have arrived, copied into `folder` (a folder of .eml files,
// one of the mailboxes the desk reads).
async function mailboxOf(mail, to, count, folder) {
  fs.mkdirSync(folder, { recursive: true });
  for (let i = 0; i < 300; i += 1) {
    const found = fs.existsSync(mail) ? fs.readdirSync(mail)
      .map((f) => path.join(mail, f))
      .filter((f) => fs.statSync(f).isFile() && new RegExp(`^To: ${to}\\r?$`, 'm').test(fs.readFileSync(f, 'latin1')))
      : [];
    if (found.length >= count) {
      found.forEach((f, n) => fs.copyFileSync(f, path.join(folder, `${n}.eml`)));
      return;
    }
    await wait(100);
  }
  throw new Error(`fewer than ${count} emails to ${to} arrived`);
}

// `desk init` from flags, then `desk`.
async function startDeskOn(bin, work, name, flags) {
  const file = path.join(work, `${name}.toml`);
  execFileSync(bin, ['desk', 'init', '--desk', file, ...flags], { stdio: 'pipe' });
  const child = spawn(bin, ['desk', '--desk', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const link = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no link from the desk: ${out}`)), 60_000);
    const look = (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+\/start\/[A-Za-z0-9_-]+/);
      if (m) { clearTimeout(timer); resolve(m[0]); }
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    child.on('exit', (code) => reject(new Error(`the desk exited (${code}): ${out}`)));
  });
  return { child, link, origin: new URL(link).origin };
}

// The first pass runs beside the server: the queue shows its progress until it ends.
async function openQueue(page, link) {
  await page.goto(link);
  for (let i = 0; i < 100 && (await page.locator('h1').textContent()) === 'Opening the mailbox'; i += 1) {
    await wait(100);
    await page.goto(new URL('/', link).href);
  }
}

// The result an action shows at the top of the page (or the page, when there is none).
async function flash(page) {
  if (!(await page.locator('#result').count())) {
    const main = (await page.locator('body').textContent()).replace(/\s+/g, ' ');
    throw new Error(`no result at ${page.url()}: ${main.slice(0, 400)}`);
  }
  return (await page.locator('#result').textContent()).trim();
}

async function officerJourney(page, ctx) {
  const { origin, immediate, routine, base, runAxe, shots, results, failures } = ctx;
  await check(results, failures, 'journey: the IMMEDIATE report is first in the queue', async () => {
    const first = (await page.locator('tbody tr th a').first().textContent()).trim();
    if (first !== immediate.reference) throw new Error(`first is ${first}, not ${immediate.reference}`);
    await axeClean(page, runAxe, 'the queue with new reports');
    await page.screenshot({ path: path.join(shots, 'desk-journey-queue.png'), fullPage: true });
  });
  await check(results, failures, 'journey: filters by locality, day and what is new; a bad day is named', async () => {
    const bad = await page.goto(`${origin}/?from=yesterday`);
    if (bad.status() !== 400) throw new Error(`HTTP ${bad.status()} for a day that cannot be read`);
    if (!(await page.locator('#from[aria-invalid="true"]').count())) throw new Error('the field is not marked');
    await axeClean(page, runAxe, 'the queue with a day that cannot be read');
    await page.goto(`${origin}/`);
    await page.locator('#locality').selectOption('CITY_OF_YORK');
    await page.locator('#fresh').check();
    await page.locator('form.filters button').click();
    await page.waitForURL(/fresh=yes/);
    const rows = await page.locator('tbody tr').count();
    if (rows !== 2) throw new Error(`${rows} new reports in the City of York, not 2`);
    await axeClean(page, runAxe, 'the queue filtered by locality and what is new');
    await page.setViewportSize(NARROW);
    await noSideways(page, 'the filtered queue');
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(`${origin}/`);
  });
  await check(results, failures, 'journey: acknowledged on the desk, the gateway records it', async () => {
    await page.locator('tbody tr th a').first().click();
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    const said = await flash(page);
    if (!said.includes('acknowledged: the gateway recorded it')) throw new Error(said);
    await page.goto(`${origin}/case/${immediate.reference}`);
    const text = await page.locator('main').textContent();
    if (!text.includes('Acknowledged (or its link has expired)')) throw new Error('the case does not show it acknowledged');
  });
  await check(results, failures, 'journey: a reply from the desk is read on /follow-up', async () => {
    await page.locator('#message').fill('Thank you. An officer is looking at this now.');
    await page.getByRole('button', { name: 'Send the reply' }).click();
    const said = await flash(page);
    if (!said.includes('Reply 1 stored')) throw new Error(said);
    const submitter = await page.context().browser().newPage({ ignoreHTTPSErrors: true });
    try {
      await submitter.goto(`${base}/follow-up`);
      await submitter.locator('#code').fill(immediate.code);
      await submitter.locator('button[name="_action"][value="open"]').first().click();
      const body = await submitter.locator('main').textContent();
      if (!body.includes('An officer is looking at this now.')) throw new Error('the submitter does not see the reply');
    } finally {
      await submitter.close();
    }
  });
  await check(results, failures, 'journey: a grade recorded with the 3x5x2 form', async () => {
    await page.goto(`${origin}/case/${routine.reference}`);
    await axeClean(page, runAxe, 'a case with its actions');
    await page.screenshot({ path: path.join(shots, 'desk-journey-case.png'), fullPage: true });
    await page.locator('#source-2').check();
    await page.getByRole('button', { name: 'Record the grade' }).click();
    const said = await flash(page);
    if (!said.includes('Recorded: graded.')) throw new Error(said);
  });
  await shareJourney(page, ctx);
}

async function shareJourney(page, { origin, routine, runAxe, shots, results, failures }) {
  await check(results, failures, 'journey: the share page shows what is taken out and kept', async () => {
    await page.getByRole('link', { name: 'Choose what to share' }).click();
    await axeClean(page, runAxe, 'the share page');
    await page.locator('#more').fill('places[0].postcode');
    await page.getByRole('button', { name: 'Show what will be shared' }).click();
    const removed = await page.locator('ul.removed').textContent();
    if (!removed.includes('places[0].postcode')) throw new Error(`taken out: ${removed}`);
    const kept = await page.locator('pre.kept').textContent();
    if (!kept.includes('Young people are going') || /YO24 3BZ/i.test(kept)) throw new Error('what is kept is wrong');
    await axeClean(page, runAxe, 'the share preview');
    await page.screenshot({ path: path.join(shots, 'desk-share.png'), fullPage: true });
    await page.setViewportSize(NARROW);
    await noSideways(page, 'the share preview');
    await page.setViewportSize({ width: 1024, height: 768 });
  });
  await check(results, failures, 'journey: shared with MACE from the desk', async () => {
    await page.getByRole('button', { name: 'Send this to mace_city_of_york' }).click();
    const said = await flash(page);
    if (!said.includes('Shared with mace_city_of_york')) throw new Error(said);
    if (page.url() !== `${origin}/case/${routine.reference}#result`) throw new Error(page.url());
  });
}

async function maceJourney(browser, ctx) {
  const { bin, work, gw, routine, immediate, runAxe, desktop, results, failures } = ctx;
  let mace;
  await check(results, failures, "journey: the MACE coordinator's desk lists the restricted view only", async () => {
    await mailboxOf(gw.mail, 'mace-york@example.invalid', 1, path.join(work, 'mace-mail'));
    const signing = path.join(work, 'signing-keys.json');
    mace = await startDeskOn(bin, work, 'mace-desk', [
      '--gateway', gw.base, '--ca', CA, '--identity', gw.keys.mace, '--mace-locality', 'CITY_OF_YORK',
      '--signing-keys', signing, '--mailbox', path.join(work, 'mace-mail'),
    ]);
    const context = await browser.newContext({ viewport: desktop, bypassCSP: true });
    const page = await context.newPage();
    try {
      await openQueue(page, mace.link);
      const h1 = (await page.locator('h1').textContent()).trim();
      if (h1 !== "Your localities' items") throw new Error(`heading ${h1}`);
      const rows = (await page.locator('tbody tr th a').allTextContents()).map((t) => t.trim());
      if (rows.join() !== routine.reference || rows.includes(immediate.reference)) throw new Error(`rows ${rows}`);
      await axeClean(page, runAxe, "the MACE coordinator's queue");
      await page.locator('tbody tr th a').first().click();
      const main = await page.locator('main').textContent();
      if (/Reply to the submitter|Record a workflow step|Share with MACE/.test(main)) throw new Error('an officer action is offered');
      if (!main.includes('Confirm receipt')) throw new Error('no way to confirm receipt');
      await axeClean(page, runAxe, "a MACE coordinator's case");
      await page.setViewportSize(NARROW);
      await noSideways(page, "a MACE coordinator's case");
      await page.setViewportSize(desktop);
      await page.getByRole('button', { name: 'Confirm receipt' }).click();
      const said = await flash(page);
      if (!said.includes('confirmed: the gateway recorded it')) throw new Error(said);
      await page.getByRole('link', { name: 'Read the report' }).click();
      const report = await page.locator('body').textContent();
      if (/YO24 3BZ/i.test(report)) throw new Error('the restricted view holds the postcode taken out');
    } finally {
      await context.close();
    }
  });
  mace?.child.kill();
}

// The journey against a gateway of its own (see the top of this file).
async function runJourney(browser, { bin, runAxe, shots, desktop, failures, results }) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pisg-desk-journey-'));
  let gw;
  let desk;
  try {
    gw = await startGateway(bin, work);
    const routine = await send(gw.base, COMMUNITY);
    const immediate = await send(gw.base, { ...COMMUNITY, 'gate.immediate_danger': 'yes' });
    await mailboxOf(gw.mail, 'intel@example.invalid', 2, path.join(work, 'intel-mail'));
    const signing = path.join(work, 'signing-keys.json');
    fs.writeFileSync(signing, (await fetchGateway(gw.base, '/.well-known/pis-gateway/signing-keys')).text);
    desk = await startDeskOn(bin, work, 'desk', [
      '--gateway', gw.base, '--ca', CA, '--identity', gw.keys.police, '--officer-key', gw.keys.officer,
      '--signing-keys', signing, '--mailbox', path.join(work, 'intel-mail'),
    ]);
    const context = await browser.newContext({ viewport: desktop, bypassCSP: true });
    const page = await context.newPage();
    await openQueue(page, desk.link);
    const ctx = {
      bin, work, gw, base: gw.base, origin: desk.origin, routine, immediate, runAxe, shots, desktop, results, failures,
    };
    await officerJourney(page, ctx);
    await context.close();
    await maceJourney(browser, ctx);
  } catch (e) {
    failures.push(`desk journey: could not run: ${e.message.split('\n')[0]}`);
  } finally {
    desk?.child.kill();
    gw?.child.kill();
    fs.rmSync(work, { recursive: true, force: true });
  }
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
  await runJourney(browser, { bin, runAxe, shots, desktop, failures, results });
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
