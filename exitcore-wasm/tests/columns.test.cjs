'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { exitcore, throwsCode } = require('./support.cjs');

const { Dataset, Mapping, Questionnaire } = exitcore;

const MAPPING = Mapping.fromJson(JSON.stringify({
  questionnaire: 'standard',
  respondent: { column: 'ID' },
  context: {
    org_unit: { columns: ['Division', 'Team'] },
    exit_date: { column: 'Left', formats: ['%Y-%m-%d', '%m/%Y', '%Y'] },
    tenure: { column: 'Months' },
    regrettable: { column: 'Regret' },
  },
  answers: {
    primary_reason: { column: 'Reason', values: { Salary: 'pay', Boss: 'leadership' } },
    enps: { column: 'Recommend' },
    would_return: { column: 'Return' },
  },
}));

/** A table of `n` rows with damage every so often, by column. */
function table(n) {
  const reasons = ['Salary', 'Boss', 'pay', 'workload', 'nonsense'];
  const cols = {
    ID: [], Division: [], Team: [], Left: [], Months: new Int32Array(n),
    Regret: [], Reason: [], Recommend: new Float64Array(n), Return: [],
  };
  for (let i = 0; i < n; i++) {
    cols.ID.push(i % 97 === 5 ? null : `r${i % 1009 === 3 ? 1 : i}`);
    cols.Division.push(['Sales', 'Ops', 'IT'][i % 3]);
    cols.Team.push(i % 50 === 7 ? undefined : `Team ${i % 7}`);
    cols.Left.push(i % 61 === 2 ? '2020-13-01' : `20${10 + (i % 9)}-0${1 + (i % 9)}-1${i % 9}`);
    cols.Months[i] = (i * 7) % 200;
    cols.Regret.push(i % 89 === 4 ? 'maybe' : i % 2 === 0);
    cols.Reason.push(reasons[i % 13 === 0 ? 4 : i % 4]);
    cols.Recommend[i] = i % 43 === 1 ? 11 : i % 31 === 0 ? NaN : i % 11;
    cols.Return.push(i % 3 === 0 ? 'yes' : i % 3 === 1 ? 'no' : null);
  }
  return cols;
}

/** The same table as CSV text (a missing value as an empty field). */
function csvOf(cols) {
  const names = Object.keys(cols);
  const n = cols[names[0]].length;
  const text = (v) => (v === null || v === undefined || Number.isNaN(v) ? '' : String(v));
  const lines = [names.join(',')];
  for (let i = 0; i < n; i++) lines.push(names.map((c) => text(cols[c][i])).join(','));
  return lines.join('\n');
}

test('columns import as the CSV of the same data: dataset, problems, summary', () => {
  const cols = table(3000);
  const fromColumns = Dataset.importColumns(cols, MAPPING);
  const fromCsv = Dataset.importCsv(csvOf(cols), MAPPING);
  assert.deepEqual(Object.keys(fromColumns), ['dataset', 'problems', 'rejected', 'summary']);
  assert.ok(fromColumns.problems.length > 100);
  // A table's row n is the file's line n + 1 (the header).
  const shifted = fromCsv.problems.map((p) => ({ ...p, row: p.row - 1 }));
  assert.deepEqual(fromColumns.problems, shifted);
  assert.equal(fromColumns.rejected, fromCsv.rejected);
  assert.deepEqual(fromColumns.summary, fromCsv.summary);
  assert.deepEqual(fromColumns.dataset.summary(), fromCsv.dataset.summary());
  const spec = { by: [['org_unit'], ['tenure_band']] };
  assert.deepEqual(fromColumns.dataset.analyse(spec), fromCsv.dataset.analyse(spec));
});

test('bad values are problems naming their row and field', () => {
  const out = Dataset.importColumns({
    ID: ['a', 'b', 'c'], Division: ['Sales', 'Sales', 'Ops'], Team: ['N', null, 'S'],
    Left: ['2012-08-01', '2013', 'soon'], Months: [3, 4, 5], Regret: [true, false, true],
    Reason: ['Salary', 'Boss', 'Boss'], Recommend: Int32Array.of(7, 11, 3), Return: ['Yes', 'No', 'No'],
  }, MAPPING);
  assert.equal(out.dataset.length, 1);
  const found = out.problems.map((p) => [p.row, p.respondent, p.field]);
  assert.deepEqual(found, [[2, 'b', 'answers.enps'], [3, 'c', 'Left']]);
});

test('wrong argument types throw invalid_argument, never abort', () => {
  throwsCode(() => Dataset.importColumns([1, 2], MAPPING), 'invalid_argument');
  throwsCode(() => Dataset.importColumns('ID', MAPPING), 'invalid_argument');
  throwsCode(() => Dataset.importColumns({}, MAPPING), 'invalid_argument');
  const e = throwsCode(() => Dataset.importColumns({ ID: ['a', { x: 1 }] }, MAPPING), 'invalid_argument');
  assert.equal(e.field, 'columns.ID[1]');
  assert.match(e.message, /got object/);
  throwsCode(() => Dataset.importColumns({ ID: 'abc' }, MAPPING), 'invalid_argument');
  throwsCode(() => Dataset.importColumns({ ID: BigInt64Array.of(1n) }, MAPPING), 'invalid_argument');
  const short = throwsCode(() => Dataset.importColumns({ ID: ['a', 'b'], Division: ['x'] }, MAPPING), 'invalid_argument');
  assert.equal(short.field, 'columns.Division');
  throwsCode(() => Dataset.importColumns({ ID: ['a'] }, MAPPING), 'mapping');
  throwsCode(() => Dataset.importColumns({ ID: ['a'] }, MAPPING, { nope: 1 }), 'invalid_argument');
  // Still usable afterwards.
  assert.equal(Dataset.importColumns(table(10), MAPPING).summary.rows, 10);
});

// As Python's test_without_a_mapping_columns_are_named_after_the_fields:
// columns named after the record's fields, through Mapping.identity.
test('columns named after the fields import through Mapping.identity', () => {
  const cols = {
    respondent: ['a', 'b', 'c', null],
    org_unit: ['Sales/North', 'Sales', 'Ops', 'Ops'],
    exit_date: ['2024-03-01', '2024-04', null, '2024'],
    primary_reason: ['pay', 'workload', 'nonsense', 'pay'],
    enps: [7, 11, 3, 5],
    would_return: [true, false, null, true],
    notes: ['x', null, 'y', 'z'],
  };
  const mapping = Mapping.identity(Questionnaire.standard(), Object.keys(cols));
  const out = Dataset.importColumns(cols, mapping);
  assert.equal(out.dataset.length, 1);
  const found = out.problems.map((p) => `${p.row} ${p.field}`).sort();
  assert.deepEqual(found, ['2 answers.enps', '3 primary_reason', '4 respondent']);
  assert.equal(out.rejected, 3);
  const notes = out.summary.columns.find((c) => c.column === 'notes');
  assert.equal(notes.status, 'unmapped');
  throwsCode(() => Mapping.identity(Questionnaire.standard(), ['respondent']), 'mapping', 'context.org_unit');
  throwsCode(() => Mapping.identity(Questionnaire.standard(), 'respondent'), 'invalid_argument');
});

test('whole chunks of repeated respondents are each reported, and the rest import', () => {
  // Ids repeat every 8,192 rows (the import's chunk): after the first
  // chunk, every row repeats one; the run of such rows once kept their
  // ids and misread the next run's (or failed).
  const n = 3 * 8192 + 100;
  const cols = {
    ID: [], Division: [], Team: [], Left: [], Months: new Int32Array(n),
    Regret: [], Reason: [], Recommend: new Float64Array(n), Return: [],
  };
  for (let i = 0; i < n; i++) {
    cols.ID.push(`r${i % 8192}`);
    cols.Division.push('Sales');
    cols.Team.push(`Team ${i % 5}`);
    cols.Left.push('2021-03-01');
    cols.Months[i] = 12;
    cols.Regret.push(true);
    cols.Reason.push('Salary');
    cols.Recommend[i] = 7;
    cols.Return.push('yes');
  }
  const out = Dataset.importColumns(cols, MAPPING);
  assert.equal(out.dataset.length, 8192);
  assert.equal(out.problems.length, n - 8192);
  assert.ok(out.problems.every((p, k) => p.field === 'respondent' && p.row === 8193 + k));
});
