// The start page's inline styles (forms/static/start-inline.css): the rules of the shipped
// stylesheets that the start page uses, so that on a slow link it paints from its own HTML
// instead of waiting a round trip for the stylesheets (the gateway allows exactly that text by
// its hash in the Content-Security-Policy).
//
// run.mjs calls both functions below:
//   * startStyles() writes what the file should hold, from the shipped stylesheets and the start
//     page as served in every language, with JavaScript on and off;
//   * compareStartStyles() loads the start page with its stylesheets refused and then with
//     them, and lists every element whose computed style differs: the inline rules must be all
//     the page needs, so the stylesheet arriving later changes nothing on screen.
//
// The rules are copied as written in the stylesheets (not as Chromium re-serialises them), so
// other browsers get every property. Print rules are left to the stylesheets.

import fs from 'node:fs';
import path from 'node:path';

// ---------------------------------------------------------------------------------------------
// A small parser for the shipped CSS: comments dropped, top-level rules and at-rules kept as
// written; @media and @supports blocks parsed into their rules.
// ---------------------------------------------------------------------------------------------

function stripComments(css) {
  let out = '';
  for (let i = 0; i < css.length; i++) {
    const c = css[i];
    if (c === '"' || c === "'") {
      const end = stringEnd(css, i);
      out += css.slice(i, end);
      i = end - 1;
    } else if (c === '/' && css[i + 1] === '*') {
      const end = css.indexOf('*/', i + 2);
      i = end < 0 ? css.length : end + 1;
    } else {
      out += c;
    }
  }
  return out;
}

// Index just past the string starting at `i`.
function stringEnd(css, i) {
  const q = css[i];
  for (let j = i + 1; j < css.length; j++) {
    if (css[j] === '\\') j++;
    else if (css[j] === q) return j + 1;
  }
  return css.length;
}

// Index of the `}` closing the block whose `{` is at `open`.
function blockEnd(css, open) {
  let depth = 0;
  for (let i = open; i < css.length; i++) {
    const c = css[i];
    if (c === '"' || c === "'") i = stringEnd(css, i) - 1;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  throw new Error('unbalanced braces in a stylesheet');
}

// Runs of white space as one space, outside strings (a string can hold a no-break space that
// matters, as GOV.UK's visually hidden text does).
function squeeze(css) {
  let out = '';
  for (let i = 0; i < css.length; i++) {
    const c = css[i];
    if (c === '"' || c === "'") {
      const end = stringEnd(css, i);
      out += css.slice(i, end);
      i = end - 1;
    } else if (/[ \t\n\r\f]/.test(c)) {
      if (!/ $/.test(out)) out += ' ';
    } else {
      out += c;
    }
  }
  return out.trim();
}

// [{ prelude, body }] for style rules, [{ at, prelude, body }] for at-rules, and for @media and
// @supports { at, prelude, rules }.
function parse(css) {
  const rules = [];
  let i = 0;
  while (i < css.length) {
    const brace = css.indexOf('{', i);
    const semi = css.indexOf(';', i);
    if (brace < 0) break;
    if (semi >= 0 && semi < brace && css.slice(i, semi).trim().startsWith('@')) {
      rules.push({ at: true, prelude: squeeze(css.slice(i, semi)), body: null });
      i = semi + 1;
      continue;
    }
    const end = blockEnd(css, brace);
    const prelude = squeeze(css.slice(i, brace).replace(/^\uFEFF/, ''));
    const body = css.slice(brace + 1, end);
    if (/^@(media|supports)\b/i.test(prelude)) rules.push({ at: true, prelude, rules: parse(body) });
    else if (prelude.startsWith('@')) rules.push({ at: true, prelude, body: squeeze(body) });
    else rules.push({ prelude, body: squeeze(body) });
    i = end + 1;
  }
  return rules;
}

// A selector list split at its top-level commas.
function selectors(prelude) {
  const out = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < prelude.length; i++) {
    const c = prelude[i];
    if (c === '\\') i++;
    else if (c === '"' || c === "'") i = stringEnd(prelude, i) - 1;
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      out.push(prelude.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(prelude.slice(start).trim());
  return out.filter(Boolean);
}

// Every selector of every style rule, depth first, in order.
function allSelectors(rules, into = []) {
  for (const r of rules) {
    if (r.rules) allSelectors(r.rules, into);
    else if (!r.at) into.push(...selectors(r.prelude));
  }
  return into;
}

// Print-only blocks are left to the stylesheets.
const printOnly = (prelude) => /^@media\s+print\s*$/i.test(prelude);

// The rules with only the selectors in `used`, in the stylesheet's order.
function serialise(rules, used) {
  let out = '';
  for (const r of rules) {
    if (r.rules) {
      if (printOnly(r.prelude)) continue;
      const inner = serialise(r.rules, used);
      if (inner) out += `${r.prelude}{${inner}}`;
    } else if (r.at) {
      // @font-face, @keyframes and the like: kept whole (the shipped sheets have none today).
      out += r.body === null ? `${r.prelude};` : `${r.prelude}{${r.body}}`;
    } else {
      const kept = selectors(r.prelude).filter((s) => used.has(s));
      if (kept.length && r.body) out += `${kept.join(',')}{${r.body}}`;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// In the page: which selectors match something, with states (:hover, :focus, ::before…) and
// functional pseudo-classes taken off, so a rule for any state of an element on the page is
// kept.
// ---------------------------------------------------------------------------------------------

function matchingInPage(list) {
  const bare = (sel) =>
    sel.replace(/(^|[\s>+~])?(::?[a-zA-Z-]+(\((?:[^()]|\([^()]*\))*\))?)+/g, (m, before) =>
      before === undefined ? '' : `${before}*`,
    );
  return list.map((sel) => {
    try {
      return document.querySelector(bare(sel)) !== null;
    } catch {
      // A selector this browser cannot read: kept, to be safe.
      return true;
    }
  });
}

// ---------------------------------------------------------------------------------------------
// The two functions run.mjs calls.
// ---------------------------------------------------------------------------------------------

// The start page's URLs: each language, as the start page links them.
export const startPages = (languages) => ['/', ...languages.filter((l) => l !== 'en').map((l) => `/?lang=${l}`)];

// The stylesheets the start page would link, in order.
const SHEETS = ['govuk-frontend.css', 'app.css'];
const HEADER = '/*! The start page\'s rules from GOV.UK Frontend (MIT licence: forms/frontend/LICENSE-govuk-frontend.txt) and app.css, by tests/browser/start-styles.mjs */\n';

// What forms/static/start-inline.css should hold.
export async function startStyles(browser, { base, staticDir, languages, newContext }) {
  const sheets = SHEETS.map((name) => parse(stripComments(fs.readFileSync(path.join(staticDir, name), 'utf8'))));
  const lists = sheets.map((rules) => allSelectors(rules));
  const used = sheets.map(() => new Set());
  for (const javaScriptEnabled of [true, false]) {
    const context = await newContext(browser, { javaScriptEnabled });
    try {
      const page = await context.newPage();
      for (const url of startPages(languages)) {
        await page.goto(base + url, { waitUntil: 'load' });
        for (const [k, list] of lists.entries()) {
          const hits = await page.evaluate(matchingInPage, list);
          hits.forEach((hit, n) => hit && used[k].add(list[n]));
        }
      }
    } finally {
      await context.close();
    }
  }
  return HEADER + sheets.map((rules, k) => serialise(rules, used[k])).join('') + '\n';
}

// Every element's computed style (and its ::before and ::after), at the current viewport.
function computedInPage() {
  const out = [];
  for (const [n, el] of [...document.body.querySelectorAll('*')].entries()) {
    for (const pseudo of [null, '::before', '::after']) {
      const cs = getComputedStyle(el, pseudo);
      const values = [];
      // Custom properties (`--name`) style nothing by themselves: their effect is in the
      // properties that read them, which are compared.
      for (let i = 0; i < cs.length; i++) if (!cs[i].startsWith('--')) values.push(`${cs[i]}: ${cs.getPropertyValue(cs[i])}`);
      const id = `${n} ${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}${pseudo || ''}`;
      out.push([id, values.join('; ')]);
    }
  }
  return out;
}

const WIDTHS = [320, 700, 1024];

// Differences between the start page styled by its inline rules alone and by everything, in
// every language, with JavaScript on and off, at phone, tablet and desktop widths. Also any
// Content-Security-Policy refusal (the inline rules must be allowed by their hash).
export async function compareStartStyles(browser, { base, languages, newContext }) {
  const problems = [];
  for (const javaScriptEnabled of [true, false]) {
    for (const url of startPages(languages)) {
      // On a loaded machine a page can be measured mid-load; a difference is taken again
      // once, from fresh loads, before it is reported (a real one is there both times).
      let found = differences(await snapshotPair(browser, { base, url, javaScriptEnabled, newContext, problems }), url, javaScriptEnabled);
      if (found.length) {
        found = differences(await snapshotPair(browser, { base, url, javaScriptEnabled, newContext, problems }), url, javaScriptEnabled);
      }
      problems.push(...found);
    }
  }
  return problems;
}

// The start page at every width, styled by its inline rules alone, then by everything.
async function snapshotPair(browser, { base, url, javaScriptEnabled, newContext, problems }) {
  const snapshots = [];
  for (const refuseSheets of [true, false]) {
    const context = await newContext(browser, { javaScriptEnabled });
    try {
      if (refuseSheets) await context.route(/\/static\/[^/]+\.css$/, (route) => route.abort());
      const page = await context.newPage();
      page.on('console', (m) => {
        if (/Content Security Policy|Refused to apply/i.test(m.text())) problems.push(`${url}: ${m.text()}`);
      });
      await page.goto(base + url, { waitUntil: 'load' });
      const shot = {};
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 800 });
        shot[width] = await page.evaluate(computedInPage);
      }
      snapshots.push(shot);
    } finally {
      await context.close();
    }
  }
  return snapshots;
}

// What differs between the two snapshots, as problems to report.
function differences([alone, full], url, javaScriptEnabled) {
  const problems = [];
  for (const width of WIDTHS) {
    if (alone[width].length !== full[width].length) {
      problems.push(`${url} (JavaScript ${javaScriptEnabled ? 'on' : 'off'}, ${width} px): ${alone[width].length} and ${full[width].length} elements: the page changed between loads`);
      continue;
    }
    const differ = alone[width].filter(([id, v], i) => !full[width][i] || full[width][i][0] !== id || full[width][i][1] !== v);
    if (differ.length) {
      const [id, v] = differ[0];
      const other = full[width].find(([fid]) => fid === id)?.[1] ?? '';
      const a = v.split('; ');
      const b = other.split('; ');
      const props = a.filter((p) => !b.includes(p)).slice(0, 3).join('; ');
      const extra = b.filter((p) => !a.includes(p)).slice(0, 3).join('; ');
      problems.push(
        `${url} (JavaScript ${javaScriptEnabled ? 'on' : 'off'}, ${width} px): ${differ.length} element(s) styled differently without the stylesheets, first ${id}: ${props} (with them: ${extra})`,
      );
    }
  }
  return problems;
}
