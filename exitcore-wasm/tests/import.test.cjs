'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { exitcore, throwsCode, assertPlain } = require('./support.cjs');

const { Dataset, Mapping, Questionnaire, pseudonymise } = exitcore;

const MAPPING = JSON.stringify({
  questionnaire: 'standard',
  respondent: { column: 'ID' },
  context: {
    org_unit: { columns: ['Division', 'Team'] },
    exit_date: { column: 'Left', formats: ['%m/%Y', '%Y'] },
  },
  answers: {
    primary_reason: { column: 'Reason', values: { Salary: 'pay', Boss: 'leadership' } },
    enps: { column: 'Recommend' },
    would_return: { column: 'Return' },
  },
});

const CSV = [
  'ID,Division ,Team,Left,Reason,Recommend,Return',
  '1,Sales,North,08/2012,Salary,7,Yes',
  '2,Sales,North,2013,Boss,11,No',
  '3,Ops,South,2014,Boss,3,No',
].join('\r\n');

test('an inline CSV with one bad row reports it and keeps the rest', () => {
  const mapping = Mapping.fromJson(MAPPING);
  assert.equal(mapping.questionnaire.id, 'exitcore.standard');
  const out = Dataset.importCsv(CSV, mapping);
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.deepEqual(Object.keys(out), ['dataset', 'problems', 'rejected', 'summary']);
  assert.equal(out.dataset.length, 2);
  assert.equal(out.rejected, 1);
  assertPlain(out.problems);
  assertPlain(out.summary);
  assert.deepEqual(out.problems, [{
    row: 3,
    respondent: '2',
    field: 'answers.enps',
    kind: 'out_of_range',
    message: '11 is outside 0..=10',
  }]);
  assert.equal(out.summary.rows, 3);
  assert.equal(out.summary.imported, 2);
  assert.equal(out.summary.rejected, 1);
  const division = out.summary.columns.find((c) => c.column === 'Division');
  assert.equal(division.status, 'mapped');
  assert.equal(division.target, 'context.org_unit');
  assert.deepEqual(out.dataset.orgUnits(), [['Ops'], ['Ops', 'South'], ['Sales'], ['Sales', 'North']]);
});

test('CSV bytes and ArrayBuffers import like text', () => {
  const mapping = Mapping.fromJson(MAPPING);
  const bytes = new TextEncoder().encode('\ufeff' + CSV);
  assert.equal(Dataset.importCsv(bytes, mapping).dataset.length, 2);
  assert.equal(Dataset.importCsv(bytes.buffer, mapping).dataset.length, 2);
});

test('pseudonymiseKey replaces respondent ids with the same pseudonyms as pseudonymise()', () => {
  const mapping = Mapping.fromJson(MAPPING);
  const key = 'a secret key of at least 16 bytes';
  const out = Dataset.importCsv(CSV, mapping, { pseudonymiseKey: key });
  assert.equal(out.problems[0].respondent, pseudonymise(key, '2'));
  const bytesKey = new TextEncoder().encode(key);
  const again = Dataset.importCsv(CSV, mapping, { pseudonymiseKey: bytesKey });
  assert.equal(again.problems[0].respondent, out.problems[0].respondent);
  assert.match(pseudonymise(key, 'E1'), /^p_[0-9a-f]{32}$/);
  assert.equal(pseudonymise(key, ' E1 '), pseudonymise(key, 'E1'));
  assert.notEqual(pseudonymise(key, 'E1'), pseudonymise(key, 'E2'));
  throwsCode(() => Dataset.importCsv(CSV, mapping, { pseudonymiseKey: 'short' }), 'invalid_argument', 'key');
  throwsCode(() => pseudonymise('short', 'E1'), 'invalid_argument', 'key');
});

test('import options are checked: unknown names and wrong types throw', () => {
  const mapping = Mapping.fromJson(MAPPING);
  throwsCode(() => Dataset.importCsv(CSV, mapping, { pseudonymizeKey: 'x'.repeat(20) }), 'invalid_argument', 'options.pseudonymizeKey');
  throwsCode(() => Dataset.importCsv(CSV, mapping, 'options'), 'invalid_argument', 'options');
  throwsCode(() => Dataset.importCsv(CSV, mapping, { pseudonymiseKey: 12345 }), 'invalid_argument', 'options.pseudonymiseKey');
  assert.equal(Dataset.importCsv(CSV, mapping, {}).dataset.length, 2);
  assert.equal(Dataset.importCsv(CSV, mapping, null).dataset.length, 2);
});

test('files the mapping cannot use throw csv or mapping errors', () => {
  const mapping = Mapping.fromJson(MAPPING);
  throwsCode(() => Dataset.importCsv('', mapping), 'csv');
  throwsCode(() => Dataset.importCsv('a,b\n1,2\n', mapping), 'mapping', 'respondent.column');
  throwsCode(() => Dataset.importCsv(42, mapping), 'invalid_argument', 'csv');
});

test('bad mappings throw code "mapping" naming the spot', () => {
  throwsCode(() => Mapping.fromJson('{}'), 'mapping', '(root)');
  const noUnit = JSON.parse(MAPPING);
  delete noUnit.context.org_unit;
  throwsCode(() => Mapping.fromJson(JSON.stringify(noUnit)), 'mapping', 'context.org_unit');
  const unknown = JSON.parse(MAPPING);
  unknown.answers.nope = { column: 'X' };
  throwsCode(() => Mapping.fromJson(JSON.stringify(unknown)), 'mapping', 'answers.nope');
});

test('fromJsonWithQuestionnaire uses the questionnaire given', () => {
  const doc = Questionnaire.standard().toObject();
  doc.id = 'custom';
  const q = Questionnaire.fromJson(JSON.stringify(doc));
  const mapping = Mapping.fromJsonWithQuestionnaire(MAPPING, q);
  assert.equal(mapping.questionnaire.id, 'custom');
  const out = Dataset.importCsv(CSV, mapping);
  assert.equal(out.dataset.length, 2);
  assert.equal(out.dataset.summary().questionnaire, 'custom');
});

test('the TAFE exit survey imports completely', (t) => {
  const root = path.resolve(__dirname, '../..');
  const csvPath = path.resolve(__dirname, '../../../shared/data/tafe_survey.csv');
  const mappingPath = path.join(root, 'examples/mappings/tafe.json');
  const questionnairePath = path.join(root, 'examples/mappings/tafe_questionnaire.json');
  for (const p of [csvPath, mappingPath, questionnairePath]) {
    if (!fs.existsSync(p)) {
      t.skip(`${path.relative(root, p)} is not there yet`);
      return;
    }
  }
  const q = Questionnaire.fromJson(fs.readFileSync(questionnairePath, 'utf8'));
  const mapping = Mapping.fromJsonWithQuestionnaire(fs.readFileSync(mappingPath, 'utf8'), q);
  const out = Dataset.importCsv(fs.readFileSync(csvPath), mapping);
  assert.equal(out.rejected, 0, JSON.stringify(out.problems.slice(0, 5)));
  assert.equal(out.dataset.length, 702);
  assert.equal(out.summary.rows, 702);
  assert.equal(out.summary.imported, 702);
  assertPlain(out.summary);
  assertPlain(out.problems);
  assert.equal(out.dataset.summary().records, 702);
});
