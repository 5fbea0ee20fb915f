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
