// Browser tests for the gateway's HTML pages, run by tests/browser/run.sh against a running
// gateway. Headless Debian Chromium through playwright-core (never a downloaded browser).
//
//   * every page and state below: axe-core (WCAG 2.0/2.1 A and AA, 2.2 AA), a full-page
//     screenshot at 1024 px and at 320 px, and no horizontal scrolling at 320 px;
//   * a keyboard-only journey through the community form (page.keyboard only);
//   * both forms with JavaScript switched off (ordinary fill/check/click);
//   * Enter in a text box moves the form on (the default button is not Back or Add another);
//   * every public page in Welsh and Arabic: the same audit, lang and dir, and on right-to-left
//     pages the back link and the error summary on the right.
//
// Everything that depends on the templates and the form flow is data in the first part of this
// file: selectors, answers, pages and the step functions that reach each state. The journeys
// walk a form generically: on each page fill whichever answers have a control there, press
// Continue, and stop at the confirmation (a reference), through one page per section and the
// "Check your answers" page.
//
// Environment (set by run.sh): PISG_BROWSER_BASE_URL, PISG_BROWSER_MAIL_DIR (the file mail
// transport's folder, for acknowledgement links), PISG_BROWSER_OUT (default target/browser),
// CHROMIUM (default /usr/bin/chromium).

import { chromium } from 'playwright-core';
import fs from 'node:fs';
import zlib from 'node:zlib';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { runMapChecks } from './map.mjs';
import { runDeskChecks } from './desk.mjs';
import { startStyles, compareStartStyles } from './start-styles.mjs';

// ---------------------------------------------------------------------------------------------
// Selectors and markers: change these when the templates change.
// ---------------------------------------------------------------------------------------------

const SELECTORS = {
  // The confirmation page's reference number.
  reference: '.reference',
  // "There is a problem" at the top of a page with errors.
  errorSummary: '.govuk-error-summary',
  // One section per page, each with a Continue button.
  continueButton: 'button[name="_action"][value="continue"]',
  // The button that sends the report: "Send report" on Check your answers.
  submitButton: 'button[name="_action"][value="submit"]',
  // Check your answers: one Change button per section.
  changeButton: 'button[name="_action"][value^="change:"]',
  // Any other button that moves the form on.
  // "Add another", "Remove", "Change" (a section, or an entry of a list) and "Back" are never
  // pressed by the journeys.
  anyForwardButton:
    'main form button:not([type="button"]):not([type="reset"]):not([value^="add:"]):not([value^="remove:"]):not([value^="change:"]):not([value^="edit:"]):not([value="back"])',
  // The acknowledgement page's button.
  ackButton: 'main form[action^="/ack/"] button',
  downloadButton: 'main form[action^="/files/"] button',
};
// The reference itself, wherever the selector finds it.
const REFERENCE_PATTERN = /PIS-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}/;
// The heading of the "Call 999" interruption page.
const INTERRUPTION_HEADING = /999/;
// The heading of the question asked when what someone wrote describes danger the gate did not.
const NARRATIVE_CHECK_HEADING = /^\s*Is anyone in danger now\?\s*$/;
// Words that describe danger tonight, in each form's main narrative box.
const DANGER_IN_WORDS = {
  community: { what_happened: 'An older man is collecting her from the home tonight at 9pm to take her to a hotel.' },
  professional: { details: 'An older man is collecting her from the home tonight at 9pm to take her to a hotel.' },
};
// The acknowledgement link in an email: {server.public_url}/ack/{43 URL-safe base64 characters}.
const ACK_LINK = /https:\/\/[^\s"'<>]+\/ack\/([A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/g;
// Evidence download links: run.sh sets mail.max_attachment_bytes so low that every file is one.
const FILE_LINK = /https:\/\/[^\s"'<>]+\/files\/([A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/g;

// ---------------------------------------------------------------------------------------------
// Answers, per form. Keys are the controls' `name`s: field ids; group items as
// `people[0].name`; dates as `{ day, month, year }` (the boxes `when-day`, `when-month`,
// `when-year`); checkboxes as arrays of option values; radios as the option value (yes_no:
// `yes`, `no`, `not_sure`). A key with no control on the current page is skipped; keys never
// found on any page are listed in the report.
// ---------------------------------------------------------------------------------------------

function dateAgo(days, parts = ['day', 'month', 'year']) {
  // The UK date `days` ago; dates may not be in the future.
  const d = new Date(Date.now() - days * 86_400_000);
  const [y, m, dd] = d.toLocaleDateString('en-CA', { timeZone: 'Europe/London' }).split('-');
  const all = { day: String(Number(dd)), month: String(Number(m)), year: y };
  return Object.fromEntries(parts.map((p) => [p, all[p]]));
}

const ANSWERS = {
  community: {
    'gate.immediate_danger': 'no',
    'urgency.now': ['NONE'],
    'gate.crime_against_you': 'no',
    worry_type: ['ADULTS_AROUND_CHILDREN'],
    what_happened: 'Children are collected from the flat by a taxi late at night, most weekends.',
    when_known: 'ONGOING',
    when: dateAgo(60, ['month', 'year']),
    how_often: 'REGULARLY',
    'places[0].street_or_landmark': 'Flats above the takeaway',
    'places[0].postcode': 'YO24 3BZ',
    how_know: 'SAW_OR_HEARD_MYSELF',
    risk_to_you: 'no',
    contact_ok: 'no',
  },
  professional: {
    'gate.immediate_danger': 'no',
    'urgency.now': ['NONE'],
    'gate.specific_child': 'no',
    'submitter.full_name': 'Sam Example',
    'submitter.job_title': 'Youth worker',
    'submitter.organisation': 'Example Youth Service',
    'submitter.agency_type': 'EDUCATION_SCHOOL',
    'submitter.work_email': 'sam.example@example.org',
    'submitter.phone': '01904 123456',
    'submitter.can_contact': 'yes',
    concern_categories: ['CCE'],
    summary: 'Children collected by adults in a taxi',
    details: 'Two pupils say they are picked up by older men in a taxi after school and given cash.',
    event_date_known: 'NOT_KNOWN',
    date_learned: dateAgo(7),
    'provenance.how_known': 'SAW_OR_HEARD_MYSELF',
    'source_protection.source_aware_of_sharing': 'yes',
    'source_protection.source_identifiable': 'no',
    'source_protection.risk_to_source_or_you': 'no',
    'locations[0].location_type': 'TAKEAWAY_FOOD_OUTLET',
    'locations[0].postcode': 'YO11 1AB',
    reported_elsewhere: ['NONE'],
    declaration: ['CONFIRMED'],
  },
};

// When no email holds an unused acknowledgement link and the HTML form cannot be sent, the ack
// steps send this through the JSON API instead (so the ack pages are still checked).
function apiSubmission() {
  const { month, year } = dateAgo(60, ['month', 'year']);
  return {
    form: 'community',
    answers: {
      'gate.immediate_danger': 'no',
      'gate.crime_against_you': 'no',
      what_happened: 'Children are collected from the flat by a taxi late at night, most weekends.',
      places: [{ street_or_landmark: 'Flats above the takeaway', postcode: 'YO24 3BZ' }],
      when_known: 'ONGOING',
      when: `${year}-${month.padStart(2, '0')}`,
      how_know: 'SAW_OR_HEARD_MYSELF',
      risk_to_you: 'no',
      contact_ok: 'no',
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Pages and states to check. `states` maps a state name (normal, error, ...) to a step function
// that takes a fresh page and brings it into that state (navigating, filling, pressing buttons).
// A step throws to fail, or throws `new Skip(reason)` when the state does not exist in this flow.
// `journey: '<form>'` audits every page a walk through that form passes.
// ---------------------------------------------------------------------------------------------

const PAGES = [
  { name: 'home', path: '/', states: { normal: (p) => open(p, '/') } },
  { name: 'accessibility', path: '/accessibility', states: { normal: (p) => open(p, '/accessibility') } },
  { name: 'privacy', path: '/privacy', states: { normal: (p) => open(p, '/privacy') } },
  { name: 'hide-your-visit', path: '/hide-your-visit', states: { normal: (p) => open(p, '/hide-your-visit') } },
  { name: 'not-found', path: '/no-such-page', states: { normal: (p) => open(p, '/no-such-page', 404) } },
  ...['community', 'professional'].flatMap((form) => [
    {
      name: `${form}-start`,
      path: `/forms/${form}`,
      states: { normal: (p) => toFormStart(p, form), error: (p) => toGateErrors(p, form) },
    },
    { name: `${form}-999`, path: `/forms/${form}/call-999`, states: { normal: (p) => toInterruption(p, form) } },
    {
      name: `${form}-after-gate`,
      path: `/forms/${form}/<second section>`,
      states: { normal: (p) => toAfterGate(p, form), error: (p) => toAfterGateErrors(p, form) },
    },
    {
      name: `${form}-danger-in-words`,
      path: `/forms/${form}/<section>/danger-now`,
      states: {
        normal: (p) => toNarrativeCheck(p, form),
        error: (p) => toNarrativeCheckErrors(p, form),
        answered: (p) => toNarrativeAnswered(p, form),
      },
    },
    {
      name: `${form}-check-answers`,
      path: `/forms/${form}/check`,
      states: { normal: (p) => toCheckAnswers(p, form), 'file-error': (p) => toCheckAnswersFileError(p, form) },
    },
    { name: `${form}-confirmation`, path: `/forms/${form}/confirmation`, states: { normal: (p) => toConfirmation(p, form) } },
  ]),
  {
    name: 'ack',
    path: '/ack/<token>',
    states: { normal: (p) => toAck(p), done: (p) => toAckDone(p), error: (p) => toAckUsed(p) },
  },
  {
    name: 'download',
    path: '/files/<token>',
    states: { normal: (p) => toDownload(p), error: (p) => toDownloadUsed(p) },
  },
  {
    name: 'follow-up',
    path: '/follow-up',
    states: {
      normal: (p) => open(p, '/follow-up'),
      error: (p) => toFollowUpUnknownCode(p),
      thread: (p) => toFollowUpThread(p),
      'thread-error': (p) => toFollowUpAddendumError(p),
      'file-error': (p) => toFollowUpFileError(p),
      sent: (p) => toFollowUpSent(p),
    },
  },
  {
    name: 'community-list',
    path: '/forms/community/<places section> (two places: one summarised, one open)',
    states: { normal: (p) => toListPage(p) },
  },
  {
    name: 'community-contact',
    path: '/forms/community/<contact section> (Can we contact you?)',
    states: { normal: (p) => toContactPage(p), 'yes-revealed': (p) => toContactYes(p) },
  },
  // The professional form's task list, straight from its first page and part-way through; and
  // the copy of a sent report that the sender prints.
  {
    name: 'professional-tasks',
    path: '/forms/professional/tasks',
    states: { normal: (p) => toTasks(p, 0), 'in-progress': (p) => toTasks(p, 2) },
  },
  { name: 'professional-copy', path: '/forms/professional/copy', states: { normal: (p) => toCopy(p) } },
  // Every page on the way through each form: every section, check your answers, confirmation.
  { name: 'community-journey', path: `/forms/community …`, journey: 'community' },
  { name: 'professional-journey', path: `/forms/professional …`, journey: 'professional' },
];

// Journeys: the keyboard-only one (JavaScript on, the gateway's CSP in force), the
// JavaScript-off ones, and Enter in a text box. `run` gets a fresh page and returns what
// walkForm returns; `reference: true` requires a reference at the end.
const JOURNEYS = [
  {
    name: 'community, keyboard only',
    javaScript: true,
    reference: true,
    run: (p) => walkForm(p, 'community', { mode: 'keyboard' }),
  },
  {
    name: 'community, JavaScript off',
    javaScript: false,
    reference: true,
    run: (p) => walkForm(p, 'community', { mode: 'mouse' }),
  },
  {
    name: 'professional, JavaScript off',
    javaScript: false,
    reference: true,
    run: (p) => walkForm(p, 'professional', { mode: 'mouse' }),
  },
  {
    name: 'professional, JavaScript off, a photo added on Check your answers',
    javaScript: false,
    reference: true,
    run: (p) => uploadJourney(p, 'professional'),
  },
  {
    name: 'professional, save and come back later: the emailed link restores the answers in another browser',
    javaScript: true,
    reference: false,
    run: (p) => saveAndComeBack(p),
  },
  {
    name: 'professional, JavaScript off, the printed copy carries the reference on every page',
    javaScript: false,
    reference: true,
    run: (p) => printedCopy(p),
  },
  {
    name: 'community, the scripts: live character count, Shift ×3 exits',
    javaScript: true,
    reference: false,
    run: (p) => scriptsWork(p, 'community'),
  },
  {
    name: 'community, contact fields revealed only under "Yes, you can contact me"',
    javaScript: true,
    reference: false,
    run: (p) => revealWithScript(p),
  },
  {
    name: 'community, JavaScript off: contact fields in view with their labels',
    javaScript: false,
    reference: false,
    run: (p) => revealWithoutScript(p),
  },
  {
    name: 'community, confirmation: "Copy code" copies the follow-up code',
    javaScript: true,
    reference: true,
    run: (p) => copyButton(p, true),
  },
  {
    name: 'community, JavaScript off: no "Copy code" button, the code still shown',
    javaScript: false,
    reference: true,
    run: (p) => copyButton(p, false),
  },
  {
    name: 'start page and header: "Check for a reply to a report" opens /follow-up',
    javaScript: true,
    reference: false,
    run: (p) => wayBack(p),
  },
  {
    name: 'community, Exit then Back ×4 shows nothing typed (JavaScript on)',
    javaScript: true,
    reference: false,
    run: (p) => exitThenBack(p, true),
  },
  {
    name: 'community, Exit then Back ×4 shows nothing typed (JavaScript off)',
    javaScript: false,
    reference: false,
    run: (p) => exitThenBack(p, false),
  },
  {
    name: 'community, Back and Forward through every step: no error page, answers kept (JavaScript on)',
    javaScript: true,
    reference: false,
    run: (p) => backAndForward(p),
  },
  {
    name: 'community, Back and Forward through every step: no error page, answers kept (JavaScript off)',
    javaScript: false,
    reference: false,
    run: (p) => backAndForward(p),
  },
  {
    name: 'professional, Back and Forward through every step: no error page, answers kept (JavaScript on)',
    javaScript: true,
    reference: false,
    run: (p) => backAndForward(p, 'professional'),
  },
  {
    name: 'professional, Back and Forward across the task list: no error page, answers kept (JavaScript on)',
    javaScript: true,
    reference: false,
    run: (p) => backAndForwardTasks(p),
  },
  {
    name: 'professional, Back and Forward across the task list: no error page, answers kept (JavaScript off)',
    javaScript: false,
    reference: false,
    run: (p) => backAndForwardTasks(p),
  },
  {
    name: 'professional, danger now at the gate: after the task list, the Call 999 page again before Send (JavaScript off)',
    javaScript: false,
    reference: true,
    run: (p) => callNowAgainAfterTasks(p),
  },
  {
    name: 'professional, Back and Forward through every step: no error page, answers kept (JavaScript off)',
    javaScript: false,
    reference: false,
    run: (p) => backAndForward(p, 'professional'),
  },
  {
    name: 'community, follow-up: a photo added to the report arrives, a page of markup is refused (JavaScript off)',
    javaScript: false,
    reference: false,
    run: (p) => followUpUpload(p),
  },
  {
    name: 'community, "Add another", "Change" and "Remove" land on the entry changed, focus on its first box; the others summarised; Back and Forward over them',
    javaScript: true,
    reference: false,
    run: (p) => addAnotherLands(p, true),
  },
  {
    name: 'community, JavaScript off: "Add another", "Change" and "Remove" land on the entry changed; the others summarised; Back and Forward over them',
    javaScript: false,
    reference: false,
    run: (p) => addAnotherLands(p, false),
  },
  {
    name: 'community, danger written with doubt: asked on the page written (JavaScript on)',
    javaScript: true,
    reference: false,
    run: (p) => possibleDangerAsked(p),
  },
  {
    name: 'community, danger written with doubt: asked on the page written (JavaScript off)',
    javaScript: false,
    reference: false,
    run: (p) => possibleDangerAsked(p),
  },
  {
    name: 'community, Enter in a text box moves on (not Back)',
    javaScript: true,
    reference: false,
    run: (p) => enterInTextBox(p, 'community'),
  },
];

const AXE_OPTIONS = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
  resultTypes: ['violations'],
};
const DESKTOP = { width: 1024, height: 768 };
const NARROW = { width: 320, height: 640 };
const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const MAX_FORM_STEPS = 30;
const MAX_TABS = 200;

// ---------------------------------------------------------------------------------------------
// Step functions: how each state is reached.
// ---------------------------------------------------------------------------------------------

class Skip extends Error {}

async function open(page, urlPath, expectStatus = 200) {
  const response = await page.goto(BASE + urlPath, { waitUntil: 'load' });
  const status = response ? response.status() : 0;
  if (status !== expectStatus) throw new Error(`GET ${urlPath}: HTTP ${status}, expected ${expectStatus}`);
  return response;
}

async function toFormStart(page, form) {
  await open(page, `/forms/${form}`);
}

// The first page sent with nothing answered.
async function toGateErrors(page, form) {
  await toFormStart(page, form);
  await pressForward(page, 'mouse');
  await expectKind(page, 'errors');
}

// "Yes" to immediate danger: the Call 999 page.
async function toInterruption(page, form) {
  await toFormStart(page, form);
  await fillPresent(page, { ...ANSWERS[form], 'gate.immediate_danger': 'yes' }, 'mouse');
  await pressForward(page, 'mouse');
  await expectKind(page, 'interruption');
}

// The page after the gate questions: the form's second section.
async function toAfterGate(page, form) {
  await toFormStart(page, form);
  await fillPresent(page, ANSWERS[form], 'mouse');
  await pressForward(page, 'mouse');
  await expectKind(page, 'form');
}

// That page sent with nothing more answered.
async function toAfterGateErrors(page, form) {
  await toAfterGate(page, form);
  await pressForward(page, 'mouse');
  await expectKind(page, 'errors');
}

// With JavaScript, GOV.UK Frontend's components run from the gateway's own app.js: the
// character count counts down as someone types, and three presses of Shift leave for the
// neutral site (whose request the hermetic context aborts, which is enough to see it asked for).
async function scriptsWork(page, form) {
  await toAfterGate(page, form);
  const supported = await page.evaluate(() => document.body.classList.contains('govuk-frontend-supported'));
  if (!supported) throw new Error('app.js did not run: body lacks govuk-frontend-supported');
  const textarea = page.locator('textarea.govuk-js-character-count').first();
  await textarea.focus();
  await page.keyboard.type('Twelve chars');
  const status = page.locator('.govuk-character-count__status').first();
  await status.waitFor({ state: 'visible', timeout: 3000 });
  const shown = (await status.textContent()).trim();
  const max = Number(await page.locator('.govuk-character-count').first().getAttribute('data-maxlength'));
  if (!shown.includes((max - 12).toLocaleString('en-GB'))) throw new Error(`character count says "${shown}", expected ${max - 12} remaining`);
  const exit = page.waitForRequest((r) => new URL(r.url()).host === 'www.bbc.co.uk', { timeout: 5000 });
  await page.locator('h1').click();
  for (let i = 0; i < 3; i += 1) await page.keyboard.press('Shift');
  await exit;
  return { trail: [`count: "${shown}"`, 'Shift ×3 → www.bbc.co.uk'] };
}

// The gate answered "No", then words that say tonight: the question with the 999 guidance,
// asked when the page where the words were written is sent (its URL is that page's
// /danger-now), with a "Call 999 now" link styled as a button.
async function toNarrativeCheck(page, form) {
  const answers = { ...ANSWERS[form], ...DANGER_IN_WORDS[form] };
  const walk = await walkForm(page, form, { mode: 'mouse', answers, stopAt: (kind) => kind === 'narrative-check' });
  if (!walk.stopped) throw new Error('danger in the words reached the end without the question being asked');
  const noticed = (await page.locator('main li').allTextContents()).join(' ');
  if (!/next 24 hours/.test(noticed)) throw new Error(`the page does not say what was noticed: ${noticed}`);
  if (/hotel/.test(await page.locator('main').innerText())) throw new Error('the page repeats what was written');
  if (!new URL(page.url()).pathname.endsWith('/danger-now')) throw new Error(`asked at ${page.url()}, not on the page written`);
  const call = page.locator('main a.govuk-button[href="tel:999"]');
  if (!/Call 999 now/.test((await call.first().textContent().catch(() => '')) || '')) throw new Error('no "Call 999 now" button');
}

// Danger now written with doubt ("maybe … right now"): possible danger now, asked the same
// way on the page where it was written; "Not sure" carries the journey on (and makes the
// report IMMEDIATE, as the gate's "Not sure" does).
async function possibleDangerAsked(page) {
  const answers = { ...ANSWERS.community, what_happened: 'Maybe she is in the car with those men right now, I cannot tell.' };
  const walk = await walkForm(page, 'community', { mode: 'mouse', answers, stopAt: (kind) => kind === 'narrative-check' });
  if (!walk.stopped) throw new Error('danger written with doubt reached the end without the question being asked');
  const asked = new URL(page.url()).pathname;
  if (!asked.endsWith('/danger-now')) throw new Error(`asked at ${page.url()}, not on the page written`);
  const call = page.locator('main a.govuk-button[href="tel:999"]');
  if (!/Call 999 now/.test((await call.first().textContent().catch(() => '')) || '')) throw new Error('no "Call 999 now" button');
  await fillPresent(page, { 'gate.narrative_check': 'not_sure' }, 'mouse');
  await pressForward(page, 'mouse');
  await expectKind(page, 'form');
  if (new URL(page.url()).pathname === asked) throw new Error('the question was asked again');
  return { trail: [`${asked}`, '"Not sure"', new URL(page.url()).pathname] };
}

// Continue with no answer: the error summary, on the same question.
async function toNarrativeCheckErrors(page, form) {
  await toNarrativeCheck(page, form);
  await pressForward(page, 'mouse');
  await expectKind(page, 'errors');
  const h1 = await page.locator('h1').first().textContent();
  if (!NARRATIVE_CHECK_HEADING.test(h1)) throw new Error(`expected the question again, got "${h1}"`);
}

// Answered "No": the journey carries on with the page after the one the words were on.
async function toNarrativeAnswered(page, form) {
  await toNarrativeCheck(page, form);
  const asked = new URL(page.url()).pathname;
  await fillPresent(page, { 'gate.narrative_check': 'no' }, 'keyboard');
  await pressForward(page, 'keyboard');
  await expectKind(page, 'form');
  if (new URL(page.url()).pathname === asked) throw new Error('the question was asked again');
}

// The walk stops at the page with Change buttons.
async function toCheckAnswers(page, form) {
  const walk = await walkForm(page, form, { mode: 'mouse', stopAt: (kind) => kind === 'check-answers' });
  if (!walk.stopped) throw new Error('the form reached its end without a Check your answers page');
}

// Evidence files: the upload on Check your answers (a real PNG made here, with a text chunk the
// gateway must strip), and markup dressed as a photo, which is refused with the error summary.
const FILE_INPUT = 'input[type="file"][name="attachments"]';

function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function pngBytes() {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const [w, h] = [8, 6];
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = [];
  for (let y = 0; y < h; y++) {
    rows.push(0); // no filter
    for (let x = 0; x < w; x++) rows.push(x * 30, y * 40, 128);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('tEXt', Buffer.from('Comment\0BROWSER-CANARY', 'latin1')),
    chunk('IDAT', zlib.deflateSync(Buffer.from(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function toCheckAnswersFileError(page, form) {
  await toCheckAnswers(page, form);
  await page.setInputFiles(FILE_INPUT, {
    name: 'evidence.jpg',
    mimeType: 'image/jpeg',
    buffer: Buffer.from('<!DOCTYPE html><script>alert(1)</script>'),
  });
  await navigation(page, () => page.locator(SELECTORS.submitButton).click());
  if ((await page.locator(SELECTORS.errorSummary).count()) === 0) {
    throw new Error(`a file that is not an image was not refused: ${await describePage(page)}`);
  }
  if ((await page.locator(FILE_INPUT).count()) === 0) throw new Error('the upload is not offered again');
}

// The whole journey with JavaScript off, a photo chosen on Check your answers; the email for
// the reference must then carry it as <reference>-1.age.
async function uploadJourney(page, form) {
  let chosen = false;
  const walk = await walkForm(page, form, {
    mode: 'mouse',
    onPage: async (p, _step, kind) => {
      if (kind !== 'check-answers') return;
      await p.setInputFiles(FILE_INPUT, { name: 'IMG_0001.png', mimeType: 'image/png', buffer: pngBytes() });
      chosen = true;
    },
  });
  if (!chosen) throw new Error('no Check your answers page offered the upload');
  if (!walk.reference) return walk;
  const attachment = `${walk.reference}-1.age`;
  // The outbox writes the email soon after the commit: look for it for a few seconds.
  for (let i = 0; i < 100; i++) {
    const mails = !MAIL_DIR || !fs.existsSync(MAIL_DIR)
      ? []
      : fs
          .readdirSync(MAIL_DIR)
          .map((f) => path.join(MAIL_DIR, f))
          .filter((f) => fs.statSync(f).isFile())
          .map((f) => fs.readFileSync(f, 'utf8'));
    const mail = mails.find((m) => m.includes(attachment));
    if (mail) {
      if (mail.includes('IMG_0001') || mail.includes('BROWSER-CANARY')) {
        throw new Error('the file name or its metadata reached the email');
      }
      return walk;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no email carries ${attachment}`);
}

async function toConfirmation(page, form) {
  await walkForm(page, form, { mode: 'mouse' });
}

// "Save and view all sections" after `pages` pages of the professional form are done.
async function toTasks(page, pages) {
  await toFormStart(page, 'professional');
  for (let i = 0; i < pages; i++) {
    await fillPresent(page, ANSWERS.professional, 'mouse');
    await pressForward(page, 'mouse');
  }
  await navigation(page, () => page.locator('button[name="_action"][value="tasks"]').click());
  if (!page.url().endsWith('/forms/professional/tasks')) throw new Error(`not the task list: ${await describePage(page)}`);
}

// The confirmation's "Print or save a copy".
async function toCopy(page) {
  await walkForm(page, 'professional', { mode: 'mouse' });
  await navigation(page, () => page.locator('a[href="/forms/professional/copy"]').click());
  if (!page.url().endsWith('/forms/professional/copy')) throw new Error(`not the copy: ${await describePage(page)}`);
}

// /follow-up: a code that matches nothing; a code from a community report just sent (the
// confirmation page shows it once); what the submitter adds, empty and then sent.
async function enterFollowUpCode(page, code) {
  await open(page, '/follow-up');
  await page.fill('#code', code);
  const response = await navigation(page, () => page.locator('button[name="_action"][value="open"]').click());
  if (response?.status() !== 200) throw new Error(`entering a follow-up code: HTTP ${response?.status()}`);
}

async function toFollowUpUnknownCode(page) {
  await enterFollowUpCode(page, 'ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ');
  if ((await page.locator(SELECTORS.errorSummary).count()) === 0) throw new Error('no error summary for an unknown code');
}

async function toFollowUpThread(page) {
  await walkForm(page, 'community', { mode: 'mouse' });
  const code = (await page.locator('#follow-up-code').textContent())?.trim();
  if (!code) throw new Error('the confirmation page shows no follow-up code');
  await enterFollowUpCode(page, code);
  if ((await page.locator('#addendum').count()) === 0) throw new Error('no thread page for the code');
}

async function toFollowUpAddendumError(page) {
  await toFollowUpThread(page);
  await navigation(page, () => page.locator('button[name="_action"][value="add"]').click());
  if ((await page.locator(SELECTORS.errorSummary).count()) === 0) throw new Error('no error for an empty addendum');
}

async function toFollowUpFileError(page) {
  await toFollowUpThread(page);
  await page.setInputFiles('#attachments', { name: 'evidence.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>') });
  await navigation(page, () => page.locator('button[name="_action"][value="add"]').click());
  if ((await page.locator('.govuk-error-summary a[href="#attachments"]').count()) === 0) throw new Error('no error for a file that is not an image');
}

// The places page with two places: the first summarised with Change and Remove, the second open.
async function toListPage(page) {
  let here = false;
  await walkForm(page, 'community', {
    mode: 'mouse',
    onPage: async (p) => {
      here = (await p.locator('button[value="add:places"]').count()) > 0;
    },
    stopAt: () => here,
  });
  if (!here) throw new Error('no page offers "Add another place"');
  await fillPresent(page, ANSWERS.community, 'mouse');
  await navigation(page, () => page.locator('button[value="add:places"]').click());
  if ((await page.locator('button[value="edit:places:0"]').count()) === 0) throw new Error('the first place is not summarised');
}

async function toFollowUpSent(page) {
  await toFollowUpThread(page);
  await page.fill('#addendum', 'It is the flat above the shop, the blue door.');
  await navigation(page, () => page.locator('button[name="_action"][value="add"]').click());
  if ((await page.locator('.govuk-notification-banner--success').count()) === 0) throw new Error('no confirmation that it was sent');
}

// Acknowledgement links come from the emails the file transport writes; each step takes an
// unused one, sending a community report first when there is none.
async function toAck(page) {
  const token = await freshAckToken(page);
  await open(page, `/ack/${token}`);
  if ((await page.locator(SELECTORS.ackButton).count()) === 0) throw new Error('no Acknowledge button');
}

async function toAckDone(page) {
  await toAck(page);
  const response = await navigation(page, () => page.locator(SELECTORS.ackButton).first().click());
  if (response?.status() !== 200) throw new Error(`acknowledging: HTTP ${response?.status()}`);
}

// A link used once already: the "cannot be used" page (404).
async function toAckUsed(page) {
  await toAckDone(page);
  await open(page, new URL(page.url()).pathname, 404);
}

// A download link's page: a report with a photo is sent through the JSON API, and the link
// comes from its email.
async function toDownload(page) {
  const token = await freshFileToken(page);
  await open(page, `/files/${token}`);
  if ((await page.locator(SELECTORS.downloadButton).count()) === 0) throw new Error('no Download button');
  return token;
}

// Downloaded once (the sealed file, never an image), then the link again: "cannot be used" (404).
async function toDownloadUsed(page) {
  const token = await toDownload(page);
  const response = await page.request.post(`${BASE}/files/${token}`);
  const body = await response.body();
  if (response.status() !== 200 || !body.subarray(0, 21).equals(Buffer.from('age-encryption.org/v1'))) {
    throw new Error(`downloading: HTTP ${response.status()}, not an age file`);
  }
  await open(page, `/files/${token}`, 404);
}

// On the page after the gate questions, Enter in the first text box (implicit submission presses
// the form's first submit button in document order): it must not go Back, add, remove or change.
// The community form's contact page ("Can we contact you?"), reached by walking the form.
const CONTACT_HEADING = /^\s*Can we contact you\?\s*$/;
const CONTACT_FIELDS = ['contact.name', 'contact.phone', 'contact.email', 'contact.safe_times'];

async function toContactPage(page) {
  let here = false;
  const walk = await walkForm(page, 'community', {
    mode: 'mouse',
    onPage: async (p) => {
      here = CONTACT_HEADING.test((await p.locator('h1').first().textContent().catch(() => '')) || '');
    },
    stopAt: () => here,
  });
  if (!walk.stopped) throw new Error('the community form ended without a "Can we contact you?" page');
}

async function visibleContactFields(page) {
  const shown = [];
  for (const name of CONTACT_FIELDS) {
    if (await page.locator(`[name="${name}"]`).isVisible()) shown.push(name);
  }
  return shown;
}

async function toContactYes(page) {
  await toContactPage(page);
  await page.locator('label[for="f-contact_ok-0"]').click();
  await page.locator('[name="contact.name"]').waitFor({ state: 'visible', timeout: 3000 });
}

// With script (GOV.UK Frontend's Radios in app.js): hidden until "Yes", shown with it,
// hidden again with "No", and the "Yes" radio says whether its fields are expanded.
async function revealWithScript(page) {
  await toContactPage(page);
  const before = await visibleContactFields(page);
  if (before.length) throw new Error(`shown before "Yes" was chosen: ${before.join(', ')}`);
  await toContactYes(page);
  const shown = await visibleContactFields(page);
  if (shown.length !== CONTACT_FIELDS.length) throw new Error(`under "Yes" only ${shown.join(', ') || 'nothing'} shown`);
  const expanded = await page.locator('#f-contact_ok-0').getAttribute('aria-expanded');
  if (expanded !== 'true') throw new Error(`"Yes" has aria-expanded=${expanded}`);
  if (await page.locator('.app-reveal-note').first().isVisible()) throw new Error('the no-script note shows with script');
  await page.locator('label[for="f-contact_ok-1"]').click();
  await page.locator('[name="contact.name"]').waitFor({ state: 'hidden', timeout: 3000 });
  return { trail: ['hidden', '"Yes" → 4 fields shown, aria-expanded=true', '"No" → hidden'] };
}

// Without script every contact field is in view, labelled, under the note saying whose they are.
async function revealWithoutScript(page) {
  await toContactPage(page);
  const shown = await visibleContactFields(page);
  if (shown.length !== CONTACT_FIELDS.length) throw new Error(`without script only ${shown.join(', ') || 'nothing'} shown`);
  for (const name of CONTACT_FIELDS) {
    const label = (await page.locator(`label[for="f-${name}"]`).textContent().catch(() => '')) || '';
    if (!label.trim()) throw new Error(`${name} has no label`);
  }
  const note = page.locator('.app-reveal-note').first();
  if (!(await note.isVisible())) throw new Error('the note "Only if you chose …" is not shown');
  return { trail: [`${shown.length} fields shown`, (await note.textContent()).trim()] };
}

// The confirmation's "Copy code": shown only where app.js runs, and it puts the code on the
// clipboard (the context may write it: newContext grants clipboard access where it can).
async function copyButton(page, withScript) {
  if (withScript) {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE }).catch(() => {});
  }
  const walk = await walkForm(page, 'community', { mode: 'mouse' });
  const code = ((await page.locator('#follow-up-code').textContent()) || '').trim();
  if (!code) throw new Error('no follow-up code on the confirmation page');
  const button = page.locator('[data-module="app-copy"]');
  const visible = await button.isVisible();
  if (visible !== withScript) throw new Error(`"Copy code" ${visible ? 'shown' : 'hidden'} with JavaScript ${withScript ? 'on' : 'off'}`);
  if (!withScript) return { ...walk, trail: [...walk.trail, 'no button'] };
  await button.click();
  const status = page.locator('#follow-up-code-copied');
  await page.waitForFunction(() => document.getElementById('follow-up-code-copied').textContent.trim() !== '', null, { timeout: 3000 });
  const said = (await status.textContent()).trim();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  if (copied !== code) throw new Error(`the clipboard holds "${copied}", not the code (status: "${said}")`);
  return { ...walk, trail: [...walk.trail, `copied; "${said}"`] };
}

// The way back to a reply: on the start page and in the header of every page.
async function wayBack(page) {
  await open(page, '/');
  const inMain = page.locator('main a[href="/follow-up"]');
  if (!/check for a reply to a report/i.test((await inMain.first().textContent()) || '')) throw new Error('no link in the start page');
  const inHeader = page.locator('header a[href="/follow-up"]');
  if ((await inHeader.textContent()).trim() !== 'Check for a reply to a report') throw new Error('no link in the header');
  await navigation(page, () => inHeader.click());
  if (new URL(page.url()).pathname !== '/follow-up') throw new Error(`the header link went to ${page.url()}`);
  return { trail: ['/ → header link → /follow-up'] };
}

// Exit this page, then the browser's Back again and again: no page shows anything typed, whether
// it was sent (kept in the draft Exit deleted) or only typed into the page being left.
const TYPED = 'zzexitcanary my partner is letting older men into the house';

async function typedTextShown(page) {
  return page
    .evaluate(() => {
      const values = [...document.querySelectorAll('input, textarea')].map((e) => e.value).join(' ');
      return `${document.documentElement.innerHTML} ${values}`;
    })
    .then((all) => all.includes('zzexitcanary'))
    .catch(() => false);
}

async function exitThenBack(page, withScript) {
  await toAfterGate(page, 'community');
  await fillPresent(page, ANSWERS.community, 'mouse');
  await page.fill('textarea[name="what_happened"]', TYPED);
  await pressForward(page, 'mouse');
  await page.fill('[name="places[0].street_or_landmark"]', TYPED);
  const left = page.waitForRequest((r) => new URL(r.url()).host === 'www.bbc.co.uk', { timeout: 5000 });
  await page.locator('.govuk-exit-this-page__button').first().click();
  await left;
  await page.waitForTimeout(500);
  const trail = [withScript ? 'Exit (history entry replaced)' : 'Exit (link)'];
  for (let i = 1; i <= 4; i++) {
    // A browser error page ("Confirm Form Resubmission") would hide the text but frighten the
    // person as much: every step back must be a page of the site (or the history's start).
    const response = await page.goBack({ waitUntil: 'load' }).catch((e) => ({ failed: e.message }));
    if (response?.failed) throw new Error(`after Exit, Back ×${i}: ${response.failed.split('\n')[0]}`);
    const at = page.url();
    if (at.startsWith('chrome-error:')) throw new Error(`after Exit, Back ×${i} shows a browser error page`);
    if (await typedTextShown(page)) throw new Error(`after Exit, Back ×${i} shows what was typed (${at})`);
    trail.push(`Back ×${i}: ${at.startsWith(BASE) ? new URL(at).pathname : at}`);
  }
  return { trail };
}

// The browser's Back or Forward: a page of the site (never "Confirm Form Resubmission" or
// another error page), with every box that was typed into holding what was typed (`typed`, by
// name). Returns the page's path.
async function historyMove(page, direction, i, typed) {
  let response;
  try {
    response = direction === 'Back' ? await page.goBack({ waitUntil: 'load' }) : await page.goForward({ waitUntil: 'load' });
  } catch (e) {
    throw new Error(`${direction} ×${i}: ${e.message.split('\n')[0]}`);
  }
  const at = page.url();
  if (!at.startsWith(BASE)) throw new Error(`${direction} ×${i}: the browser showed ${at}`);
  if (response && response.status() >= 400) throw new Error(`${direction} ×${i}: HTTP ${response.status()} at ${at}`);
  const lost = await page.evaluate((want) => {
    const boxes = [...document.querySelectorAll('main input:is([type="text"], [type="email"], [type="tel"]), main textarea')];
    return boxes.filter((b) => b.name in want && b.value !== want[b.name]).map((b) => b.name);
  }, typed);
  if (lost.length) throw new Error(`${direction} ×${i} to ${new URL(at).pathname}: what was typed is not there (${lost.join(', ')})`);
  return new URL(at).pathname;
}

// The professional form by way of its task list: two pages, "Save and view all sections", a
// section opened from the list, the list again; then Back to the start and Forward to the end,
// each step a page of the site with what was typed still there.
async function backAndForwardTasks(page) {
  const typed = Object.fromEntries(Object.entries(ANSWERS.professional).filter(([, v]) => typeof v === 'string'));
  const toTasks = () => navigation(page, () => page.locator('button[name="_action"][value="tasks"]').click());
  await open(page, '/forms/professional');
  const seen = [new URL(page.url()).pathname];
  for (let i = 0; i < 2; i++) {
    await fillPresent(page, ANSWERS.professional, 'mouse');
    await pressForward(page, 'mouse');
    seen.push(new URL(page.url()).pathname);
  }
  await fillPresent(page, ANSWERS.professional, 'mouse');
  await toTasks();
  seen.push(new URL(page.url()).pathname);
  await navigation(page, () => page.locator('.govuk-task-list__link').nth(4).click());
  await fillPresent(page, ANSWERS.professional, 'mouse');
  seen.push(new URL(page.url()).pathname);
  await toTasks();
  seen.push(new URL(page.url()).pathname);
  if (!seen.at(-1).endsWith('/tasks')) throw new Error(`not the task list: ${seen.join(' → ')}`);
  const trail = [seen.join(' → ')];
  for (let i = 1; i < seen.length; i++) {
    const at = await historyMove(page, 'Back', i, typed);
    if (at !== seen[seen.length - 1 - i]) throw new Error(`Back ×${i}: ${at}, expected ${seen[seen.length - 1 - i]}`);
    trail.push(`← ${at}`);
  }
  for (let i = 1; i < seen.length; i++) {
    const at = await historyMove(page, 'Forward', i, typed);
    if (at !== seen[i]) throw new Error(`Forward ×${i}: ${at}, expected ${seen[i]}`);
    trail.push(`→ ${at}`);
  }
  return { trail };
}

// "Someone is in immediate danger" at the gate, the Call 999 page, every section, then the task
// list from Check your answers: Send shows the Call 999 page again, its Continue comes back to
// Check your answers, and Send then sends.
async function callNowAgainAfterTasks(page) {
  const answers = { ...ANSWERS.professional, 'gate.immediate_danger': 'yes' };
  const walk = await walkForm(page, 'professional', { mode: 'mouse', answers, stopAt: (kind) => kind === 'check-answers' });
  if (!walk.trail.includes('interruption')) throw new Error(`no Call 999 page after the gate: ${walk.trail.join(' → ')}`);
  await navigation(page, () => page.locator('a[href="/forms/professional/tasks"]').click());
  await navigation(page, () => page.locator('a.govuk-button[href="/forms/professional/check"]').click());
  await expectKind(page, 'check-answers');
  await navigation(page, () => page.locator(SELECTORS.submitButton).click());
  await expectKind(page, 'interruption');
  await pressForward(page, 'mouse');
  await expectKind(page, 'check-answers');
  await navigation(page, () => page.locator(SELECTORS.submitButton).click());
  const reference = await referenceOn(page);
  if (!reference) throw new Error(`not sent after the Call 999 page: ${await describePage(page)}`);
  return { reference, trail: [...walk.trail, 'tasks', 'check-answers', 'interruption', 'check-answers', 'confirmation'] };
}

// Through the form to Check your answers, then Back to the start and Forward to the end: each
// step is a page of the site (never the browser's "Confirm Form Resubmission" or another error
// page), and what was typed is there each time the page that asks it comes back.
async function backAndForward(page, form = 'community') {
  const seen = [];
  const walk = await walkForm(page, form, {
    mode: 'mouse',
    onPage: async (p) => seen.push(new URL(p.url()).pathname),
    stopAt: (kind) => kind === 'check-answers',
  });
  if (!walk.stopped) throw new Error('no Check your answers page');
  const typed = Object.fromEntries(Object.entries(ANSWERS[form]).filter(([, v]) => typeof v === 'string'));
  const move = (direction, i) => historyMove(page, direction, i, typed);
  const trail = [];
  for (let i = 1; i < seen.length; i++) trail.push(`← ${await move('Back', i)}`);
  for (let i = 1; i < seen.length; i++) trail.push(`→ ${await move('Forward', i)}`);
  await expectKind(page, 'check-answers');
  return { trail };
}

// "Add another place": the page comes back at the new entry (the URL's fragment names its first
// box, which the browser scrolls into view), with the focus there when script runs, and the first
// place summarised with "Change" and "Remove" (the add-to-a-list pattern). "Change" opens the
// first again, keeping what was typed in the second; "Remove" comes back at the entry that took
// the removed one's place.
async function addAnotherLands(page, withScript) {
  let here = false;
  const walk = await walkForm(page, 'community', {
    mode: 'mouse',
    onPage: async (p) => {
      here = (await p.locator('button[value="add:places"]').count()) > 0;
    },
    stopAt: () => here,
  });
  if (!walk.stopped) throw new Error('no page offers "Add another place"');
  await fillPresent(page, ANSWERS.community, 'mouse');
  const landsOn = async (id, what) => {
    const hash = decodeURIComponent(new URL(page.url()).hash);
    if (hash !== `#${id}`) throw new Error(`"${what}" came back at "${hash}", not "#${id}"`);
    const inView = await page.evaluate((i) => {
      const r = document.getElementById(i)?.getBoundingClientRect();
      return !!r && r.top >= 0 && r.top < window.innerHeight;
    }, id);
    if (!inView) throw new Error(`after "${what}" the entry is not in view`);
    if (withScript) {
      const focused = await page.evaluate(() => document.activeElement?.id);
      if (focused !== id) throw new Error(`after "${what}" focus is on "${focused}", not the entry's first box`);
    }
    return hash;
  };
  const row = (n) => page.locator('.app-entry .govuk-summary-list__row', { hasText: `Place ${n}` }).locator('.govuk-summary-list__value');
  await navigation(page, () => page.locator('button[value="add:places"]').click());
  const id = 'f-places[1].street_or_landmark';
  const added = await landsOn(id, 'Add another');
  const first = ANSWERS.community['places[0].street_or_landmark'];
  if ((await page.locator('[name="places[0].street_or_landmark"]').count()) !== 0) throw new Error('the first place is still open after "Add another"');
  if (!(await row(1).textContent()).includes(first)) throw new Error('the first place is not summarised');
  await page.fill(`[id="${id}"]`, 'The bus shelter on Front Street');
  await navigation(page, () => page.locator('button[value="edit:places:0"]').click());
  const kept = 'f-places[0].street_or_landmark';
  const changed = await landsOn(kept, 'Change');
  if ((await page.locator(`[id="${kept}"]`).inputValue()) !== first) throw new Error('"Change" did not open the first place as it was');
  if (!(await row(2).textContent()).includes('The bus shelter on Front Street')) throw new Error('what was typed in the second place was not kept');
  // Remove the first: back at the entry that took its place, which is the one typed second.
  await navigation(page, () => page.locator('button[value="remove:places:0"]').click());
  const after = await landsOn(kept, 'Remove');
  if ((await page.locator(`[id="${kept}"]`).inputValue()) !== 'The bus shelter on Front Street') {
    throw new Error('the remaining place is not the one typed second');
  }
  // Back over the three presses and Forward again: each is a page of the site (every press was a
  // post answered by a redirect, so history holds only GETs), never "Confirm Form Resubmission".
  const trail = [`add → ${added}${withScript ? ', focused' : ''}`, `change → ${changed}`, `remove → ${after}`];
  for (const direction of ['Back', 'Back', 'Back', 'Forward', 'Forward', 'Forward']) {
    let response;
    try {
      response = direction === 'Back' ? await page.goBack({ waitUntil: 'load' }) : await page.goForward({ waitUntil: 'load' });
    } catch (e) {
      throw new Error(`${direction} after the list's buttons: ${e.message.split('\n')[0]}`);
    }
    if (!page.url().startsWith(BASE)) throw new Error(`${direction} after the list's buttons showed ${page.url()}`);
    if (response && response.status() >= 400) throw new Error(`${direction} after the list's buttons: HTTP ${response.status()}`);
    trail.push(`${direction === 'Back' ? '←' : '→'} ${new URL(page.url()).pathname}`);
  }
  return { trail };
}

// /follow-up after a community report: a page of markup named as a photo is refused (422, the
// problem linked to the file input, the words kept), then a photo goes with the words and the
// addendum's email carries it as <addendum reference>-1.age.
async function followUpUpload(page) {
  await toFollowUpThread(page);
  const words = 'A photo of the car, taken this morning.';
  await page.fill('#addendum', words);
  await page.setInputFiles('#attachments', { name: 'evidence.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('<!DOCTYPE html><script>alert(1)</script>') });
  const refused = await navigation(page, () => page.locator('button[name="_action"][value="add"]').click());
  if (refused?.status() !== 422) throw new Error(`a page of markup as a photo: HTTP ${refused?.status()}, not 422`);
  if ((await page.locator('.govuk-error-summary a[href="#attachments"]').count()) === 0) throw new Error('the problem is not linked to the file input');
  if ((await page.locator('#addendum').inputValue()) !== words) throw new Error('the words were not kept');
  await page.setInputFiles('#attachments', { name: 'IMG_0002.png', mimeType: 'image/png', buffer: pngBytes() });
  const sent = await navigation(page, () => page.locator('button[name="_action"][value="add"]').click());
  if (sent?.status() !== 200) throw new Error(`sending a photo: HTTP ${sent?.status()}`);
  const reference = ((await page.locator('#added-reference').textContent()) || '').trim();
  if (!reference) throw new Error(`no reference for what was added: ${await describePage(page)}`);
  if ((await page.getByText('(1 file added)').count()) === 0) throw new Error('the thread does not say a file went');
  const attachment = `${reference}-1.age`;
  for (let i = 0; i < 100; i++) {
    const mails = !MAIL_DIR || !fs.existsSync(MAIL_DIR)
      ? []
      : fs
          .readdirSync(MAIL_DIR)
          .map((f) => path.join(MAIL_DIR, f))
          .filter((f) => fs.statSync(f).isFile())
          .map((f) => fs.readFileSync(f, 'utf8'));
    const mail = mails.find((m) => m.includes(attachment));
    if (mail) {
      if (!/PIS Addendum to/.test(mail)) throw new Error('the email is not an addendum to the report');
      if (mail.includes('IMG_0002') || mail.includes('BROWSER-CANARY')) throw new Error('the file name or its metadata reached the email');
      return { reference, trail: ['markup refused (422)', `photo sent → ${attachment}`] };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no email carries ${attachment}`);
}

async function enterInTextBox(page, form) {
  await toAfterGate(page, form);
  const box = 'main form input:is([type="text"], [type="email"], [type="tel"], :not([type])):not([tabindex="-1"])';
  const before = await page.locator('h1').first().textContent();
  await tabTo(page, box);
  let action = null;
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.isNavigationRequest()) action = new URLSearchParams(r.postData() || '').get('_action');
  });
  await navigation(page, () => key(page, 'Enter'));
  const after = await page.locator('h1').first().textContent();
  if (/^(back|add:|remove:|change:|edit:)/.test(action || '')) {
    throw new Error(`Enter in a text box sent _action=${action} (from "${before.trim()}" to "${after.trim()}")`);
  }
  return { trail: [`${before.trim()} → Enter → ${after.trim()} (_action=${action ?? 'none'})`] };
}

// ---------------------------------------------------------------------------------------------
// Walking a form
// ---------------------------------------------------------------------------------------------

// What kind of page is showing.
async function pageKind(page) {
  if (await referenceOn(page)) return 'confirmation';
  if ((await page.locator(SELECTORS.errorSummary).count()) > 0) return 'errors';
  if ((await page.locator(SELECTORS.changeButton).count()) > 0) return 'check-answers';
  const h1 = (await page.locator('h1').first().textContent().catch(() => '')) || '';
  if (INTERRUPTION_HEADING.test(h1)) return 'interruption';
  if (NARRATIVE_CHECK_HEADING.test(h1)) return 'narrative-check';
  if ((await page.locator('main form[method="post" i]').count()) > 0) return 'form';
  return 'other';
}

async function expectKind(page, kind) {
  const actual = await pageKind(page);
  if (actual !== kind) throw new Error(`expected a ${kind} page, got ${actual}: ${await describePage(page)}`);
}

async function referenceOn(page) {
  const el = page.locator(SELECTORS.reference).first();
  if ((await el.count()) === 0) return null;
  const m = ((await el.textContent()) || '').match(REFERENCE_PATTERN);
  return m ? m[0] : null;
}

async function describePage(page) {
  const title = await page.title().catch(() => '?');
  const errors = await page
    .locator(SELECTORS.errorSummary.split(',').map((s) => `${s.trim()} li`).join(', '))
    .allTextContents()
    .catch(() => []);
  return `"${title}"${errors.length ? ` errors: ${errors.map((e) => e.trim()).join('; ')}` : ''}`;
}

// Which answer keys were ever found on a page, per form.
const usedKeys = Object.fromEntries(Object.keys(ANSWERS).map((form) => [form, new Set()]));
// Forms some walk got to the end of (only then is "never filled" meaningful).
const reachedConfirmation = new Set();

// Fills the page until the confirmation. `stopAt(kind)` stops early. `onPage` sees each page.
async function walkForm(page, form, { mode, stopAt, onPage, answers = ANSWERS[form] }) {
  await open(page, `/forms/${form}`);
  const trail = [];
  let sawContinueButton = false;
  for (let step = 1; step <= MAX_FORM_STEPS; step++) {
    const kind = await pageKind(page);
    trail.push(kind);
    if (onPage) await onPage(page, step, kind);
    if (stopAt?.(kind)) return { stopped: true, trail, sawContinueButton };
    if (kind === 'confirmation') {
      reachedConfirmation.add(form);
      return { reference: await referenceOn(page), trail, sawContinueButton };
    }
    if (kind === 'errors' && step > 1) {
      throw new Error(`the form showed errors after step ${step - 1}: ${await describePage(page)} (trail: ${trail.join(' → ')})`);
    }
    if (kind === 'other') throw new Error(`stuck on ${await describePage(page)} (trail: ${trail.join(' → ')})`);
    const filled = await fillPresent(page, answers, mode);
    filled.forEach((k) => usedKeys[form]?.add(k));
    if ((await page.locator(SELECTORS.continueButton).count()) > 0) sawContinueButton = true;
    await pressForward(page, mode);
  }
  throw new Error(`no confirmation after ${MAX_FORM_STEPS} pages`);
}

// The controls on the page for the answers, in document order (so the keyboard only ever Tabs
// forward). Returns [{ key, name, value, type, options }].
async function controlsFor(page, answers) {
  const wanted = [];
  for (const [key, value] of Object.entries(answers)) {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [part, v] of Object.entries(value)) wanted.push({ key, name: `${key}-${part}`, value: v });
    } else {
      wanted.push({ key, name: key, value });
    }
  }
  const found = await page.evaluate((names) => {
    const all = [...document.querySelectorAll('input, textarea, select')];
    return names.map((name) => {
      const els = all.filter(
        (el) => el.name === name && el.type !== 'hidden' && !el.disabled && el.getClientRects().length > 0,
      );
      if (els.length === 0) return null;
      const type = els[0].tagName === 'SELECT' ? 'select' : els[0].tagName === 'TEXTAREA' ? 'text' : els[0].type;
      return { type: ['radio', 'checkbox', 'select'].includes(type) ? type : 'text', order: all.indexOf(els[0]) };
    });
  }, wanted.map((w) => w.name));
  return wanted
    .map((w, i) => (found[i] ? { ...w, ...found[i] } : null))
    .filter(Boolean)
    .sort((a, b) => a.order - b.order);
}

const css = (s) => String(s).replace(/["\\]/g, '\\$&');

// Fills whichever answers have a control on this page; returns the keys filled.
async function fillPresent(page, answers, mode) {
  const controls = await controlsFor(page, answers);
  for (const c of controls) {
    const named = `[name="${css(c.name)}"]`;
    if (c.type === 'checkbox') {
      for (const v of [].concat(c.value)) {
        const sel = `input[type="checkbox"]${named}[value="${css(v)}"]`;
        if (mode === 'keyboard') {
          await tabTo(page, sel);
          if (!(await page.locator(sel).isChecked())) await key(page, 'Space');
        } else {
          await checkOrClickLabel(page, sel);
        }
        if (!(await page.locator(sel).isChecked())) throw new Error(`could not tick ${c.name} = ${v}`);
      }
    } else if (c.type === 'radio') {
      const sel = `input[type="radio"]${named}[value="${css(c.value)}"]`;
      if ((await page.locator(sel).count()) === 0) throw new Error(`no option ${c.value} for ${c.name}`);
      if (mode === 'keyboard') await chooseRadioByKeyboard(page, c.name, c.value);
      else await checkOrClickLabel(page, sel);
      if (!(await page.locator(sel).isChecked())) throw new Error(`could not choose ${c.name} = ${c.value}`);
    } else if (c.type === 'select') {
      const sel = `select${named}`;
      if (mode === 'keyboard') await chooseSelectByKeyboard(page, sel, c.value);
      else await page.locator(sel).selectOption(String(c.value));
    } else {
      const sel = `:is(input, textarea)${named}`;
      const el = page.locator(sel).first();
      if ((await el.inputValue()) === String(c.value)) continue;
      if (mode === 'keyboard') {
        await tabTo(page, sel);
        await key(page, 'ControlOrMeta+A');
        await page.keyboard.type(String(c.value));
        keyCounts.typed = (keyCounts.typed || 0) + String(c.value).length;
      } else {
        await el.fill(String(c.value));
      }
      if ((await el.inputValue()) !== String(c.value)) throw new Error(`could not type into ${c.name}`);
    }
  }
  return [...new Set(controls.map((c) => c.key))];
}

async function checkOrClickLabel(page, sel) {
  const el = page.locator(sel).first();
  if (await el.isChecked()) return;
  try {
    await el.check({ timeout: 3000 });
  } catch {
    // A styled control whose label covers the input: press the label instead.
    const id = await el.getAttribute('id');
    await page.locator(`label[for="${css(id)}"]`).click();
  }
}

// The button that moves the form on: Continue, else Send/submit, else any other forward button.
// Buttons hidden from people (visually hidden, aria-hidden, tabindex -1) do not count.
async function forwardButton(page) {
  for (const sel of [SELECTORS.continueButton, SELECTORS.submitButton, SELECTORS.anyForwardButton]) {
    const index = await page.evaluate((s) => {
      return [...document.querySelectorAll(s)].findIndex((b) => {
        const r = b.getBoundingClientRect();
        return (
          !b.disabled &&
          b.getAttribute('tabindex') !== '-1' &&
          !b.closest('[aria-hidden="true"], [hidden]') &&
          r.width > 2 &&
          r.height > 2
        );
      });
    }, sel);
    if (index >= 0) return { selector: sel, index };
  }
  return null;
}

async function navigation(page, action) {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
  return response;
}

async function pressForward(page, mode) {
  const button = await forwardButton(page);
  if (!button) throw new Error(`no button to continue on ${await describePage(page)}`);
  let response;
  if (mode === 'keyboard') {
    await tabTo(page, button.selector, button.index);
    response = await navigation(page, () => key(page, 'Enter'));
  } else {
    response = await navigation(page, () => page.locator(button.selector).nth(button.index).click());
  }
  const status = response ? response.status() : 0;
  if (status >= 400) {
    const request = response.request();
    const origin = await request.headerValue('origin').catch(() => null);
    const site = await request.headerValue('sec-fetch-site').catch(() => null);
    const hint = status === 403 ? ` [request sent Origin: ${origin}, Sec-Fetch-Site: ${site}]` : '';
    throw new Error(`${request.method()} ${new URL(request.url()).pathname}: HTTP ${status} ${await describePage(page)}${hint}`);
  }
  return response;
}

// ---------------------------------------------------------------------------------------------
// Keyboard helpers: page.keyboard only.
// ---------------------------------------------------------------------------------------------

// Every key press of the keyboard helpers goes through here, to be counted for the report.
const keyCounts = {};
async function key(page, name) {
  keyCounts[name] = (keyCounts[name] || 0) + 1;
  await page.keyboard.press(name);
}

// Presses Tab until the focused element matches `selector` (the `nth` match, when given).
async function tabTo(page, selector, nth) {
  const focused = () =>
    page.evaluate(
      ([s, n]) => {
        const a = document.activeElement;
        if (!a) return false;
        return n === null ? a.matches(s) : document.querySelectorAll(s)[n] === a;
      },
      [selector, nth ?? null],
    );
  for (let presses = 0; presses <= MAX_TABS; presses++) {
    if (await focused()) return presses;
    if (presses < MAX_TABS) await key(page, 'Tab');
  }
  throw new Error(`tabTo: ${selector}${nth != null ? ` #${nth}` : ''} not focused after ${MAX_TABS} Tab presses`);
}

// Tab reaches a radio group once (its checked option, or the first); the arrow keys move
// within it, selecting as they go; Space selects the focused one.
async function chooseRadioByKeyboard(page, name, value) {
  const group = `input[type="radio"][name="${css(name)}"]`;
  await tabTo(page, group);
  const count = await page.locator(group).count();
  for (let i = 0; i <= count; i++) {
    if (await page.evaluate((v) => document.activeElement?.value === v, String(value))) {
      if (!(await page.evaluate(() => document.activeElement.checked))) await key(page, 'Space');
      return;
    }
    await key(page, 'ArrowDown');
  }
  throw new Error(`keyboard: option ${value} of ${name} not reached with the arrow keys`);
}

async function chooseSelectByKeyboard(page, sel, value) {
  await tabTo(page, sel);
  await key(page, 'Home');
  const count = await page.locator(`${sel} option`).count();
  for (let i = 0; i <= count; i++) {
    if ((await page.locator(sel).inputValue()) === String(value)) return;
    await key(page, 'ArrowDown');
  }
  throw new Error(`keyboard: option ${value} of ${sel} not reached`);
}

// ---------------------------------------------------------------------------------------------
// Acknowledgement tokens from the mail folder
// ---------------------------------------------------------------------------------------------

const usedTokens = new Set();

function decodeMail(raw) {
  // Quoted-printable soft line breaks and escapes, and any base64 body parts.
  const qp = raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
  const b64 = (raw.match(/(?:^[A-Za-z0-9+/=]{40,}\r?\n)+/gm) || [])
    .map((block) => Buffer.from(block.replace(/\s+/g, ''), 'base64').toString('utf8'))
    .join('\n');
  return `${raw}\n${qp}\n${b64}`;
}

function ackTokensInMail() {
  if (!MAIL_DIR || !fs.existsSync(MAIL_DIR)) return [];
  return fs
    .readdirSync(MAIL_DIR)
    .map((f) => path.join(MAIL_DIR, f))
    .filter((f) => fs.statSync(f).isFile())
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs) // newest first
    .flatMap((f) => [...decodeMail(fs.readFileSync(f, 'utf8')).matchAll(ACK_LINK)].map((m) => m[1]));
}

async function freshAckToken(page) {
  if (!MAIL_DIR) throw new Error('PISG_BROWSER_MAIL_DIR is not set: no emails to take an acknowledgement link from');
  const unused = () => ackTokensInMail().find((t) => !usedTokens.has(t));
  if (!unused()) {
    try {
      await walkForm(page, 'community', { mode: 'mouse' });
    } catch (e) {
      notes.push(`ack steps: the HTML form could not be sent (${e.message.split('\n')[0]}); a report was sent through the JSON API instead`);
      const response = await page.request.post(`${BASE}/api/v1/submissions`, { data: apiSubmission() });
      if (!response.ok()) throw new Error(`JSON API submission: HTTP ${response.status()} ${await response.text()}`);
    }
  }
  for (let i = 0; i < 150 && !unused(); i++) await new Promise((r) => setTimeout(r, 200));
  const token = unused();
  if (!token) throw new Error(`no acknowledgement link in any email in ${MAIL_DIR}`);
  usedTokens.add(token);
  return token;
}

function fileTokensInMail() {
  if (!MAIL_DIR || !fs.existsSync(MAIL_DIR)) return [];
  return fs
    .readdirSync(MAIL_DIR)
    .map((f) => path.join(MAIL_DIR, f))
    .filter((f) => fs.statSync(f).isFile())
    .flatMap((f) => [...decodeMail(fs.readFileSync(f, 'utf8')).matchAll(FILE_LINK)].map((m) => m[1]));
}

// A download link not used yet: from a new report with a photo, sent through the JSON API.
async function freshFileToken(page) {
  if (!MAIL_DIR) throw new Error('PISG_BROWSER_MAIL_DIR is not set: no emails to take a download link from');
  const before = new Set(fileTokensInMail());
  const response = await page.request.post(`${BASE}/api/v1/submissions`, {
    multipart: {
      submission: JSON.stringify(apiSubmission()),
      attachments: { name: 'IMG_0002.png', mimeType: 'image/png', buffer: pngBytes() },
    },
  });
  if (!response.ok()) throw new Error(`JSON API submission with a file: HTTP ${response.status()} ${await response.text()}`);
  const fresh = () => fileTokensInMail().find((t) => !before.has(t) && !usedTokens.has(t));
  for (let i = 0; i < 150 && !fresh(); i++) await new Promise((r) => setTimeout(r, 200));
  const token = fresh();
  if (!token) throw new Error(`no download link in any email in ${MAIL_DIR}`);
  usedTokens.add(token);
  return token;
}

// ---------------------------------------------------------------------------------------------
// Checks on one page
// ---------------------------------------------------------------------------------------------

async function runAxe(page) {
  await page.addScriptTag({ path: AXE_PATH });
  const result = await page.evaluate(async (options) => {
    const r = await window.axe.run(document, options);
    // GOV.UK Frontend's conditional reveal sets aria-expanded on the radio that reveals the
    // fields. ARIA 1.2 does not allow it on a radio, so axe flags it, but GOV.UK keeps it on
    // purpose because screen readers announce it (govuk-frontend issue 979, a documented known
    // issue). Only that attribute, on such a radio, is let through; anything else still fails.
    const revealRadio = (el) =>
      el?.matches('input.govuk-radios__input[type="radio"][aria-controls]') &&
      document.getElementById(el.getAttribute('aria-controls'))?.classList.contains('govuk-radios__conditional');
    for (const v of r.violations) {
      if (v.id !== 'aria-allowed-attr') continue;
      v.nodes = v.nodes.filter((n) => {
        // The check's data: { values: ['aria-expanded="false"', …] }.
        const attrs = [...n.any, ...n.all, ...n.none].flatMap((c) => c.data?.values ?? []);
        const onlyExpanded = attrs.length > 0 && attrs.every((a) => /^aria-expanded=/.test(String(a)));
        return !(onlyExpanded && revealRadio(document.querySelector(n.target[0])));
      });
    }
    r.violations = r.violations.filter((v) => v.nodes.length > 0);
    return r;
  }, AXE_OPTIONS);
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    targets: v.nodes.map((n) => n.target.join(' ')),
  }));
}

// No horizontal scrolling; if there is, the element reaching furthest right (the outermost of
// equals).
async function checkReflow(page) {
  return page.evaluate(() => {
    const de = document.documentElement;
    const scrollWidth = de.scrollWidth;
    const clientWidth = de.clientWidth;
    if (scrollWidth <= clientWidth) return { ok: true, scrollWidth, clientWidth };
    let widest = null;
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      const right = r.right + window.scrollX;
      if (r.width === 0 || right <= clientWidth) continue;
      if (!widest || right > widest.right) widest = { el, right, width: r.width };
    }
    const describe = (el) => {
      let s = el.tagName.toLowerCase();
      if (el.id) s += `#${el.id}`;
      if (typeof el.className === 'string' && el.className.trim()) s += `.${el.className.trim().split(/\s+/).join('.')}`;
      const text = (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 50);
      return text ? `${s} ("${text}")` : s;
    };
    return {
      ok: false,
      scrollWidth,
      clientWidth,
      widest: widest && {
        element: describe(widest.el),
        right: Math.round(widest.right),
        width: Math.round(widest.width),
      },
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Running and reporting
// ---------------------------------------------------------------------------------------------

const BASE = (process.env.PISG_BROWSER_BASE_URL || '').replace(/\/$/, '');
const MAIL_DIR = process.env.PISG_BROWSER_MAIL_DIR || '';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const OUT = path.resolve(process.env.PISG_BROWSER_OUT || path.join(REPO, 'target', 'browser'));
const SHOTS = path.join(OUT, 'screenshots');
const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');
const AXE_VERSION = require('axe-core/package.json').version;

const rows = []; // one per page and state
const notes = [];
let shotCount = 0;
const journeys = [];
const failures = [];
const mapChecks = [];
const deskChecks = [];
// The binary run.sh was given, for the officer's desk (desk.mjs).
const BIN = process.env.PISG_BROWSER_BIN || '';
// `pis-gateway map`'s output for the map checks (map.mjs), written by run.sh.
const MAP_DIR = process.env.PISG_BROWSER_MAP_DIR || '';

async function newContext(browser, options) {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: DESKTOP,
    ...options,
  });
  // Hermetic: nothing leaves this machine (the Exit link, say).
  const base = new URL(BASE);
  await context.route('**/*', (route) =>
    new URL(route.request().url()).host === base.host ? route.continue() : route.abort(),
  );
  return context;
}

function slug(s) {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

// axe, screenshots and reflow for the page as it is now.
async function auditHere(page, { name, state, path: pagePath, status }) {
  const n = String(++shotCount).padStart(2, '0');
  const base = state === 'normal' ? `${n}-${slug(name)}` : `${n}-${slug(name)}-${slug(state)}`;
  const row = { n, name, state, path: pagePath, status, violations: [], reflow: null, shots: [] };
  rows.push(row);
  try {
    await page.setViewportSize(DESKTOP);
    row.violations = await runAxe(page);
    await page.screenshot({ path: path.join(SHOTS, `${base}.png`), fullPage: true });
    row.shots.push(`${base}.png`);
    await page.setViewportSize(NARROW);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    row.reflow = await checkReflow(page);
    await page.screenshot({ path: path.join(SHOTS, `${base}-320.png`), fullPage: true });
    row.shots.push(`${base}-320.png`);
    await page.setViewportSize(DESKTOP);
  } catch (e) {
    row.error = e.message.split('\n')[0];
  }
  const label = `${name} (${state})`;
  if (row.error) failures.push(`${label}: ${row.error}`);
  if (row.violations.length) failures.push(`${label}: ${row.violations.length} axe violation(s): ${row.violations.map((v) => v.id).join(', ')}`);
  if (row.reflow && !row.reflow.ok) {
    const w = row.reflow.widest;
    failures.push(
      `${label}: horizontal scrolling at 320 px (scrollWidth ${row.reflow.scrollWidth} > ${row.reflow.clientWidth})` +
        (w ? `, widest: ${w.element} reaching ${w.right}px` : ''),
    );
  }
  return row;
}

function lastStatusTracker(page) {
  const t = { status: null };
  page.on('response', (r) => {
    if (r.request().isNavigationRequest() && r.frame() === page.mainFrame()) t.status = r.status();
  });
  return t;
}

async function auditPages(browser) {
  for (const entry of PAGES.filter((e) => !ONLY || ONLY.test('pages') || ONLY.test(e.name))) {
    const context = await newContext(browser, { bypassCSP: true });
    try {
      if (entry.journey) {
        const page = await context.newPage();
        const t = lastStatusTracker(page);
        try {
          await walkForm(page, entry.journey, {
            mode: 'mouse',
            onPage: (p, step, kind) =>
              auditHere(p, { name: entry.name, state: `step ${step} (${kind})`, path: entry.path, status: t.status }),
          });
        } catch (e) {
          failures.push(`${entry.name}: ${e.message.split('\n')[0]}`);
          rows.push({ n: '–', name: entry.name, state: 'walk', path: entry.path, error: e.message.split('\n')[0], violations: [], shots: [] });
        }
        continue;
      }
      for (const [state, step] of Object.entries(entry.states)) {
        const page = await context.newPage();
        const t = lastStatusTracker(page);
        try {
          await step(page);
          await auditHere(page, { name: entry.name, state, path: entry.path, status: t.status });
        } catch (e) {
          const skipped = e instanceof Skip;
          const message = e.message.split('\n')[0];
          rows.push({ n: '–', name: entry.name, state, path: entry.path, status: t.status, skipped: skipped && message, error: !skipped && message, violations: [], shots: [] });
          if (!skipped) failures.push(`${entry.name} (${state}): ${message}`);
        } finally {
          await page.close();
        }
      }
    } finally {
      await context.close();
    }
  }
}

// Every public page in Welsh and in Arabic (right to left), chosen with ?lang= and then kept by
// the journey's draft: the same audit as above (axe, 320 px), plus lang and dir on the page, and
// on right-to-left pages the back link and the error summary's heading on the right.
const LANGUAGE_PAGES = [
  { name: 'home', state: 'normal', step: (p, l) => open(p, `/?lang=${l}`) },
  { name: 'accessibility', state: 'normal', step: (p, l) => open(p, `/accessibility?lang=${l}`) },
  { name: 'privacy', state: 'normal', step: (p, l) => open(p, `/privacy?lang=${l}`) },
  { name: 'hide-your-visit', state: 'normal', step: (p, l) => open(p, `/hide-your-visit?lang=${l}`) },
  { name: 'not-found', state: 'normal', step: (p, l) => open(p, `/no-such-page?lang=${l}`, 404) },
  { name: 'follow-up', state: 'normal', step: (p, l) => open(p, `/follow-up?lang=${l}`) },
  ...['community', 'professional'].flatMap((form) => [
    { name: `${form}-start`, state: 'normal', step: (p, l) => open(p, `/forms/${form}?lang=${l}`) },
    {
      name: `${form}-start`,
      state: 'error',
      rtlError: true,
      step: async (p, l) => {
        await open(p, `/forms/${form}?lang=${l}`);
        await pressForward(p, 'mouse');
        await expectKind(p, 'errors');
      },
    },
    {
      name: `${form}-after-gate`,
      state: 'normal',
      rtlBack: true,
      step: async (p, l) => {
        await open(p, `/forms/${form}?lang=${l}`);
        await fillPresent(p, ANSWERS[form], 'mouse');
        await pressForward(p, 'mouse');
        await expectKind(p, 'form');
      },
    },
  ]),
];

// Where an element's own text sits, against the main column: right-to-left text starts at
// the right edge.
async function textEdges(page, selector) {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    const main = document.querySelector('main .govuk-grid-row') || document.querySelector('main');
    if (!el || !main) return null;
    const range = document.createRange();
    range.selectNodeContents(el);
    const text = range.getBoundingClientRect();
    const box = main.getBoundingClientRect();
    return { left: text.left - box.left, right: box.right - text.right, width: box.width };
  }, selector);
}

async function checkLanguage(page, lang, entry) {
  const { htmlLang, dir } = await page.evaluate(() => ({
    htmlLang: document.documentElement.lang,
    dir: document.documentElement.dir,
  }));
  const wantDir = ['ar', 'ur'].includes(lang) ? 'rtl' : 'ltr';
  if (htmlLang !== lang || dir !== wantDir) throw new Error(`lang="${htmlLang}" dir="${dir}", expected ${lang} and ${wantDir}`);
  if (wantDir !== 'rtl') return;
  for (const [flag, selector, what] of [
    ['rtlBack', '.govuk-back-link', 'the back link'],
    ['rtlError', '.govuk-error-summary__title', "the error summary's heading"],
  ]) {
    if (!entry[flag]) continue;
    await page.setViewportSize(DESKTOP);
    const e = await textEdges(page, selector);
    if (!e) throw new Error(`no ${what}`);
    if (!(e.right < e.left)) throw new Error(`${what} is not on the right: ${JSON.stringify(e)}`);
  }
}

async function auditLanguages(browser) {
  for (const lang of ['cy', 'ar']) {
    const context = await newContext(browser, { bypassCSP: true });
    try {
      for (const entry of LANGUAGE_PAGES) {
        const page = await context.newPage();
        const t = lastStatusTracker(page);
        const name = `${entry.name} [${lang}]`;
        try {
          await entry.step(page, lang);
          await checkLanguage(page, lang, entry);
          const row = await auditHere(page, { name, state: entry.state, path: `?lang=${lang}`, status: t.status });
          // The start page in each language, for the book (docs/src/languages.md).
          if (entry.name === 'home') {
            await page.setViewportSize({ width: 800, height: 700 });
            await page.screenshot({ path: path.join(SHOTS, `start-${lang}.png`) });
            row.shots.push(`start-${lang}.png`);
            await page.setViewportSize(DESKTOP);
          }
        } catch (e) {
          const message = e.message.split('\n')[0];
          rows.push({ n: '–', name, state: entry.state, path: `?lang=${lang}`, status: t.status, error: message, violations: [], shots: [] });
          failures.push(`${name} (${entry.state}): ${message}`);
        } finally {
          await page.close();
        }
      }
    } finally {
      await context.close();
    }
  }
}

// PISG_BROWSER_ONLY (a regular expression) runs only the journeys and pages whose names match
// it, and of the other parts (pages, languages, weak, map, desk) only those it names.
const ONLY = process.env.PISG_BROWSER_ONLY ? new RegExp(process.env.PISG_BROWSER_ONLY, 'i') : null;
const runs = (name) => !ONLY || ONLY.test(name);

// "Save and come back later" on the third page, then the link from the email opened in a new
// browser with script: the key in the link's fragment goes only into a POST body, the address
// bar loses it, and the answers are back in that browser.
async function saveAndComeBack(page) {
  await open(page, '/forms/professional');
  for (let i = 0; i < 2; i++) {
    await fillPresent(page, ANSWERS.professional, 'mouse');
    await pressForward(page, 'mouse');
  }
  const typed = 'Zz saved for later and restored';
  await page.fill('[name="summary"]', typed);
  const before = new Set(MAIL_DIR && fs.existsSync(MAIL_DIR) ? fs.readdirSync(MAIL_DIR) : []);
  await navigation(page, () => page.locator('button[name="_action"][value="save"]').click());
  if (!page.url().endsWith('/forms/professional/saved')) throw new Error(`not saved: ${await describePage(page)}`);
  if (!MAIL_DIR) throw new Error('PISG_BROWSER_MAIL_DIR is not set: no email to take the link from');
  const mail = fs
    .readdirSync(MAIL_DIR)
    .filter((f) => !before.has(f))
    .map((f) => fs.readFileSync(path.join(MAIL_DIR, f), 'utf8').replace(/=\r?\n/g, ''))
    .find((m) => m.includes('/forms/professional/resume#'));
  if (!mail) throw new Error('no email with the link to the saved form');
  const link = mail.match(/https:\/\/\S+\/forms\/professional\/resume#[A-Za-z0-9_-]+/)[0];
  const key = link.split('#')[1];
  const other = await newContext(page.context().browser(), { javaScriptEnabled: true });
  try {
    const there = await other.newPage();
    const sent = [];
    there.on('request', (r) => sent.push({ url: r.url(), body: r.postData() || '' }));
    await there.goto(link.replace(/^https:\/\/[^/]+/, BASE));
    await there.waitForURL(/\/forms\/professional\/tasks$/);
    if (sent.some((r) => r.url.includes(key))) throw new Error('the key went into a request address');
    if (!sent.some((r) => r.body.includes(key))) throw new Error('the key was not posted');
    await there.goto(`${BASE}/forms/professional/about_the_information`);
    if ((await there.inputValue('[name="summary"]')) !== typed) throw new Error('the saved answer is not back');
  } finally {
    await other.close();
  }
  // Nothing is left in the browser that saved.
  await open(page, '/forms/professional/about_the_information');
  if (page.url().endsWith('/about_the_information')) throw new Error('the saving browser still has the draft');
}

// A sent professional report's copy, printed: no header or buttons, and the reference in the
// table header that Chromium repeats at the top of every printed page.
async function printedCopy(page) {
  const walk = await walkForm(page, 'professional', { mode: 'mouse' });
  await navigation(page, () => page.locator('a[href="/forms/professional/copy"]').click());
  await page.emulateMedia({ media: 'print' });
  const printed = await page.evaluate(() => ({
    header: getComputedStyle(document.querySelector('.govuk-header')).display,
    buttons: [...document.querySelectorAll('.govuk-button, .govuk-back-link')].filter((b) => getComputedStyle(b).display !== 'none').length,
    repeated: getComputedStyle(document.querySelector('.app-print-frame thead')).display,
    head: document.querySelector('.app-print-frame thead').textContent,
  }));
  if (printed.header !== 'none' || printed.buttons) throw new Error(`the print shows the page's furniture: ${JSON.stringify(printed)}`);
  if (printed.repeated !== 'table-header-group' || !printed.head.includes(walk.reference)) {
    throw new Error(`the reference is not in a repeating header: ${JSON.stringify(printed)}`);
  }
  const pdf = await page.pdf({ format: 'A5' });
  if (pdf.length < 1000) throw new Error('no PDF');
  return walk;
}

async function runJourneys(browser) {
  for (const j of JOURNEYS.filter((j) => runs(j.name))) {
    const context = await newContext(browser, { javaScriptEnabled: j.javaScript });
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(`script error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
    });
    const result = { name: j.name, passed: false };
    const started = Date.now();
    for (const k of Object.keys(keyCounts)) delete keyCounts[k];
    try {
      const walk = (await j.run(page)) || {};
      result.reference = walk.reference;
      result.trail = walk.trail;
      if (j.reference && !walk.reference) throw new Error(`no reference (${SELECTORS.reference}) on the confirmation page`);
      if (problems.length) throw new Error(problems.join('; '));
      result.passed = true;
    } catch (e) {
      result.error = e.message.split('\n')[0];
      failures.push(`journey ${j.name}: ${result.error}`);
    } finally {
      result.seconds = ((Date.now() - started) / 1000).toFixed(1);
      result.keys = Object.entries(keyCounts)
        .map(([k, n]) => (k === 'typed' ? `${n} characters typed` : `${k} ×${n}`))
        .join(', ');
      journeys.push(result);
      await context.close();
    }
  }
}

// The start page's inline rules (forms/static/start-inline.css, see start-styles.mjs): what
// the file should hold is written to target/browser/start-inline.css; the start page must look
// the same from the shipped file alone as with the stylesheets, in every language it offers.
async function checkStartStyles(browser) {
  try {
    const languages = await (async () => {
      const context = await newContext(browser, {});
      try {
        const page = await context.newPage();
        await open(page, '/');
        return await page.evaluate(() => ['en', ...[...document.querySelectorAll('.app-languages a[href^="?lang="]')].map((a) => a.getAttribute('href').slice(6))]);
      } finally {
        await context.close();
      }
    })();
    const options = { base: BASE, languages, newContext, staticDir: path.join(REPO, 'forms', 'static') };
    const wanted = await startStyles(browser, options);
    fs.writeFileSync(path.join(OUT, 'start-inline.css'), wanted);
    const shipped = path.join(options.staticDir, 'start-inline.css');
    const same = fs.existsSync(shipped) && fs.readFileSync(shipped, 'utf8') === wanted;
    const problems = await compareStartStyles(browser, options);
    startStyleChecks.push({ languages: languages.length, bytes: wanted.length, current: same, problems });
    for (const p of problems) failures.push(`start page's inline styles: ${p}`);
    if (problems.length) failures.push(`start page's inline styles: copy target/browser/start-inline.css to forms/static/ and rebuild`);
    else if (!same) notes.push('forms/static/start-inline.css differs from what start-styles.mjs writes now, but the start page looks the same');
  } catch (e) {
    failures.push(`start page's inline styles: ${e.message.split('\n')[0]}`);
  }
}
const startStyleChecks = [];

// Chrome DevTools' "Slow 3G": 400 kbit/s each way, 2 s round trip.
const SLOW_3G = { offline: false, downloadThroughput: (500 * 1000) / 8 * 0.8, uploadThroughput: (500 * 1000) / 8 * 0.8, latency: 400 * 5 };
const weak = [];

// What the current document took: first contentful paint, load, and bytes over the wire.
async function paintFigures(page) {
  // The paint entry can follow the load event on a slow link.
  await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0, null, { timeout: 15_000 }).catch(() => {});
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    const resources = performance.getEntriesByType('resource');
    const bytes = [nav, ...resources].reduce((n, e) => n + (e ? e.transferSize || 0 : 0), 0);
    // What the time is made of: each request's start and end (ms from navigation start) and
    // bytes; a transfer size of 0 came from the cache. Redirects are the navigation's own.
    const short = (u) => new URL(u).pathname.replace(/^\/static\//, '').replace(/\.[0-9a-f]{12,}\./, '.');
    const parts = [
      nav && `${nav.redirectCount ? `${nav.redirectCount} redirect(s) ${Math.round(nav.redirectEnd)} ms; ` : ''}page ${Math.round(nav.requestStart)}–${Math.round(nav.responseEnd)} ms ${nav.transferSize} B`,
      ...resources.map((r) => `${short(r.name)} ${Math.round(r.startTime)}–${Math.round(r.responseEnd)} ms ${r.transferSize} B`),
    ].filter(Boolean);
    return { fcp: fcp ? Math.round(fcp.startTime) : null, load: nav ? Math.round(nav.loadEventEnd) : null, bytes, requests: 1 + resources.length, parts };
  });
}

// A measurement, not an assertion: the start page on a first visit, then the form's first page
// and the page after it (a press: POST, 303, GET) with the cache as the first visit left it, on
// a phone's screen over DevTools' Slow 3G. No routing here: Playwright's routing turns the
// HTTP cache off, and nothing on these pages leaves the gateway.
async function weakSignal(browser) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 390, height: 844 } });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', SLOW_3G);
    const visit = async (name, go) => {
      await go();
      await page.waitForLoadState('load');
      weak.push({ name, ...(await paintFigures(page)) });
    };
    await visit('start page, first visit', () => page.goto(`${BASE}/`, { timeout: 120_000 }));
    await visit('the form\'s first page', () => page.goto(`${BASE}/forms/community`, { timeout: 120_000 }));
    await fillPresent(page, ANSWERS.community, 'mouse');
    await visit('the next page (Continue: POST, 303, GET)', () => pressForward(page, 'mouse'));
  } catch (e) {
    notes.push(`Slow 3G figures not taken: ${e.message.split('\n')[0]}`);
  } finally {
    await context.close();
  }
}

function report(browserVersion) {
  const md = [];
  const esc = (s) => String(s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
  md.push('# Browser tests', '');
  md.push(`Gateway ${BASE} · Chromium ${browserVersion} · axe-core ${AXE_VERSION} (${AXE_OPTIONS.runOnly.values.join(', ')}) · ${new Date().toISOString()}`, '');
  md.push(failures.length ? `**FAILED: ${failures.length} problem(s).**` : '**PASSED.**', '');
  md.push('## Pages', '');
  md.push('| # | Page | State | Path | HTTP | axe violations | 320 px | Screenshots |');
  md.push('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const reflow = r.skipped
      ? 'skipped'
      : r.error && !r.reflow
        ? 'error'
        : !r.reflow
          ? '–'
          : r.reflow.ok
            ? 'OK'
            : `overflow (${r.reflow.scrollWidth}px)`;
    const axe = r.skipped ? '–' : r.error && !r.shots.length ? 'error' : String(r.violations.length);
    const shots = r.skipped ? `skipped: ${r.skipped}` : r.shots.join(', ') || (r.error ? `error: ${r.error}` : '');
    md.push(`| ${r.n} | ${esc(r.name)} | ${esc(r.state)} | ${esc(r.path)} | ${r.status ?? ''} | ${axe} | ${reflow} | ${esc(shots)} |`);
  }
  md.push('');
  md.push('## Journeys', '');
  md.push('| Journey | Result | Reference | Pages | Keys | Time |');
  md.push('|---|---|---|---|---|---|');
  for (const j of journeys) {
    md.push(
      `| ${esc(j.name)} | ${j.passed ? 'passed' : `FAILED: ${esc(j.error)}`} | ${j.reference ?? ''} | ${esc((j.trail || []).join(' → '))} | ${esc(j.keys)} | ${j.seconds}s |`,
    );
  }
  md.push('');
  for (const c of startStyleChecks) {
    md.push('## The start page\'s inline styles', '');
    md.push(`${c.bytes.toLocaleString('en-GB')} bytes; the start page in ${c.languages} language(s), with and without JavaScript, at 320, 700 and 1024 px: ${c.problems.length ? `${c.problems.length} difference(s)` : 'the same without the stylesheets as with them'}${c.current ? '' : ' (forms/static/start-inline.css is not what would be written now)'}.`, '');
  }
  md.push('## A weak signal (Slow 3G, 390 × 844: a measurement, not a test)', '');
  md.push('| Page | First contentful paint | Load | Transferred |');
  md.push('|---|---|---|---|');
  for (const w of weak) md.push(`| ${esc(w.name)} | ${w.fcp ?? '–'} ms | ${w.load ?? '–'} ms | ${w.bytes.toLocaleString('en-GB')} bytes |`);
  md.push('');
  for (const w of weak) md.push(`- ${esc(w.name)}: ${w.requests} request(s): ${esc((w.parts || []).join('; '))}`);
  md.push('');
  md.push('## Map (map.html from file://)', '');
  md.push('| Check | Result |');
  md.push('|---|---|');
  for (const c of mapChecks) md.push(`| ${esc(c.name)} | ${c.passed ? 'passed' : `FAILED: ${esc(c.error)}`} |`);
  md.push('');
  md.push("## The officer's desk (pis-gateway desk)", '');
  md.push('| Check | Result |');
  md.push('|---|---|');
  for (const c of deskChecks) md.push(`| ${esc(c.name)} | ${c.passed ? 'passed' : `FAILED: ${esc(c.error)}`} |`);
  md.push('');
  const byRule = new Map();
  for (const r of rows) {
    for (const v of r.violations) {
      if (!byRule.has(v.id)) byRule.set(v.id, { ...v, where: [] });
      byRule.get(v.id).where.push({ page: `${r.name} (${r.state})`, targets: v.targets });
    }
  }
  md.push('## axe violations', '');
  if (byRule.size === 0) md.push('None.', '');
  for (const v of byRule.values()) {
    md.push(`### ${v.id} (${v.impact}): ${esc(v.help)}`, '', v.helpUrl, '');
    for (const w of v.where) md.push(`- ${w.page}: ${w.targets.map((t) => `\`${t}\``).join(', ')}`);
    md.push('');
  }
  const overflowing = rows.filter((r) => r.reflow && !r.reflow.ok);
  md.push('## Horizontal scrolling at 320 px', '');
  if (overflowing.length === 0) md.push('None.', '');
  for (const r of overflowing) {
    const w = r.reflow.widest;
    md.push(`- ${r.name} (${r.state}): scrollWidth ${r.reflow.scrollWidth} > ${r.reflow.clientWidth}${w ? `; widest: \`${w.element}\` reaching ${w.right}px (${w.width}px wide)` : ''}`);
  }
  if (overflowing.length) md.push('');
  const unused = Object.entries(ANSWERS)
    .filter(([form]) => reachedConfirmation.has(form))
    .flatMap(([form, a]) => Object.keys(a).filter((k) => !usedKeys[form].has(k)).map((k) => `${form}: ${k}`));
  if (unused.length) {
    md.push('## Answers never filled', '', 'No control on any page had these names (renamed fields?):', '');
    for (const u of unused) md.push(`- ${u}`);
    md.push('');
  }
  if (notes.length) {
    md.push('## Notes', '');
    for (const n of [...new Set(notes)]) md.push(`- ${n}`);
    md.push('');
  }
  md.push('## Failures', '');
  if (failures.length === 0) md.push('None.');
  for (const f of failures) md.push(`- ${f}`);
  md.push('');
  return md.join('\n');
}

async function main() {
  if (!BASE) throw new Error('PISG_BROWSER_BASE_URL is not set (run tests/browser/run.sh)');
  fs.rmSync(SHOTS, { recursive: true, force: true });
  fs.mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: LAUNCH_ARGS,
  });
  try {
    await auditPages(browser);
    if (runs('languages')) await auditLanguages(browser);
    await runJourneys(browser);
    if (runs('start-styles')) await checkStartStyles(browser);
    if (runs('weak')) await weakSignal(browser);
    if (ONLY) notes.push(`only what PISG_BROWSER_ONLY=${process.env.PISG_BROWSER_ONLY} matches was run`);
    if (ONLY && !runs('map')) notes.push('map.html not checked (PISG_BROWSER_ONLY)');
    else if (MAP_DIR) await runMapChecks(browser, { mapDir: MAP_DIR, shots: SHOTS, runAxe, desktop: DESKTOP, failures, results: mapChecks });
    else notes.push('map.html not checked: PISG_BROWSER_MAP_DIR is not set');
    if (ONLY && !runs('desk')) notes.push('the desk not checked (PISG_BROWSER_ONLY)');
    else if (BIN) await runDeskChecks(browser, { bin: BIN, gateway: BASE, runAxe, shots: SHOTS, desktop: DESKTOP, failures, results: deskChecks });
    else notes.push('the desk not checked: PISG_BROWSER_BIN is not set');
  } finally {
    const version = browser.version();
    await browser.close();
    const md = report(version);
    fs.writeFileSync(path.join(OUT, 'report.md'), md);
    fs.writeFileSync(
      path.join(OUT, 'results.json'),
      JSON.stringify({ base: BASE, browser: version, axe: AXE_VERSION, pages: rows, journeys, startStyles: startStyleChecks, weak, map: mapChecks, desk: deskChecks, failures }, null, 2),
    );
    console.log(md);
    console.log(`report: ${path.relative(REPO, path.join(OUT, 'report.md'))}, screenshots: ${path.relative(REPO, SHOTS)}/`);
  }
  return failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`browser tests could not run: ${e.stack || e}`);
    process.exit(2);
  },
);
