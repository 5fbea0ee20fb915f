'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { exitcore, record, throwsCode, assertPlain } = require('./support.cjs');

const { Questionnaire, Dataset } = exitcore;

test('fromRecords keeps valid records and reports bad ones by row and field', () => {
  const q = Questionnaire.standard();
  const records = [
    record('a'),
    record('b', { answers: { enps: 11 } }),
    record('c', { context: { org_unit: ['Ops', 'South'] } }),
    record('d', { context: { tenure: 'long' } }),
    42,
  ];
  const out = Dataset.fromRecords(q, records);
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.deepEqual(Object.keys(out), ['dataset', 'problems', 'rejected']);
  assert.ok(out.dataset instanceof Dataset);
  assert.equal(out.dataset.length, 2);
  assert.equal(out.rejected, 3);
  assertPlain(out.problems);
  assert.deepEqual(
    out.problems.map((p) => [p.row, p.respondent, p.field, p.kind]),
    [
      [2, 'b', 'answers.enps', 'out_of_range'],
      [4, 'd', 'context.tenure', 'wrong_type'],
      [5, null, '(record)', 'wrong_type'],
    ],
  );
  assert.equal(out.problems[0].message, '11 is outside 0..=10');
});

test('a duplicate respondent is reported and only the first kept', () => {
  const q = Questionnaire.standard();
  const out = Dataset.fromRecords(q, [record('a'), record('b'), record('a')]);
  assert.equal(out.dataset.length, 2);
  assert.equal(out.rejected, 1);
  assert.equal(out.problems.length, 1);
  const [p] = out.problems;
  assert.equal(p.kind, 'duplicate_respondent');
  assert.equal(p.row, 3);
  assert.equal(p.respondent, 'a');
  assert.equal(p.field, 'respondent');
});

test('values that are not JSON become a problem on their row; the rest load', () => {
  const q = Questionnaire.standard();
  const circular = record('circ');
  circular.self = circular;
  const out = Dataset.fromRecords(q, [
    record('a'),
    record('nan', { answers: { enps: NaN } }),
    () => 1,
    circular,
    Symbol('s'),
    new Map([['respondent', 'm']]),
    record('b'),
  ]);
  assert.equal(out.dataset.length, 2);
  assert.equal(out.rejected, 5);
  assert.deepEqual(out.problems.map((p) => p.row), [2, 3, 4, 5, 6]);
  assert.match(out.problems[0].message, /NaN is not a JSON number/);
  assert.match(out.problems[2].message, /levels deep \(or circular\)/);
});

test('numbers arrive as integers, bigints are accepted, whole floats are not truncated', () => {
  const q = Questionnaire.standard();
  const out = Dataset.fromRecords(q, [
    record('int', { answers: { enps: 7 } }),
    record('big', { answers: { enps: 7n } }),
    record('frac', { answers: { enps: 7.5 } }),
  ]);
  assert.equal(out.dataset.length, 2);
  assert.deepEqual(out.problems.map((p) => [p.row, p.field]), [[3, 'answers.enps']]);
});

test('dataset summary and org units are plain data', () => {
  const q = Questionnaire.standard();
  const { dataset } = Dataset.fromRecords(q, [
    record('a', { context: { job_family: 'IT', manager: 'm1', location: 'Utrecht' } }),
    record('b', { context: { org_unit: ['Ops', 'South'], job_family: 'IT', manager: 'm2' } }),
  ]);
  const s = dataset.summary();
  assertPlain(s);
  assert.deepEqual(s, {
    questionnaire: 'exitcore.standard',
    version: 1,
    records: 2,
    org_units: 4,
    org_levels: 2,
    questions: q.questionIds().length,
    job_families: 1,
    managers: 2,
    locations: 1,
  });
  const units = dataset.orgUnits();
  assertPlain(units);
  assert.deepEqual(units, [['Ops'], ['Ops', 'South'], ['Sales'], ['Sales', 'North']]);
  assert.equal(dataset.questionnaire.id, 'exitcore.standard');
});

test('fromRecords needs an array', () => {
  const q = Questionnaire.standard();
  for (const bad of [undefined, null, 42, 'records', { 0: record('a'), length: 1 }]) {
    throwsCode(() => Dataset.fromRecords(q, bad), 'invalid_argument', 'records');
  }
  assert.equal(Dataset.fromRecords(q, []).dataset.length, 0);
});

test('a large array with bad elements in the middle loads every good row and names the bad rows', () => {
  const q = Questionnaire.standard();
  const n = 10000; // more than two of the chunks fromRecords reads at a time
  const records = Array.from({ length: n }, (_, i) => record(`r${i}`, { answers: { enps: i % 11 } }));
  const circular = record('circular');
  circular.context.self = circular;
  // 1-based row -> element, at chunk edges and in between.
  const bad = new Map([
    [2, () => 1],
    [4096, record('nan', { answers: { enps: NaN } })],
    [4097, circular],
    [4098, record('inf', { answers: { enps: -Infinity } })],
    [5000, record('date', { context: { exit_date: new Date(0) } })],
    [6001, 1n << 80n],
    [6002, record('fn', { answers: { enps: () => 7 } })],
    [6003, record('set', { answers: { contributing_reasons: new Set(['pay']) } })],
    [7777, record('range', { answers: { enps: 12 } })],
    [8193, new Map([['respondent', 'm']])],
    [n, Symbol('last')],
  ]);
  for (const [row, element] of bad) records[row - 1] = element;
  const out = Dataset.fromRecords(q, records);
  assert.equal(out.dataset.length, n - bad.size);
  assert.equal(out.rejected, bad.size);
  assert.deepEqual(out.problems.map((p) => p.row), [...bad.keys()]);
  const byRow = new Map(out.problems.map((p) => [p.row, p]));
  assert.match(byRow.get(4096).message, /NaN is not a JSON number/);
  assert.match(byRow.get(4097).message, /levels deep \(or circular\)/);
  assert.match(byRow.get(4098).message, /-inf is not a JSON number/);
  // A Date is an object without properties to exitcore, not its ISO text;
  // a Map is read by its entries, not as JSON.stringify's {}.
  assert.deepEqual(
    [byRow.get(5000).respondent, byRow.get(5000).field, byRow.get(5000).message],
    ['date', 'context.exit_date', 'invalid type: map, expected a string'],
  );
  assert.deepEqual([byRow.get(8193).respondent, byRow.get(8193).message], ['m', 'missing field `questionnaire`']);
  // A function or a Set inside a record makes the record not JSON (not a dropped field).
  assert.match(byRow.get(6002).message, /^not a JSON value: invalid type: JsValue\(Function/);
  assert.match(byRow.get(6003).message, /^not a JSON value: invalid type: JsValue\(Set\)/);
  assert.deepEqual([byRow.get(7777).field, byRow.get(7777).kind], ['answers.enps', 'out_of_range']);
  for (const row of [2, 6001, 6002, 6003, 8193, n]) assert.equal(byRow.get(row).field, '(record)', `row ${row}`);
});

test('odd but readable values load as they always did', () => {
  const q = Questionnaire.standard();
  let nested = 'bottom';
  for (let i = 0; i < 100; i++) nested = [nested];
  const out = Dataset.fromRecords(q, [
    record('undef', { context: { manager: undefined, job_family: 'IT' } }),
    Object.assign(Object.create(null), record('nullproto')),
    record('big', { answers: { enps: 7n } }),
    // A lone surrogate is not JSON text; it is read as U+FFFD, as before.
    record('surrogate', { answers: { comment_other: 'x\ud800y' } }),
    // Deep, but well under the limit: the record's own error, not a depth error.
    { ...record('deep'), extra: nested },
    record('ok'),
  ]);
  assert.deepEqual(
    out.problems.map((p) => [p.row, p.respondent, p.field]),
    [[5, 'deep', 'extra']],
  );
  assert.match(out.problems[0].message, /unknown field `extra`/);
  assert.equal(out.dataset.length, 5);
});

test('undefined reads as null, not as an absent field', () => {
  const q = Questionnaire.standard();
  const out = Dataset.fromRecords(q, [
    record('u', { answers: { enps: undefined } }),
    record('n', { answers: { enps: null } }),
    record('a', { context: { tenure: undefined } }),
    record('b', { context: { tenure: null } }),
    undefined,
    null,
  ]);
  const seen = out.problems.map((p) => [p.row, p.field, p.kind, p.message]);
  const pairs = [[1, 2], [3, 4], [5, 6]];
  for (const [u, n] of pairs) {
    assert.deepEqual(
      seen.filter((p) => p[0] === u).map((p) => p.slice(1)),
      seen.filter((p) => p[0] === n).map((p) => p.slice(1)),
      `rows ${u} and ${n}`,
    );
  }
  // A null answer is not the same as no answer: enps is asked of everyone.
  assert.ok(seen.some((p) => p[0] === 2), JSON.stringify(seen));
});

test('a tenure over a hundred years is refused and the rest kept', () => {
  const q = Questionnaire.standard();
  const out = Dataset.fromRecords(q, [
    record('a', { context: { tenure: { min_months: 1200, max_months: 1201 } } }),
    record('b', { context: { tenure: { min_months: 12, max_months: 5000 } } }),
    record('c'),
  ]);
  assert.equal(out.dataset.length, 2);
  assert.equal(out.rejected, 1);
  assert.deepEqual(out.problems, [
    {
      row: 2,
      respondent: 'b',
      field: 'context.tenure',
      kind: 'out_of_range',
      message: 'max_months 5000 is over 1201 months (100 years and a month)',
    },
  ]);
});
