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
