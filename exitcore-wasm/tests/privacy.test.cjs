'use strict';
// Privacy policy and redaction from JS: same defaults and results as the core.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const exitcore = require('../pkg/exitcore_wasm.js');

test('policy defaults match the core', () => {
  const p = new exitcore.Policy();
  assert.deepEqual([p.k, p.commentK, p.showZero], [5, 10, false]);
  const o = p.toObject();
  assert.equal(Object.getPrototypeOf(o), Object.prototype);
  assert.deepEqual(o, { k: 5, comment_k: 10, show_zero: false });
  assert.equal(new exitcore.Policy({ k: 12 }).commentK, 12);
});

test('policy withholds small and empty groups', () => {
  const p = new exitcore.Policy({ k: 5 });
  assert.deepEqual([0, 1, 4, 5, 100].map((n) => p.withholds(n)), [true, true, true, false, false]);
  assert.equal(new exitcore.Policy({ showZero: true }).withholds(0), false);
  assert.throws(() => p.withholds(-1), (e) => e instanceof Error && e.code === 'invalid_argument');
});

test('k below two is an error, not a silent default', () => {
  for (const k of [0, 1]) {
    assert.throws(() => new exitcore.Policy({ k }), (e) => e instanceof Error && e.code === 'invalid_argument' && e.field === 'k');
  }
  assert.throws(() => new exitcore.Policy({ k: 8, commentK: 6 }), (e) => e.field === 'comment_k');
  assert.throws(() => new exitcore.Policy({ kay: 5 }), (e) => e.code === 'invalid_argument' && /kay/.test(e.message));
  assert.throws(() => new exitcore.Policy({ k: 'five' }), (e) => e.code === 'invalid_argument');
});

test('the issue example redacts all five', () => {
  const r = new exitcore.Redactor(['Jan de Vries']);
  const text = 'Jan de Vries (jan.devries@bedrijf.nl, 06-12345678), BSN 111222333, IBAN NL91ABNA0417164300';
  assert.equal(r.redact(text), '[NAAM] ([EMAIL], [TELEFOON]), BSN [BSN], IBAN [IBAN]');
  assert.equal(r.redact(text, 'en'), '[NAME] ([EMAIL], [PHONE]), BSN [BSN], IBAN [IBAN]');
  assert.equal(r.redact('123456789 NL91ABNA0417164301'), '123456789 NL91ABNA0417164301');
});

test('redactor errors carry a code and the instance keeps working', () => {
  const r = new exitcore.Redactor();
  assert.throws(() => r.redact('x', 'de'), (e) => e.code === 'invalid_argument' && e.field === 'lang');
  assert.throws(() => r.redact(42), (e) => e.code === 'invalid_argument' && e.field === 'text');
  assert.throws(() => new exitcore.Redactor([1, 2]), (e) => e.code === 'invalid_argument' && e.field === 'roster');
  assert.throws(() => new exitcore.Redactor(['J']), (e) => e.code === 'invalid_argument');
  assert.equal(r.redact('mail me: a@b.nl'), 'mail me: [EMAIL]');
});

test('check-digit helpers', () => {
  // 111222333: 9+8+7+12+10+8+9+6-3 = 66 = 6 * 11.
  assert.equal(exitcore.bsnIsValid('111222333'), true);
  assert.equal(exitcore.bsnIsValid('123456789'), false);
  assert.equal(exitcore.ibanIsValid('NL91 ABNA 0417 1643 00'), true);
  assert.equal(exitcore.ibanIsValid('NL91ABNA0417164301'), false);
});

function division(sizes) {
  const q = exitcore.Questionnaire.standard();
  const records = [];
  for (const [team, n] of Object.entries(sizes)) {
    for (let i = 0; i < n; i++) {
      records.push({
        respondent: `${team}-${i}`, questionnaire: q.id, version: q.version,
        context: { org_unit: ['D', team] },
        answers: { primary_reason: i % 2 ? 'pay' : 'workload', enps: 5, would_return: true },
      });
    }
  }
  const result = exitcore.Dataset.fromRecords(q, records);
  assert.equal(result.problems.length, 0);
  return result.dataset;
}

test('release of the issue example: A and the division only', () => {
  const release = division({ A: 7, B: 2, C: 6 }).release({ tables: [['org_unit']] });
  const byKey = Object.fromEntries(release.cells.map((c) => [c.key.map((p) => p.join('=')).join(','), c]));
  assert.equal(byKey['org_unit=D'].n, 15);
  assert.equal(byKey['org_unit=D/A'].n, 7);
  assert.equal(byKey['org_unit=D/B'].n, null);
  assert.equal(byKey['org_unit=D/B'].withheld, 'primary');
  assert.equal(byKey['org_unit=D/C'].withheld, 'secondary');
  assert.deepEqual([release.audit.primary, release.audit.secondary], [1, 1]);
  assert.equal(Object.getPrototypeOf(release.audit), Object.prototype);
});

test('a data set of k - 1 releases nothing', () => {
  const release = division({ A: 2, B: 2 }).release({
    tables: [['org_unit'], ['tenure_band']], distributions: ['primary_reason'], policy: { k: 5 },
  });
  assert.ok(release.cells.every((c) => c.n === null));
  assert.equal(release.audit.released, 0);
});

test('a bad release spec names the spot', () => {
  const ds = division({ A: 7 });
  assert.throws(() => ds.release({ tables: [['org_unit', 'shoe_size']] }), (e) => e.code === 'invalid_argument' && e.field === 'tables[0][1]');
  assert.throws(() => ds.release({ tables: [['org_unit']], policy: { k: 1 } }), (e) => e.field === 'k');
  assert.throws(() => ds.release(42), (e) => e.code === 'invalid_argument');
  assert.equal(ds.release({ tables: [] }).cells.length, 1);
});
