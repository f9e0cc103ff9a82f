// Browser checks of `pis-gateway map`'s map.html, opened from file:// as an analyst opens it.
// run.sh maps tests/browser/map-fixture/ (60 generated submissions) into PISG_BROWSER_MAP_DIR;
// run.mjs calls runMapChecks. What is expected comes from map.json, written by the same run
// (the page's own data is not trusted to check itself).
//
//   * the page opens from file:// and no request leaves it (every request is recorded);
//   * search finds a plate typed in lower case with spaces in other places;
//   * the locality and date filters change what is drawn, and only to what they should;
//   * clicking a node (a mouse click on the canvas) shows that entity's references;
//   * the panel gives each of an entity's submissions its count of evidence files;
//   * a reference in the panel opens that report's page (`map --reports`), from file://;
//   * with only the largest clusters drawn (map-few/, `map --draw 100`), the search finds an
//     entity of a cluster that is only listed, and its result draws that cluster;
//   * a nickname sits under its person (the search finds the person by it, the panel lists it);
//   * the timeline is by the day things happened, not the day reports arrived;
//   * selecting an entity dims everything outside its neighbourhood;
//   * merge then reload keeps the merge: merged (and a note added) in the page, the workspace
//     exported (a download), `map --workspace` run again with it, and the new page shows one
//     entity, with the note;
//   * a box per locality groups its entities (and goes away when grouping is off);
//   * a note on a link is kept in the workspace and carried into map.json, i2.csv and GraphML;
//   * axe finds no violation on the page (controls, panel and tables);
//   * a screenshot (map.png) for the README.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const FIXTURE = 'tests/browser/map-fixture';

// The gateway binary run.sh was given (its last argument), to run `map` a second time; or
// PISG_BROWSER_MAP_BIN; or the default build.
function gatewayBinary() {
  if (process.env.PISG_BROWSER_MAP_BIN) return process.env.PISG_BROWSER_MAP_BIN;
  try {
    const args = fs.readFileSync(`/proc/${process.ppid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const given = args.find((a) => a.endsWith('pis-gateway'));
    if (given) return given;
  } catch {
    // Not Linux: the default below.
  }
  return 'target/debug/pis-gateway';
}

// An entity's identities as the workspace names them.
const identities = (e) => (e.members.length ? e.members : [e.key]).map((k) => `${e.kind}:${k}`);

async function openMap(browser, file, viewport, options = {}) {
  const context = await browser.newContext({ viewport, ...options });
  const page = await context.newPage();
  const requests = [];
  const problems = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => problems.push(`script error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  return { context, page, requests, problems };
}

// The page's current drawing: ids of the entities shown (not hidden by a filter; not the
// boxes that group them by locality).
async function drawnIds(page) {
  return page.evaluate(() =>
    window.pisMap.cy
      .nodes()
      .not('.hidden')
      .not('.group')
      .map((n) => Number(n.id().slice(1))),
  );
}

async function statusCount(page) {
  const text = await page.locator('#status').textContent();
  const m = /Showing (\d+) of (\d+) entities/.exec(text || '');
  if (!m) throw new Error(`no count in the status line: "${text}"`);
  return Number(m[1]);
}

function check(results, failures, name, fn) {
  return fn().then(
    () => results.push({ name, passed: true }),
    (e) => {
      const error = e.message.split('\n')[0];
      results.push({ name, passed: false, error });
      failures.push(`map: ${name}: ${error}`);
    },
  );
}

export async function runMapChecks(browser, { mapDir, shots, runAxe, desktop, failures, results }) {
  const file = path.join(mapDir, 'map.html');
  const map = JSON.parse(fs.readFileSync(path.join(mapDir, 'map.json'), 'utf8')).map;
  const entity = new Map(map.entities.map((e) => [e.id, e]));
  // The timeline is by the day it happened.
  const day = new Map(map.reports.map((r) => [r.reference, r.event]));
  const { context, page, requests, problems } = await openMap(browser, file, desktop);
  try {
    await check(results, failures, 'opens from file:// with no request leaving the page', async () => {
      const outside = requests.filter((u) => !u.startsWith('file://'));
      if (outside.length) throw new Error(`requests: ${outside.join(', ')}`);
      if (problems.length) throw new Error(problems.join('; '));
      const all = await statusCount(page);
      if (all === 0) throw new Error('nothing drawn');
    });

    await check(results, failures, 'search finds a plate typed with spaces', async () => {
      const plate = map.entities.find((e) => e.kind === 'vehicle' && !e.key.includes('?'));
      if (!plate) throw new Error('no full plate in the fixture');
      // YA15KBC typed as "ya 15k bc".
      const k = plate.key.toLowerCase();
      const typed = `${k.slice(0, 2)} ${k.slice(2, 5)} ${k.slice(5)}`;
      await page.locator('#search').fill(typed);
      const found = await page.locator('#results button').allTextContents();
      if (!found.some((t) => t.startsWith(plate.label))) throw new Error(`"${typed}" found ${JSON.stringify(found)}, not ${plate.label}`);
      const marked = await page.evaluate((id) => window.pisMap.cy.getElementById(`n${id}`).hasClass('match'), plate.id);
      if (!marked) throw new Error('the plate is not marked in the drawing');
      await page.locator('#results button', { hasText: plate.label }).first().click();
      const heading = await page.locator('#panel h2').textContent();
      if (heading !== plate.label) throw new Error(`panel shows "${heading}"`);
      await page.locator('#search').fill('');
    });

    await check(results, failures, 'the locality filter changes what is drawn', async () => {
      const before = await statusCount(page);
      const localities = await page.locator('#locality option').evaluateAll((o) => o.map((x) => x.value).filter(Boolean));
      if (localities.length < 2) throw new Error(`localities: ${localities}`);
      const chosen = localities[0];
      await page.locator('#locality').selectOption(chosen);
      const ids = await drawnIds(page);
      const after = await statusCount(page);
      if (!(after < before) || after !== ids.length) throw new Error(`drawn ${before} → ${after} (${ids.length} nodes)`);
      const stray = ids.filter((id) => !entity.get(id).localities.includes(chosen));
      if (stray.length) throw new Error(`drawn outside ${chosen}: ${stray.map((id) => entity.get(id).label).join(', ')}`);
      await page.locator('#locality').selectOption('');
      if ((await statusCount(page)) !== before) throw new Error('"All localities" does not draw everything again');
    });

    await check(results, failures, 'the date range changes what is drawn', async () => {
      const before = await statusCount(page);
      // By keyboard, as the range control is used without a mouse: "To" down to the first day.
      await page.locator('#to').focus();
      await page.keyboard.press('Home');
      const first = (await page.locator('#range-label').textContent()).split(' to ')[0];
      const ids = await drawnIds(page);
      if (!(ids.length < before)) throw new Error(`drawn ${before} → ${ids.length}`);
      const stray = ids.filter((id) => !entity.get(id).references.some((r) => day.get(r) === first));
      if (stray.length) throw new Error(`drawn but not seen on ${first}: ${stray.map((id) => entity.get(id).label).join(', ')}`);
      await page.keyboard.press('End');
      if ((await statusCount(page)) !== before) throw new Error('the full range does not draw everything again');
    });

    await check(results, failures, 'clicking a node shows its references', async () => {
      await page.locator('#reset').click();
      // The entity seen most often, clicked where it is drawn.
      const target = [...map.entities].sort((a, b) => b.references.length - a.references.length)[0];
      await page.evaluate(() => window.scrollTo(0, 0));
      const at = await page.evaluate((id) => {
        const cy = window.pisMap.cy;
        const n = cy.getElementById(`n${id}`);
        cy.zoom(2);
        cy.center(n);
        const p = n.renderedPosition();
        const r = cy.container().getBoundingClientRect();
        return { x: r.left + p.x, y: r.top + p.y };
      }, target.id);
      await page.waitForTimeout(100);
      await page.mouse.click(at.x, at.y);
      await page.waitForSelector('#panel:not([hidden]) h2');
      const selected = await page.evaluate(() => window.pisMap.cy.$('node:selected').map((n) => Number(n.id().slice(1))));
      if (selected.length !== 1) throw new Error(`selected: ${selected}`);
      const e = entity.get(selected[0]);
      const heading = await page.locator('#panel h2').textContent();
      if (heading !== e.label) throw new Error(`panel "${heading}" for ${e.label}`);
      const shown = (await page.locator('#panel ul.refs li').allTextContents()).map((t) => t.split(' · ')[0]).sort();
      const expected = [...e.references].sort();
      if (JSON.stringify(shown) !== JSON.stringify(expected)) throw new Error(`references ${shown} ≠ ${expected}`);
    });

    await check(results, failures, 'a reference in the panel opens its report', async () => {
      await page.locator('#reset').click();
      const target = [...map.entities].sort((a, b) => b.references.length - a.references.length)[0];
      await page.locator('#search').fill(target.label);
      await page.locator('#results button', { hasText: target.label }).first().click();
      await page.waitForSelector('#panel:not([hidden]) h2');
      const link = page.locator('#panel ul.refs li a').first();
      if ((await link.count()) === 0) throw new Error('the references are not links');
      const ref = (await link.textContent()).trim();
      const href = new URL(await link.getAttribute('href'), page.url()).href;
      if (!target.references.includes(ref)) throw new Error(`"${ref}" is not one of the entity's references`);
      // Opened beside the map, as a middle click would: the map keeps its state.
      const report = await page.context().newPage();
      try {
        await report.goto(href);
        const h1 = (await report.locator('h1').first().textContent()) || '';
        if (!h1.includes(ref)) throw new Error(`the page opened says "${h1.trim()}", not ${ref}`);
      } finally {
        await report.close();
      }
      await page.locator('#search').fill('');
    });

    await check(results, failures, 'the panel counts each submission\'s evidence files', async () => {
      await page.locator('#reset').click();
      const files = new Map(map.reports.map((r) => [r.reference, r.attachments]));
      // A plate seen in a report with evidence, and in at least one more if there is one.
      const withFiles = map.entities
        .filter((e) => e.kind === 'vehicle' && !e.key.includes('?') && e.references.some((r) => files.get(r) > 0))
        .sort((a, b) => b.references.length - a.references.length)[0];
      if (!withFiles) throw new Error('no plate in a report with evidence in the fixture');
      await page.locator('#search').fill(withFiles.label);
      await page.locator('#results button', { hasText: withFiles.label }).first().click();
      await page.waitForSelector('#panel:not([hidden]) h2');
      const rows = await page.locator('#panel ul.refs li').allTextContents();
      if (rows.length !== withFiles.references.length) throw new Error(`${rows.length} rows for ${withFiles.references.length} references`);
      for (const row of rows) {
        const ref = row.split(' · ')[0];
        const want = files.get(ref);
        const m = /(\d+) evidence files?$/.exec(row);
        if (!m || Number(m[1]) !== want) throw new Error(`"${row}": map.json lists ${want} files for ${ref}`);
      }
      const total = withFiles.references.reduce((n, r) => n + files.get(r), 0);
      const dd = await page.locator('#panel dt', { hasText: 'Evidence' }).locator('xpath=following-sibling::dd[1]').textContent();
      if (!dd.startsWith(`${total} evidence file`)) throw new Error(`panel says "${dd}", map.json ${total}`);
      await page.locator('#search').fill('');
    });

    await check(results, failures, 'a nickname sits under its person', async () => {
      await page.locator('#reset').click();
      if (map.entities.some((e) => e.kind === 'nickname')) throw new Error('a nickname is an entity of its own');
      const labels = new Set(map.entities.map((e) => e.label.toLowerCase()));
      const person = map.entities.find((e) => e.kind === 'person' && e.aliases.some((a) => !labels.has(a.toLowerCase())));
      if (!person) throw new Error('no person with a nickname in the fixture');
      const alias = person.aliases.find((a) => !labels.has(a.toLowerCase()));
      await page.locator('#search').fill(alias.toLowerCase());
      const found = await page.locator('#results button').allTextContents();
      if (!found.some((t) => t.startsWith(`${person.label} (person)`))) throw new Error(`"${alias}" found ${JSON.stringify(found)}, not ${person.label}`);
      await page.locator('#results button', { hasText: person.label }).first().click();
      await page.waitForSelector('#panel:not([hidden]) h2');
      const known = await page.locator('#panel dt', { hasText: 'Known as' }).locator('xpath=following-sibling::dd[1]').textContent();
      if (!known.split(', ').includes(alias)) throw new Error(`panel "Known as": "${known}", not ${alias}`);
      await page.locator('#search').fill('');
    });

    await check(results, failures, 'the timeline is by the day it happened', async () => {
      await page.locator('#reset').click();
      const events = map.reports.map((r) => r.event).sort();
      const received = map.reports.map((r) => r.date).sort();
      if (events[0] === received[0]) throw new Error('the fixture has no event before the first report arrived');
      const label = await page.locator('#range-label').textContent();
      if (label !== `${events[0]} to ${events[events.length - 1]}`) throw new Error(`range "${label}", events ${events[0]} to ${events[events.length - 1]}`);
      // The first day alone: only what happened that day (checked by map.json's events).
      await page.locator('#to').focus();
      await page.keyboard.press('Home');
      const ids = await drawnIds(page);
      const stray = ids.filter((id) => !entity.get(id).references.some((r) => day.get(r) === events[0]));
      if (!ids.length || stray.length) throw new Error(`${ids.length} drawn; not on ${events[0]}: ${stray.map((id) => entity.get(id).label).join(', ')}`);
      await page.keyboard.press('End');
    });

    await check(results, failures, 'selecting an entity dims what is not linked to it', async () => {
      await page.locator('#reset').click();
      const typed = map.links.filter((l) => l.kind !== 'named together');
      const busiest = [...map.entities].sort((a, b) => typed.filter((l) => l.source === b.id || l.target === b.id).length - typed.filter((l) => l.source === a.id || l.target === a.id).length)[0];
      await page.evaluate((id) => window.pisMap.cy.getElementById(`n${id}`).emit('tap'), busiest.id);
      await page.waitForSelector('#panel:not([hidden]) h2');
      const state = await page.evaluate((id) => {
        const cy = window.pisMap.cy;
        const n = cy.getElementById(`n${id}`);
        const near = n.closedNeighborhood().not('.hidden').nodes();
        return {
          nearDim: near.filter((x) => x.hasClass('dim')).length,
          near: near.length,
          farDim: cy.nodes().not('.hidden').not('.group').not(near).filter((x) => x.hasClass('dim')).length,
          far: cy.nodes().not('.hidden').not('.group').not(near).length,
        };
      }, busiest.id);
      if (state.near < 2 || state.nearDim !== 0 || state.farDim !== state.far || state.far === 0) throw new Error(JSON.stringify(state));
      await page.locator('#reset').click();
      const dimmed = await page.evaluate(() => window.pisMap.cy.$('.dim').length);
      if (dimmed) throw new Error(`${dimmed} still dimmed after "Show all again"`);
    });

    await check(results, failures, 'merge then reload keeps the merge', async () => {
      await page.locator('#reset').click();
      // An entity with one possible link, so its panel has one Merge button.
      const possibleOf = (id) => map.possible_links.filter((p) => p.source === id || p.target === id);
      const pair = map.possible_links.find((p) => possibleOf(p.source).length === 1 && entity.get(p.source).kind === entity.get(p.target).kind);
      if (!pair) throw new Error('no possible link to merge in the fixture');
      const [a, b] = [entity.get(pair.source), entity.get(pair.target)];
      await page.evaluate((id) => window.pisMap.cy.getElementById(`n${id}`).emit('tap'), a.id);
      await page.waitForSelector('#panel:not([hidden]) h2');
      const merges = page.locator('#panel button.merge');
      if ((await merges.count()) !== 1) throw new Error(`${await merges.count()} Merge buttons in the panel of ${a.label}`);
      const name = await merges.getAttribute('aria-label');
      if (name !== `Merge ${b.label} into ${a.label}`) throw new Error(`button "${name}"`);
      await merges.click();
      // And a note on it, which the workspace keeps and the next run carries.
      await page.locator('#note-text').fill('Seen at the arcade with <b>two</b> others');
      await page.locator('#panel button', { hasText: 'Save note' }).click();
      const listed = await page.locator('#panel h3', { hasText: 'Notes' }).locator('xpath=following-sibling::ul[1]').textContent();
      if (!listed.includes('Seen at the arcade with <b>two</b> others')) throw new Error(`notes listed: "${listed}"`);
      // And a note on one of its links (the first the panel lists), kept the same way.
      const linkTo = await page.locator('#note-about option').nth(1).getAttribute('value');
      await page.locator('#note-about').selectOption(linkTo);
      await page.locator('#note-text').fill('Drove <i>her</i> there twice');
      await page.locator('#panel button', { hasText: 'Save note' }).click();
      const linkNote = await page.locator('#panel p.link-note').first().textContent();
      if (linkNote !== 'Note: Drove <i>her</i> there twice') throw new Error(`link note shown: "${linkNote}"`);
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export').click()]);
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'map-workspace-'));
      try {
        const file = path.join(work, 'workspace.json');
        await download.saveAs(file);
        const ws = JSON.parse(fs.readFileSync(file, 'utf8'));
        const merged = ws.decisions.find((d) => d.action === 'merge');
        if (!merged || ![...identities(a), ...identities(b)].every((k) => merged.members.includes(k))) throw new Error(`exported ${JSON.stringify(ws)}`);
        const out = path.join(work, 'map');
        execFileSync(gatewayBinary(), ['map', '--identity', `${FIXTURE}/analyst.key`, '--signer', `${FIXTURE}/signing-keys.txt`, '--workspace', file, '--out', out, `${FIXTURE}/envelopes`], { stdio: 'pipe' });
        if ((fs.statSync(file).mode & 0o777) !== 0o600) throw new Error('the workspace is not 0600 after the run');
        const again = JSON.parse(fs.readFileSync(path.join(out, 'map.json'), 'utf8')).map;
        const one = again.entities.find((e) => identities(e).includes(identities(a)[0]));
        if (!one || !identities(b).every((k) => identities(one).includes(k))) throw new Error(`not merged: ${JSON.stringify(one)}`);
        if (JSON.stringify(one.notes) !== JSON.stringify(['Seen at the arcade with <b>two</b> others'])) throw new Error(`notes: ${JSON.stringify(one.notes)}`);
        const noted = again.links.filter((l) => (l.source === one.id || l.target === one.id) && l.notes.includes('Drove <i>her</i> there twice'));
        if (noted.length !== 1) throw new Error(`link notes: ${JSON.stringify(again.links.filter((l) => l.notes.length))}`);
        for (const f of ['i2.csv', 'map.graphml']) {
          const text = fs.readFileSync(path.join(out, f), 'utf8');
          if (!text.includes(f === 'i2.csv' ? '"Drove <i>her</i> there twice"' : 'Drove &lt;i&gt;her&lt;/i&gt; there twice')) throw new Error(`${f} does not carry the link's note`);
        }
        // The new page (reloaded from the second run) shows them as one, and says why.
        const second = await openMap(browser, path.join(out, 'map.html'), desktop);
        try {
          await second.page.evaluate((id) => window.pisMap.cy.getElementById(`n${id}`).emit('tap'), one.id);
          await second.page.waitForSelector('#panel:not([hidden]) h2');
          const why = await second.page.locator('#panel ul.evidence').textContent();
          if (!why.includes('merged by the analyst')) throw new Error(`evidence: "${why}"`);
          const status = await second.page.locator('#workspace-status').textContent();
          if (!status.startsWith(`${ws.decisions.length} decision`)) throw new Error(`workspace status: "${status}"`);
          if (second.problems.length) throw new Error(second.problems.join('; '));
        } finally {
          await second.context.close();
        }
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
      await page.locator('#search').fill('');
    });

    await check(results, failures, 'entities are grouped in a box per locality', async () => {
      const boxes = await page.evaluate(() =>
        window.pisMap.cy.nodes('.group').map((g) => ({ name: g.data('label'), children: g.children().map((n) => Number(n.id().slice(1))) })),
      );
      if (boxes.length < 2) throw new Error(`${boxes.length} locality boxes`);
      for (const b of boxes) {
        const stray = b.children.filter((id) => !entity.get(id).localities.some((l) => l.toLowerCase().replace(/_/g, ' ') === b.name));
        if (!b.children.length || stray.length) throw new Error(`box ${b.name}: ${b.children.length} entities, not of it: ${stray.join(', ')}`);
      }
      // Off, the same entities are drawn without boxes.
      await page.locator('#group').uncheck();
      const none = await page.evaluate(() => window.pisMap.cy.nodes('.group').length);
      await page.locator('#group').check();
      if (none) throw new Error(`${none} boxes with grouping off`);
    });

    await check(results, failures, 'screenshot', async () => {
      // The largest cluster on its own, its most-seen entity selected: what the README shows.
      await page.setViewportSize({ width: 1280, height: 860 });
      await page.locator('#reset').click();
      await page.locator('#cluster').selectOption('0');
      await page.evaluate(() => window.scrollTo(0, 0));
      // Selected through the node's own tap handler: a mouse click is checked above, and a
      // node laid out beyond the bottom of the window would take no click.
      await page.evaluate(() => {
        const cy = window.pisMap.cy;
        cy.nodes().not('.hidden').not('.group').sort((a, b) => b.degree() - a.degree())[0].emit('tap');
      });
      await page.waitForSelector('#panel:not([hidden]) h2');
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(shots, 'map.png') });
      await page.setViewportSize(desktop);
    });

    await check(results, failures, 'no script error or CSP refusal during the checks', async () => {
      if (problems.length) throw new Error(problems.join('; '));
    });
  } finally {
    await context.close();
  }

  await check(results, failures, 'search finds an entity of a cluster not drawn, and draws that cluster', async () => {
    const few = await openMap(browser, path.join(path.dirname(mapDir), 'map-few', 'map.html'), desktop);
    try {
      const drawn = new Set(await drawnIds(few.page));
      if (drawn.size === 0 || drawn.size > 100) throw new Error(`${drawn.size} entities drawn with --draw 100`);
      // The largest cluster with nothing drawn, and a full plate in it that no drawn entity's
      // label contains (so the only match is there).
      const cluster = map.clusters.find((c) => c.every((id) => !drawn.has(id)) && c.some((id) => entity.get(id).kind === 'vehicle'));
      if (!cluster) throw new Error('every cluster is drawn');
      const labels = [...drawn].map((id) => entity.get(id).label.toLowerCase());
      const plate = cluster
        .map((id) => entity.get(id))
        .find((e) => e.kind === 'vehicle' && !e.key.includes('?') && !labels.some((l) => l.includes(e.label.toLowerCase())));
      if (!plate) throw new Error('no plate only in the cluster');
      await few.page.locator('#search').fill(plate.label.toLowerCase());
      const button = few.page.locator('#results li.elsewhere button', { hasText: plate.label });
      if ((await button.count()) !== 1) {
        throw new Error(`results: ${JSON.stringify(await few.page.locator('#results button').allTextContents())}`);
      }
      await button.click();
      await few.page.waitForSelector('#panel:not([hidden]) h2');
      const now = (await drawnIds(few.page)).sort((a, b) => a - b);
      const want = [...cluster].sort((a, b) => a - b);
      if (JSON.stringify(now) !== JSON.stringify(want)) throw new Error(`drawn ${now.length} entities, the cluster has ${want.length}`);
      const heading = await few.page.locator('#panel h2').textContent();
      if (heading !== plate.label) throw new Error(`panel shows "${heading}"`);
      const selected = await few.page.evaluate(() => window.pisMap.cy.$('node:selected').map((n) => Number(n.id().slice(1))));
      if (JSON.stringify(selected) !== JSON.stringify([plate.id])) throw new Error(`selected: ${selected}`);
      // Back to the first drawing.
      await few.page.locator('#reset').click();
      const back = new Set(await drawnIds(few.page));
      if (back.size !== drawn.size || [...drawn].some((id) => !back.has(id))) throw new Error('"Show all again" does not bring back the first drawing');
      if (few.problems.length) throw new Error(few.problems.join('; '));
    } finally {
      await few.context.close();
    }
  });

  // axe is injected as a script, which the page's CSP (rightly) refuses: a second context
  // that bypasses the CSP, with search results listed and the panel open.
  await check(results, failures, 'axe finds no violation (controls, results, panel, tables)', async () => {
    const second = await openMap(browser, file, desktop, { bypassCSP: true });
    try {
      await second.page.locator('#search').fill('a');
      await second.page.locator('#results button').first().click();
      await second.page.waitForSelector('#panel:not([hidden]) h2');
      const violations = await runAxe(second.page);
      if (violations.length) {
        throw new Error(violations.map((v) => `${v.id}: ${v.targets.slice(0, 3).join(' | ')}`).join('; '));
      }
    } finally {
      await second.context.close();
    }
  });
}
