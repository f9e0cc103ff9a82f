// The analyst's guide's before-and-after pictures of one set of reports (docs/src/analyst.md):
// the map as it first opens, with no workspace and no grouping, and the same reports mapped
// again with the analyst's workspace, grouped by locality, both panels folded.
// Chromium (/usr/bin/chromium, or CHROMIUM) driven by playwright-core, as the browser suite.
//
//   node tests/browser/map-before-after.mjs BEFORE_DIR AFTER_DIR OUT_DIR
//
// BEFORE_DIR and AFTER_DIR are `map --out` folders; writes OUT_DIR/map-before.png and
// OUT_DIR/map-after.png.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [before, after, out] = process.argv.slice(2);
if (!out) {
  console.error('usage: node tests/browser/map-before-after.mjs BEFORE_DIR AFTER_DIR OUT_DIR');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
async function shot(dir, file, prepare) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(pathToFileURL(path.join(dir, 'map.html')).href);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  await prepare(page);
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(out, file) });
  await page.close();
}
await shot(before, 'map-before.png', async (page) => {
  await page.locator('#group').uncheck();
  await page.locator('#controls-fold summary').click();
  await page.locator('#panel-fold summary').click();
});
await shot(after, 'map-after.png', async (page) => {
  await page.locator('#controls-fold summary').click();
  await page.locator('#panel-fold summary').click();
});
await browser.close();
