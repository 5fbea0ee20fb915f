'use strict';
// The same data and policy give byte-identical report JSON from the Rust
// main job, from Python (`python -m exitcore report`) and from this wasm
// package. The native builds call the platform's libm and wasm32 calls
// Rust's, so this only holds because the core computes every
// transcendental function through the pure-Rust libm crate
// (exitcore::stats::special); this test is what keeps it so.
//
// Needs cargo and the Python package installed in ../.venv (or the
// interpreter named by EXITCORE_PYTHON), as the README's test command
// provides.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { exitcore } = require('./support.cjs');

const root = path.resolve(__dirname, '..', '..');
const python = process.env.EXITCORE_PYTHON || path.join(root, '.venv', 'bin', 'python');
const tafeCsv = path.join(root, '..', 'shared', 'data', 'tafe_survey.csv');
const tafeMapping = path.join(root, 'examples', 'mappings', 'tafe.json');

function run(cmd, args) {
  const out = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(out.error, undefined, `${cmd} could not start: ${out.error}`);
  assert.equal(out.status, 0, `${cmd} ${args.join(' ')} failed:\n${out.stderr}`);
}

/** The report JSON the Rust main job and the Python command write for `args`. */
function nativeReports(args) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exitcore-identical-'));
  const rustOut = path.join(dir, 'rust.json');
  const pyOut = path.join(dir, 'python.json');
  run('cargo', ['run', '--release', '--quiet', '--example', 'report', '--',
    ...args, '--format', 'json', '--out', rustOut]);
  run(python, ['-m', 'exitcore', 'report', ...args, '--format', 'json', '--out', pyOut]);
  const reports = { rust: fs.readFileSync(rustOut, 'utf8'), python: fs.readFileSync(pyOut, 'utf8') };
  fs.rmSync(dir, { recursive: true, force: true });
  return reports;
}

/** Fails with the first differing line rather than two megabytes of JSON. */
function assertIdentical(actual, expected, what) {
  if (actual === expected) return;
  const a = actual.split('\n');
  const e = expected.split('\n');
  const line = a.findIndex((l, i) => l !== e[i]);
  assert.fail(`${what} differ from line ${line + 1}:\n  ${a[line]}\n  ${e[line]}`);
}

test('synthetic organisation: Rust, Python and wasm write the same bytes', () => {
  const args = ['--exits', '3000', '--seed', '7', '--k', '5', '--lang', 'en'];
  const native = nativeReports(args);
  const org = exitcore.generate({ seed: 7, exits: 3000 });
  const data = exitcore.Dataset.fromRecords(org.questionnaire, org.records).dataset;
  const wasm = data.report({
    lang: 'en', policy: { k: 5 }, headcount: org.headcount, stayers: org.stayers,
  }).toJson();
  // A report with statistics in it, not an empty shell that matches trivially.
  const doc = JSON.parse(wasm);
  assert.ok(doc.analysis.insights.length > 0 && doc.analysis.survival !== null);
  assertIdentical(native.python, native.rust, 'Python and Rust');
  assertIdentical(wasm, native.rust, 'wasm and Rust');
});

test('an imported CSV: Rust, Python and wasm write the same bytes', () => {
  const args = ['--data', tafeCsv, '--mapping', tafeMapping, '--k', '7', '--lang', 'nl'];
  const native = nativeReports(args);
  // The mapping names its questionnaire file; a browser has no file system,
  // so the wasm side is handed the questionnaire the native side reads.
  const questionnaire = exitcore.Questionnaire.fromJson(
    fs.readFileSync(path.join(path.dirname(tafeMapping), 'tafe_questionnaire.json'), 'utf8'));
  const mapping = exitcore.Mapping.fromJsonWithQuestionnaire(
    fs.readFileSync(tafeMapping, 'utf8'), questionnaire);
  const data = exitcore.Dataset.importCsv(fs.readFileSync(tafeCsv), mapping).dataset;
  const wasm = data.report({ lang: 'nl', policy: { k: 7 } }).toJson();
  assert.ok(JSON.parse(wasm).analysis.overall.n > 100);
  assertIdentical(native.python, native.rust, 'Python and Rust');
  assertIdentical(wasm, native.rust, 'wasm and Rust');
});
