'use strict';
// dataset.report from JS: the core's JSON, Markdown and HTML renderings.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { exitcore, throwsCode } = require('./support.cjs');

test('a report renders as versioned JSON, Markdown and self-contained HTML', () => {
  const org = exitcore.generate({ seed: 4, exits: 1500 });
  const data = exitcore.Dataset.fromRecords(org.questionnaire, org.records).dataset;
  const report = data.report({ lang: 'nl', headcount: org.headcount, stayers: org.stayers });
  const doc = JSON.parse(report.toJson());
  assert.equal(doc.schema, 'exitcore-report/1');
  assert.equal(doc.lang, 'nl');
  assert.equal(doc.analysis.overall.n, 1500);
  assert.ok(report.toMarkdown().startsWith('# Exitgesprekken'));
  const html = report.toHtml();
  assert.ok(html.startsWith('<!DOCTYPE html>') && html.includes('<svg') && !html.includes('<script'));
  const again = data.report({ lang: 'nl', headcount: org.headcount, stayers: org.stayers });
  assert.equal(again.toJson(), report.toJson());
});

test('report options are checked and four people give nothing', () => {
  const org = exitcore.generate({ seed: 4, exits: 300 });
  const data = exitcore.Dataset.fromRecords(org.questionnaire, org.records).dataset;
  throwsCode(() => data.report({ language: 'nl' }), 'invalid_argument');
  throwsCode(() => data.report({ policy: { k: 1 } }), 'invalid_argument');
  const q = exitcore.Questionnaire.standard();
  const records = [0, 1, 2, 3].map((i) => ({
    respondent: `r${i}`, questionnaire: q.id, version: q.version,
    context: { org_unit: ['D', 'T'] },
    answers: { primary_reason: i % 2 ? 'pay' : 'workload', enps: i, would_return: i % 2 === 0 },
  }));
  const tiny = exitcore.Dataset.fromRecords(q, records).dataset;
  assert.equal(JSON.parse(tiny.report().toJson()).analysis.overall.n, null);
});

test('headcount, staff and redactor read once give what their rows give, and stay usable', () => {
  const org = exitcore.generate({ seed: 5, exits: 1500 });
  const data = exitcore.Dataset.fromRecords(org.questionnaire, org.records).dataset;
  const roster = ['Jan de Vries', 'Anna Bakker'];
  const headcount = new exitcore.Headcount(org.headcount);
  const stayers = new exitcore.Stayers(org.stayers);
  const redactor = new exitcore.Redactor(roster);
  for (const lang of ['nl', 'en']) {
    const fromRows = data.report({ lang, headcount: org.headcount, stayers: org.stayers, roster });
    const fromObjects = data.report({ lang, headcount, stayers, roster: redactor });
    assert.equal(fromObjects.toJson(), fromRows.toJson());
  }
  const spec = { by: [['org_unit']], trend: 'quarter' };
  const analysed = data.analyse(spec, { headcount, stayers, roster: redactor });
  const expected = data.analyse(spec, { headcount: org.headcount, stayers: org.stayers, roster });
  assert.deepEqual(analysed, expected);
  assert.notEqual(analysed.overall.turnover, null);
  // Mixed: one input read once, the others as rows.
  assert.equal(
    data.report({ headcount, stayers: org.stayers }).toJson(),
    data.report({ headcount: org.headcount, stayers: org.stayers }).toJson(),
  );
  // Lending leaves the instances whole.
  assert.equal(stayers.length, org.stayers.length);
  assert.equal(redactor.redact('Jan de Vries zei het', 'en').includes('Jan'), false);
  // CSV text gives what the rows give.
  const csv = ['org_unit,year,quarter,headcount']
    .concat(org.headcount.map((r) => `${r.org_unit.join('/')},${r.year},${r.quarter},${r.headcount}`))
    .join('\n');
  assert.equal(
    data.report({ headcount: exitcore.Headcount.fromCsv(csv) }).toJson(),
    data.report({ headcount: org.headcount }).toJson(),
  );
});

test('a headcount and a staff list describe themselves', () => {
  const h = new exitcore.Headcount([
    { org_unit: ['Sales', 'North'], year: 2024, quarter: 1, headcount: 40 },
    { org_unit: ['Sales', 'North'], year: 2024, quarter: 2, headcount: 44 },
    { org_unit: ['Sales', 'South'], year: 2024, quarter: 2, headcount: 10 },
    { org_unit: ['HR'], year: 2023, quarter: 4, headcount: 8 },
  ]);
  assert.deepEqual(h.span, [[2023, 4], [2024, 2]]);
  // A quarter is a quarter of a person-year: (40 + 44 + 10) / 4 and 8 / 4.
  assert.equal(h.personYears(['Sales']), 23.5);
  assert.equal(h.personYears(['Sales', 'North']), 21);
  assert.equal(h.personYears(['HR']), 2);
  assert.equal(h.personYears(['Finance']), 0);
  throwsCode(() => h.personYears('Sales'), 'invalid_argument', 'orgUnit');
  const s = new exitcore.Stayers([{ org_unit: ['HR'], tenure_months: 3 }, { org_unit: ['HR'], tenure_months: 30 }]);
  assert.equal(s.length, 2);
});

test('inputs of the wrong kind, bad rows and freed instances are refused by name', () => {
  const org = exitcore.generate({ seed: 5, exits: 300 });
  const data = exitcore.Dataset.fromRecords(org.questionnaire, org.records).dataset;
  const headcount = new exitcore.Headcount(org.headcount);
  const stayers = new exitcore.Stayers(org.stayers);
  let e = throwsCode(() => data.report({ headcount: stayers }), 'invalid_argument', 'options.headcount');
  assert.match(e.message, /expected rows or a Headcount, got a Stayers/);
  e = throwsCode(() => data.analyse({}, { stayers: headcount }), 'invalid_argument', 'options.stayers');
  assert.match(e.message, /got a Headcount/);
  throwsCode(() => data.report({ roster: new exitcore.Ledger() }), 'invalid_argument', 'options.roster');
  throwsCode(() => data.analyse({}, { headcount: new exitcore.Budget(1) }), 'invalid_argument', 'options.headcount');
  throwsCode(() => new exitcore.Stayers([{ org_unit: ['HR'], tenure_months: -1 }]), 'invalid_argument', 'stayers[0].tenure_months');
  throwsCode(() => new exitcore.Headcount([{ org_unit: ['HR'], year: 2024, quarter: 5, headcount: 1 }]), 'invalid_argument');
  e = throwsCode(() => exitcore.Headcount.fromCsv('org_unit,year,quarter,headcount\nHR,2024,Q1,3\n'), 'csv');
  assert.match(e.message, /line 2/);
  const freed = new exitcore.Headcount(org.headcount);
  freed.free();
  throwsCode(() => data.report({ headcount: freed }), 'invalid_argument', 'options.headcount');
  throwsCode(() => data.analyse({}, { headcount: freed }), 'invalid_argument', 'options.headcount');
});

test('rows read straight from their JSON text fail as the JSON-value way names them', () => {
  // Rows that are not rows of the right type (text for a number, a field
  // too many, a negative tenure) are read again the slow way, whose errors
  // name the row and field; rows the core refuses (quarter 5) are named by
  // the core. Each the same from the constructor, analyse and report.
  const org = exitcore.generate({ seed: 5, exits: 300 });
  const data = exitcore.Dataset.fromRecords(org.questionnaire, org.records).dataset;
  const rows = () => org.headcount.slice(0, 4).map((r) => ({ ...r }));
  const cases = [
    ['headcount', (r) => { r[1].quarter = 'Q1'; }, 'headcount[1].quarter'],
    ['headcount', (r) => { r[2].quarter = 5; }, 'headcount[2].quarter'],
    ['headcount', (r) => { r[3].team = 'x'; }, undefined],
    ['headcount', (r) => { r[0].headcount = 1.5; }, 'headcount[0].headcount'],
    ['stayers', (r) => { r[1].tenure_months = -1; }, 'stayers[1].tenure_months'],
    ['stayers', (r) => { r[0].org_unit = 'A'; }, 'stayers[0].org_unit'],
  ];
  for (const [name, change, field] of cases) {
    const bad = name === 'headcount' ? rows() : org.stayers.slice(0, 3).map((s) => ({ ...s }));
    change(bad);
    const made = () => (name === 'headcount' ? new exitcore.Headcount(bad) : new exitcore.Stayers(bad));
    const errors = [made, () => data.analyse({}, { [name]: bad }), () => data.report({ [name]: bad })]
      .map((f) => throwsCode(f, 'invalid_argument', field));
    for (const e of errors) assert.ok(e.field.startsWith(`${name}[`), e.field);
    assert.equal(errors[1].message, errors[0].message);
    assert.equal(errors[2].message, errors[0].message);
  }
});
