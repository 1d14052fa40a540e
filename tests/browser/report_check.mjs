// tests/browser/report_check.mjs - open a parapet HTML report in headless
// Chromium and check what a user would see. Prints "ok: ..." or
// "FAIL: ..." per check; exits 1 when any check failed, 2 when the browser
// could not be driven.
//
//   node report_check.mjs MODE REPORT.html OUTDIR [KEY=VALUE...]
//
// MODE demo:   expect_failed=N expect_critical=N expect_frameworks=N
//              search=TEXT (a resource uid that has failing findings)
// MODE hostile: needle=TEXT (the hostile resource name, shown as text)
// MODE empty:  (a scan without findings)
// MODE large:  expect_rows=N expect_critical=N max_load_ms=N max_filter_ms=N
// Screenshots go to OUTDIR/MODE-*.png.
import { writeFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Browser } from './cdp.mjs';

const [mode, report, outdir, ...kv] = process.argv.slice(2);
const arg = Object.fromEntries(kv.map((s) => [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)]));
let failures = 0;
const ok = (what) => console.log(`ok: ${what}`);
const fail = (what) => { console.log(`FAIL: ${what}`); failures++; };
const check = (what, cond, detail = '') => (cond ? ok(what) : fail(`${what}${detail ? ` (${detail})` : ''}`));
mkdirSync(outdir, { recursive: true });

// The lowest WCAG contrast ratio between the text colour of the elements
// matching @sel and the first opaque background behind each.
const CONTRAST = `(sel) => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = (c) => { const v = rgb(c).slice(0, 3).map((x) => { x /= 255;
    return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const bg = (e) => { for (; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor;
    const a = rgb(c); if (a.length === 3 || (a.length === 4 && a[3] > 0.9)) return c; } return 'rgb(255, 255, 255)'; };
  let min = 99;
  for (const e of document.querySelectorAll(sel)) {
    const a = lum(getComputedStyle(e).color), b = lum(bg(e));
    min = Math.min(min, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05));
  }
  return Math.round(min * 100) / 100;
}`;
const TEXT = '#severity-table th, #severity-table td, .note, .meta, nav a, #findings-body td, .card dt, .card dd, ' +
  'thead th button, label';

const browser = await Browser.launch();
let page;
async function shot(name) {
  const png = await page.screenshot();
  writeFileSync(resolve(outdir, `${mode}-${name}.png`), png);
  check(`screenshot ${mode}-${name}.png (${png.length} bytes)`, png.length > 1000);
}
const q = (sel, what = 'textContent') => page.eval(`document.querySelector(${JSON.stringify(sel)})?.${what} ?? null`);
const count = async () => Number(await q('#result-count', 'dataset.count'));
const rowsInDom = () => page.eval(`document.querySelectorAll('#findings-body tr.row').length`);
const cellTexts = (col) => page.eval(`Array.from(document.querySelectorAll('#findings-body tr.row'),
  (tr) => tr.cells[${col}].textContent)`);
async function select(id, value) {
  return page.eval(`(() => { const s = document.getElementById(${JSON.stringify(id)}); s.value = ${JSON.stringify(value)};
    const t = performance.now(); s.dispatchEvent(new Event('change')); return performance.now() - t; })()`);
}

async function open() {
  page = await browser.newPage();
  const t0 = Date.now();
  await page.goto(pathToFileURL(resolve(report)).href);
  const ready = await page.eval(`new Promise((res) => { const t = Date.now(); (function w() {
    if (document.documentElement.dataset.ready === 'true') res(true);
    else if (Date.now() - t > 60000) res(false); else setTimeout(w, 20); })(); })`, 70000);
  const ms = Date.now() - t0;
  check(`the report renders (${ms} ms)`, ready);
  return ms;
}

function noProblems() {
  const probs = page.problems();
  check('no console errors, exceptions or dialogs', probs.length === 0, probs.join('; '));
  const external = page.requests().filter((u) => !u.startsWith('file:') && !u.startsWith('data:') &&
    !u.startsWith('about:'));
  check('no network request but the file itself', external.length === 0, external.join(' '));
}

async function demo() {
  await open();
  const failed = Number(arg.expect_failed), crit = Number(arg.expect_critical);
  check(`overview: failed findings = ${failed}`, Number((await q('#count-failed')).replace(/,/g, '')) === failed,
    await q('#count-failed'));
  check(`overview: critical by severity = ${crit}`,
    Number(await q('#severity-table td[data-severity="critical"]')) === crit);
  const score = await q('#score');
  check(`overview: a posture score in percent (${score})`, /^\d+(\.\d)?%$/.test(score));
  check(`table: the default filter (status fail) shows ${failed}`, (await count()) === failed);
  const cLight = await page.eval(`(${CONTRAST})(${JSON.stringify(TEXT)})`);
  check(`light mode: text contrast at least 4.5:1 (lowest ${cLight})`, cLight >= 4.5);
  const inDom = await rowsInDom();
  check(`table: only visible rows are in the DOM (${inDom} < ${failed})`, inDom > 0 && inDom < Math.min(failed, 80));
  await shot('overview');

  // compliance: one block per framework; open the first and a requirement
  const nfw = await page.eval(`document.querySelectorAll('#framework-list details.fw').length`);
  check(`compliance: ${arg.expect_frameworks} frameworks`, nfw === Number(arg.expect_frameworks), String(nfw));
  const reqs = await page.eval(`(() => { const d = document.querySelector('#framework-list details.fw');
    d.open = true; return new Promise((r) => setTimeout(() => r(d.querySelectorAll('details.req').length), 50)); })()`);
  const want = await page.eval(`JSON.parse(document.getElementById('report-data').textContent).frameworks[0].reqs.length`);
  check(`compliance: opening a framework lists its ${want} requirements`, reqs === want && want > 0, String(reqs));
  // drill down: the first requirement with rules, its first rule, "Show findings"
  const rule = await page.eval(`(() => { const d = document.querySelector('#framework-list details.fw');
    const rq = Array.from(d.querySelectorAll('details.req')).find((x) => x.querySelector('table'));
    rq.open = true; rq.scrollIntoView();
    const tr = rq.querySelector('tbody tr');
    return { id: tr.cells[0].textContent, n: ['1', '2', '3'].reduce((a, k) => a + Number(tr.cells[k].textContent), 0) };
  })()`);
  await shot('compliance');
  await page.eval(`document.querySelector('#framework-list details.req[open] tbody tr button').click()`);
  check(`compliance: "Show findings" of rule ${rule.id} shows its ${rule.n} findings`,
    (await count()) === rule.n && (await cellTexts(2)).every((r) => r === rule.id), String(await count()));
  await page.eval(`document.getElementById('rule-filter-clear').click()`);
  await select('filter-status', 'fail');
  check('compliance: clearing the rule filter restores the table', (await count()) === failed);

  // filter severity = critical
  await select('filter-severity', 'critical');
  check(`filter severity=critical: exactly ${crit} findings`, (await count()) === crit, String(await count()));
  const sevs = await cellTexts(0);
  check('filter severity=critical: every row shown is critical', sevs.length > 0 && sevs.every((s) => s === 'critical'),
    sevs.join(','));
  await page.eval(`document.getElementById('findings').scrollIntoView()`);
  await shot('filtered-critical');
  await select('filter-severity', '');

  // search
  await page.eval(`document.getElementById('filter-text').focus()`);
  await page.type(arg.search);
  await page.eval(`new Promise((r) => setTimeout(r, 400))`);
  const n = await count(), uids = await cellTexts(3);
  check(`search '${arg.search}': ${n} findings, each on that resource`,
    n > 0 && n < failed && uids.every((u) => u.includes(arg.search)), uids.slice(0, 3).join(','));
  await page.eval(`(() => { const s = document.getElementById('filter-text'); s.value = '';
    s.dispatchEvent(new Event('input')); })()`);
  await page.eval(`new Promise((r) => setTimeout(r, 400))`);

  // sorting by rule, ascending
  await page.eval(`document.querySelector('button[data-sort="rule"]').click()`);
  const rules = await cellTexts(2);
  const sorted = rules.slice().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  check('sort by rule: ascending, marked aria-sort', JSON.stringify(rules) === JSON.stringify(sorted) &&
    (await q('button[data-sort="rule"]', 'parentNode.getAttribute("aria-sort")')) === 'ascending');
  await page.eval(`document.querySelector('button[data-sort="severity"]').click()`);

  noProblems();

  // keyboard only, on a fresh load: the skip link, arrows, Enter opens the
  // detail, Escape closes it
  await open();
  await page.key('Tab');
  check('keyboard: Tab reaches the skip link first', (await q(':focus', 'className')) === 'skip');
  await page.key('Enter');
  await page.eval(`new Promise((r) => setTimeout(r, 100))`);
  check('keyboard: the skip link puts focus on the first row',
    (await q(':focus', 'dataset.pos')) === '0', String(await q(':focus', 'outerHTML')).slice(0, 120));
  await page.key('ArrowDown');
  await page.key('ArrowDown');
  check('keyboard: ArrowDown twice focuses the third row', (await q(':focus', 'dataset.pos')) === '2');
  const rowUid = await q('#findings-body tr.row[data-pos="2"] td:nth-child(4)');
  await page.key('Enter');
  check('keyboard: Enter opens the finding', (await q('#detail', 'open')) === true);
  const fields = await q('#detail-fields');
  check('detail: shows the resource of that row', fields.includes(rowUid), rowUid);
  check('detail: has evidence and remediation', (await q('#detail-evidence')).length > 2 &&
    (await q('#detail-remediation')).length > 5);
  check('keyboard: focus moves into the dialog', (await q(':focus', 'id')) === 'detail-close');
  await shot('detail');
  await page.key('Escape');
  await page.eval(`new Promise((r) => setTimeout(r, 100))`);
  check('keyboard: Escape closes the finding and focus returns to its row',
    (await q('#detail', 'open')) === false && (await q(':focus', 'dataset.pos')) === '2');

  // dark mode
  await page.send('Emulation.setEmulatedMedia', { features: [{ name: 'prefers-color-scheme', value: 'dark' }] });
  const bg = await page.eval(`getComputedStyle(document.body).backgroundColor`);
  check(`dark mode: dark background (${bg})`, bg === 'rgb(18, 20, 23)');
  await page.eval(`window.scrollTo(0, 0)`);
  const cDark = await page.eval(`(${CONTRAST})(${JSON.stringify(TEXT)})`);
  check(`dark mode: text contrast at least 4.5:1 (lowest ${cDark})`, cDark >= 4.5);
  await shot('dark');
  noProblems();
}

async function hostile() {
  await open();
  const pwned = await page.eval(`typeof window.__parapet_pwned`);
  check('hostile: no injected script ran', pwned === 'undefined');
  const scripts = await page.eval(`document.scripts.length`);
  check('hostile: the page has exactly its two script elements', scripts === 2, String(scripts));
  await select('filter-status', '');
  await page.eval(`document.getElementById('filter-text').focus()`);
  await page.type(arg.needle);
  await page.eval(`new Promise((r) => setTimeout(r, 400))`);
  const uids = await cellTexts(3);
  check('hostile: the name is found by search and shown as text', uids.length > 0 &&
    uids.every((u) => u.includes(arg.needle)), uids.join(' | '));
  await page.eval(`document.querySelector('#findings-body tr.row').click()`);
  check('hostile: the detail shows the name as text', (await q('#detail-fields')).includes(arg.needle));
  const injected = await page.eval(`document.querySelectorAll('main script, dialog script, img[src], iframe').length`);
  check('hostile: no element was created from the data', injected === 0);
  await shot('detail');
  noProblems();
  // defence in depth: the CSP admits only the page's own script (by hash)
  const ran = await page.eval(`new Promise((res) => { const s = document.createElement('script');
    s.textContent = 'window.__parapet_pwned = 4'; document.body.appendChild(s);
    setTimeout(() => res(typeof window.__parapet_pwned), 100); })`);
  check('hostile: the Content-Security-Policy stops an inline script added later', ran === 'undefined');
}

async function empty() {
  await open();
  check('empty scan: the score is n/a', (await q('#score')) === 'n/a');
  check('empty scan: 0 failed findings', (await q('#count-failed')) === '0');
  check('empty scan: the table is empty', (await count()) === 0 && (await rowsInDom()) === 0);
  await page.key('Tab');
  await page.key('Enter');
  check('empty scan: keyboard on an empty table raises nothing', page.problems().length === 0);
  noProblems();
}

async function large() {
  const loadMs = await open();
  const rows = Number(arg.expect_rows), crit = Number(arg.expect_critical);
  // Timings are printed for the reader, not judged: a loaded CI machine is no
  // measure of speed (contrib/bench/ is where speed is measured).
  console.log(`info: large: loaded in ${loadMs} ms`);
  await select('filter-status', '');
  check(`large: all ${rows} findings in the table`, (await count()) === rows, String(await count()));
  const inDom = await rowsInDom();
  check(`large: only visible rows are in the DOM (${inDom})`, inDom > 0 && inDom < 100);
  const ms = await select('filter-severity', 'critical');
  check(`large: filter severity=critical gives ${crit}`, (await count()) === crit, String(await count()));
  console.log(`info: large: filtered in ${Math.round(ms)} ms`);
  await select('filter-severity', '');
  const sortMs = await page.eval(`(() => { const t = performance.now();
    document.querySelector('button[data-sort="uid"]').click(); return performance.now() - t; })()`);
  console.log(`info: large: sorted by resource in ${Math.round(sortMs)} ms`);
  await page.eval(`(() => { const w = document.getElementById('findings-table-wrap'); w.scrollTop = w.scrollHeight; })()`);
  await page.eval(`new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50)))`);
  const lastPos = await page.eval(`Math.max(...Array.from(document.querySelectorAll('#findings-body tr.row'),
    (tr) => Number(tr.dataset.pos)))`);
  check(`large: scrolled to the end, the last row (${rows - 1}) is rendered`, lastPos === rows - 1, String(lastPos));
  check('large: still few rows in the DOM after scrolling', (await rowsInDom()) < 100);
  await page.eval(`document.getElementById('findings').scrollIntoView()`);
  await shot('scrolled');
  noProblems();
}

try {
  if (mode === 'demo') await demo();
  else if (mode === 'hostile') await hostile();
  else if (mode === 'large') await large();
  else if (mode === 'empty') await empty();
  else throw new Error(`unknown mode ${mode}`);
} catch (e) {
  console.log(`FAIL: the browser could not be driven: ${e.stack || e}`);
  if (browser.stderr) console.log(browser.stderr.split('\n').slice(-10).join('\n'));
  await browser.close();
  process.exit(2);
}
await browser.close();
process.exit(failures ? 1 : 0);
