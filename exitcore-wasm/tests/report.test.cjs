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
