'use strict';
// The demo page in headless Chromium, checked against the native report
// example on the same input: what the page shows must be what the Rust core
// computes, with the same privacy decisions.
//
// Needs: Debian's chromium (/usr/bin/chromium, or CHROMIUM=path), the
// playwright-core dev dependency (npm ci in exitcore-wasm), the web build in
// exitcore-wasm/demo/pkg and the nodejs build in exitcore-wasm/pkg (see
// scripts/test-all.sh). Run from anywhere: node --test exitcore-wasm/e2e/
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const wasmDir = path.resolve(__dirname, '..');
const root = path.resolve(wasmDir, '..');
const outDir = path.join(root, 'target', 'e2e');
const tafeCsv = path.resolve(root, '..', 'shared', 'data', 'tafe_survey.csv');
const tafeMapping = path.join(root, 'examples', 'mappings', 'tafe.json');
const tafeQuestionnaire = path.join(root, 'examples', 'mappings', 'tafe_questionnaire.json');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

// Generous guards against a hang, not expectations about speed.
const RUN_TIMEOUT = 180_000;
const TEST_TIMEOUT = 900_000;

// Missing prerequisites fail loudly: a skipped browser test would look green.
function requireFile(file, how) {
  if (!fs.existsSync(file)) throw new Error(`${path.relative(root, file) || file} is missing: ${how}`);
}
requireFile(chromiumPath, 'apt-get install -y chromium (or set CHROMIUM)');
requireFile(path.join(wasmDir, 'node_modules', 'playwright-core'), 'run npm ci in exitcore-wasm');
requireFile(path.join(wasmDir, 'demo', 'pkg', 'exitcore_wasm.js'),
  'wasm-bindgen --target web --out-dir exitcore-wasm/demo/pkg target/wasm32-unknown-unknown/release/exitcore_wasm.wasm');
requireFile(path.join(wasmDir, 'pkg', 'exitcore_wasm.js'), 'build the nodejs package (npm run build)');

const { chromium } = require('playwright-core');
const { start } = require('../demo/serve.cjs');
const exitcore = require('../pkg/exitcore_wasm.js');

let browser;
let server;
let baseUrl;

before(async () => {
  fs.mkdirSync(outDir, { recursive: true });
  ({ server, url: baseUrl } = await start({ port: 0 }));
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (server) await new Promise((resolve) => server.close(resolve));
});

/** The native report example; returns its exit status and output. */
function native(args) {
  const r = spawnSync('cargo', ['run', '--release', '--quiet', '--example', 'report', '--', ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return r;
}

/** The native JSON report for `args` (written under target/e2e/). */
function nativeJson(args, name) {
  const out = path.join(outDir, name);
  const r = native([...args, '--format', 'json', '--out', out]);
  assert.equal(r.status, 0, `native report failed:\n${r.stderr}`);
  return { doc: JSON.parse(fs.readFileSync(out, 'utf8')), stdout: r.stdout, stderr: r.stderr };
}

/**
 * Deep equality with a relative tolerance of 1e-12 on non-integer numbers
 * (native and wasm may differ in the last ulps); counts, texts, keys and
 * nulls (withheld values) must match exactly.
 */
function assertClose(actual, expected, at = '$') {
  if (typeof expected === 'number' && typeof actual === 'number') {
    if (Number.isInteger(expected) && Number.isInteger(actual)) {
      assert.equal(actual, expected, at);
      return;
    }
    const scale = Math.max(Math.abs(actual), Math.abs(expected));
    assert.ok(Math.abs(actual - expected) <= 1e-12 * scale, `${at}: ${actual} vs native ${expected}`);
    return;
  }
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${at}: not an array`);
    assert.equal(actual.length, expected.length, `${at}: length`);
    expected.forEach((e, i) => assertClose(actual[i], e, `${at}[${i}]`));
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    assert.ok(actual !== null && typeof actual === 'object' && !Array.isArray(actual), `${at}: not an object`);
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${at}: keys`);
    for (const k of Object.keys(expected)) assertClose(actual[k], expected[k], `${at}.${k}`);
    return;
  }
  assert.equal(actual, expected, at);
}

/** A fresh page that records every request and every script error. */
async function openPage() {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const seen = { requests: [], errors: [] };
  context.on('request', (r) => seen.requests.push(r.url()));
  page.on('pageerror', (e) => seen.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') seen.errors.push(`console: ${m.text()}`);
  });
  page.on('worker', (w) => w.on('console', (m) => {
    if (m.type() === 'error') seen.errors.push(`worker console: ${m.text()}`);
  }));
  await page.goto(baseUrl);
  return { page, context, seen };
}

/** Nothing but the page's own files was requested, and no script failed. */
function assertQuiet(seen) {
  const origin = new URL(baseUrl).origin;
  const foreign = seen.requests.filter((u) => !u.startsWith(`${origin}/`) && !/^(blob|data|about):/.test(u));
  assert.deepEqual(foreign, [], 'requests to other places than the page itself');
  assert.deepEqual(seen.errors, [], 'script errors on the page');
}

/** Clicks "Make report" and waits until the worker has answered. */
async function makeReport(page) {
  await page.click('[data-testid="run"]');
  await page.waitForSelector('body:not([aria-busy])', { timeout: RUN_TIMEOUT });
  const error = page.locator('[data-testid="error"]');
  return (await error.isVisible()) ? { error: await error.innerText() } : { error: null };
}

async function setOptions(page, { k, lang }) {
  await page.fill('[data-testid="k"]', String(k));
  await page.selectOption('[data-testid="lang"]', lang);
}

/** The report JSON behind the page's "Download JSON" link. */
async function downloadedJson(page) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('[data-testid="download-json"]'),
  ]);
  assert.equal(download.suggestedFilename(), 'exitcore-report.json');
  return JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
}

/** What the summary panel shows: text and unformatted value per number. */
async function shownSummary(page) {
  return page.evaluate(() => {
    const out = {};
    for (const el of document.querySelectorAll('[data-testid^="summary-"], [data-testid^="import-"]')) {
      out[el.dataset.testid] = { text: el.textContent, value: el.dataset.value ?? null };
    }
    out.insights = [...document.querySelectorAll('[data-testid="insight"]')].map((li) => li.textContent);
    return out;
  });
}

/** The summary panel against the native report, number by number. */
function assertSummary(shown, doc) {
  const a = doc.analysis;
  const lang = doc.lang;
  // The page writes numbers like the report does: no thousands separators,
  // a decimal comma in Dutch.
  const whole = new Intl.NumberFormat(lang, { maximumFractionDigits: 0, useGrouping: false });
  const oneDecimal = new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: false });
  const counts = {
    'summary-exits': a.overall.n,
    'summary-k': a.policy.k,
    'summary-cells': a.audit.cells,
    'summary-released': a.audit.released,
    'summary-withheld-small': a.audit.primary,
    'summary-withheld-homogeneous': a.audit.homogeneous,
    'summary-withheld-secondary': a.audit.secondary,
    'summary-comments-withheld': a.audit.comments_withheld,
    'summary-insight-count': a.insights.length,
  };
  for (const [id, n] of Object.entries(counts)) {
    assert.equal(typeof n, 'number', `native ${id} is a number`);
    assert.equal(shown[id].value, String(n), id);
    assert.equal(shown[id].text, whole.format(n), id);
  }
  if (a.overall.enps) {
    const enps = a.overall.enps.score;
    assertClose(Number(shown['summary-enps'].value), enps, 'summary-enps');
    assert.equal(shown['summary-enps'].text, oneDecimal.format(enps), 'summary-enps as displayed');
  } else {
    // No eNPS question (TAFE): shown as absent, not as a number.
    assert.deepEqual(shown['summary-enps'], { text: '–', value: '' });
  }
  const top = a.insights.slice(0, 5).map((i) => i[lang]);
  assert.ok(top.length > 0, 'the native report has findings to compare');
  assert.deepEqual(shown.insights, top, 'the top findings, in the native order and words');
}

/** The report in the frame is the core's HTML, with its charts. */
async function assertFrame(page, doc) {
  const frame = page.frameLocator('[data-testid="report-frame"]');
  assert.equal(await frame.locator('h1').first().innerText(), doc.title);
  assert.ok(await frame.locator('svg').count() > 0, 'the report has charts');
  // Sized to its content, not a small scrolling box.
  const box = await page.locator('[data-testid="report-frame"]').boundingBox();
  assert.ok(box.height > 900, `report frame height ${box.height}`);
}

test('the synthetic organisation gives the native report, number for number', { timeout: TEST_TIMEOUT }, async () => {
  const exits = 3000;
  const seed = 11;
  const k = 7;
  const lang = 'en';
  // The page calls generate({ exits, seed }) with every other OrgConfig field
  // at the core's default, like the example's --exits/--seed, and passes the
  // organisation's headcount and stayers like the example does.
  const expected = nativeJson(['--exits', String(exits), '--seed', String(seed), '--k', String(k), '--lang', lang], 'native-synth.json').doc;
  assert.equal(expected.analysis.overall.n, exits);
  assert.deepEqual(expected.inputs, { headcount: true, stayers: true, roster: false, ledger: false });

  const { page, context, seen } = await openPage();
  await page.fill('[data-testid="exits"]', String(exits));
  await page.fill('[data-testid="seed"]', String(seed));
  await setOptions(page, { k, lang });
  const r = await makeReport(page);
  assert.equal(r.error, null);

  const shown = await shownSummary(page);
  assertSummary(shown, expected);
  assert.equal(shown['summary-source'].text, 'synthetic organisation');
  assertClose(await downloadedJson(page), expected);
  await assertFrame(page, expected);

  await page.screenshot({ path: path.join(outDir, 'report.png'), fullPage: true });
  assertQuiet(seen);
  await context.close();
});

test('the TAFE export through its mapping gives the native report', { timeout: TEST_TIMEOUT }, async () => {
  requireFile(tafeCsv, 'the shared data folder sits beside the repository');
  const k = 6;
  const lang = 'nl';
  const { doc: expected, stdout, stderr } = nativeJson(['--data', tafeCsv, '--mapping', tafeMapping, '--k', String(k), '--lang', lang], 'native-tafe.json');
  // The native import's counts, from its progress line and its summary line.
  const [, imported, rows] = stderr.match(/(\d+) of (\d+) rows/);
  const [, rejected] = stdout.match(/exit interviews, (\d+) rejected/);

  const { page, context, seen } = await openPage();
  await page.check('[data-testid="source-files"]');
  await page.setInputFiles('[data-testid="csv-file"]', tafeCsv);
  await page.setInputFiles('[data-testid="mapping-file"]', tafeMapping);
  // The questionnaire arrives by drag and drop, the way a user would bring it.
  const dropped = await page.evaluateHandle(({ name, text }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], name, { type: 'application/json' }));
    return dt;
  }, { name: path.basename(tafeQuestionnaire), text: fs.readFileSync(tafeQuestionnaire, 'utf8') });
  await page.dispatchEvent('label[data-slot="questionnaire"]', 'drop', { dataTransfer: dropped });
  assert.equal(await page.innerText('[data-testid="questionnaire-name"]'), 'tafe_questionnaire.json');
  await setOptions(page, { k, lang });
  const r = await makeReport(page);
  assert.equal(r.error, null);

  const shown = await shownSummary(page);
  assertSummary(shown, expected);
  assert.equal(shown['summary-source'].text, 'tafe_survey.csv + tafe.json + tafe_questionnaire.json');
  assert.equal(shown['import-rows'].value, rows);
  assert.equal(shown['import-imported'].value, imported);
  assert.equal(shown['import-rejected'].value, rejected);
  assertClose(await downloadedJson(page), expected);
  await assertFrame(page, expected);
  assertQuiet(seen);
  await context.close();
});

test('a bad k or a bad mapping shows the core\'s message and the page keeps working', { timeout: TEST_TIMEOUT }, async () => {
  const { page, context, seen } = await openPage();
  await page.fill('[data-testid="exits"]', '600');

  // k = 1: the core refuses it; the native example says the same words.
  const refused = native(['--k', '1']);
  assert.equal(refused.status, 2);
  const nativeMessage = refused.stderr.trim().split('\n').pop().replace(/^error: /, '');
  await setOptions(page, { k: 1, lang: 'en' });
  let r = await makeReport(page);
  assert.ok(r.error, 'an error is shown');
  assert.equal(await page.innerText('[data-testid="error-message"]'), nativeMessage);
  assert.equal(await page.isVisible('[data-testid="result"]'), false, 'no stale report next to the error');

  // Not a whole number: the page passes it on as typed and the core refuses
  // it, with the words exitcore's report() uses in Node.
  const org = exitcore.generate({ exits: 600 });
  const ds = exitcore.Dataset.fromRecords(org.questionnaire, org.records).dataset;
  let nodeError;
  try {
    ds.report({ policy: { k: 2.5 } });
  } catch (e) {
    nodeError = e;
  }
  assert.equal(nodeError.code, 'invalid_argument');
  await page.fill('[data-testid="k"]', '2.5');
  r = await makeReport(page);
  assert.ok(r.error);
  assert.equal(await page.innerText('[data-testid="error-message"]'), nodeError.message);

  // A valid k works again on the same page.
  await setOptions(page, { k: 5, lang: 'en' });
  r = await makeReport(page);
  assert.equal(r.error, null);
  assert.equal(await page.getAttribute('[data-testid="summary-exits"]', 'data-value'), '600');

  // A mapping without its questionnaire file, then a broken mapping: the
  // messages are those of exitcore's Mapping.fromJson (run here in Node).
  const mappingError = (text) => {
    try {
      exitcore.Mapping.fromJson(text);
    } catch (e) {
      return e;
    }
    throw new Error('expected the mapping to be refused');
  };
  await page.check('[data-testid="source-files"]');
  await page.setInputFiles('[data-testid="csv-file"]', tafeCsv);
  await page.setInputFiles('[data-testid="mapping-file"]', tafeMapping);
  r = await makeReport(page);
  const noQuestionnaire = mappingError(fs.readFileSync(tafeMapping, 'utf8'));
  assert.equal(noQuestionnaire.field, 'questionnaire.path');
  assert.equal(await page.innerText('[data-testid="error-message"]'), noQuestionnaire.message);
  assert.ok(r.error.includes('questionnaire JSON'), `a hint to add the questionnaire: ${r.error}`);

  const broken = '{"questionnaire": "standard", "respondent": {"column": "ID"}, "answers": {"nope": {"column": "X"}}}';
  await page.setInputFiles('[data-testid="mapping-file"]', {
    name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(broken),
  });
  r = await makeReport(page);
  const brokenError = mappingError(broken);
  assert.equal(brokenError.code, 'mapping');
  assert.equal(await page.innerText('[data-testid="error-message"]'), brokenError.message);
  assert.ok(r.error.includes(`code: ${brokenError.code}`), r.error);

  // Not JSON at all.
  await page.setInputFiles('[data-testid="mapping-file"]', {
    name: 'notjson.json', mimeType: 'application/json', buffer: Buffer.from('this is not JSON'),
  });
  r = await makeReport(page);
  assert.ok(r.error, 'an error is shown for a mapping that is not JSON');

  // And after all that, the synthetic organisation still gives a report.
  await page.check('[data-testid="source-synthetic"]');
  r = await makeReport(page);
  assert.equal(r.error, null);
  assert.equal(await page.getAttribute('[data-testid="summary-exits"]', 'data-value'), '600');
  assertQuiet(seen);
  await context.close();
});
