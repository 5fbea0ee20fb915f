'use strict';
// Privacy policy and redaction from JS: same defaults and results as the core.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { exitcore, assertPlain, throwsCode } = require('./support.cjs');

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

// Leavers of division D by team; `comments` gives each team's leavers a
// `comment_leadership` answer (numbered, so the texts differ).
function division(sizes, comments = {}) {
  const q = exitcore.Questionnaire.standard();
  const records = [];
  for (const [team, n] of Object.entries(sizes)) {
    for (let i = 0; i < n; i++) {
      const answers = { primary_reason: i % 2 ? 'pay' : 'workload', enps: 5, would_return: true };
      if (comments[team] !== undefined) answers.comment_leadership = `${String(i).padStart(2, '0')} ${comments[team]}`;
      records.push({
        respondent: `${team}-${i}`, questionnaire: q.id, version: q.version,
        context: { org_unit: ['D', team] },
        answers,
      });
    }
  }
  const result = exitcore.Dataset.fromRecords(q, records);
  assert.equal(result.problems.length, 0);
  return result.dataset;
}

test('release of the issue example: A and the division only', () => {
  const release = division({ A: 7, B: 2, C: 6 }).release({ tables: [['org_unit']] });
  assert.ok(release instanceof exitcore.Release);
  const byKey = Object.fromEntries(release.cells.map((c) => [c.key.map((p) => p.join('=')).join(','), c]));
  assert.equal(byKey['org_unit=D'].n, 15);
  assert.equal(byKey['org_unit=D/A'].n, 7);
  assert.equal(byKey['org_unit=D/B'].n, null);
  assert.equal(byKey['org_unit=D/B'].withheld, 'primary');
  assert.equal(byKey['org_unit=D/C'].withheld, 'secondary');
  assert.deepEqual([release.audit.primary, release.audit.secondary], [1, 1]);
  assert.equal(Object.getPrototypeOf(release.audit), Object.prototype);
  assert.deepEqual(release.policy, { k: 5, comment_k: 10, show_zero: false });
  assert.equal(release.noise, null);
  const data = release.toJSON();
  assertPlain(data);
  assert.deepEqual(data.cells, release.cells);
  assert.deepEqual(data.audit, release.audit);
  assert.equal('noise' in data, false);
  assert.deepEqual(JSON.parse(JSON.stringify(release)), data);
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

const cellsOf = (release) => Object.fromEntries(release.cells.map((c) => [JSON.stringify(c.key), c.n]));
const orgKey = (unit) => JSON.stringify([['org_unit', unit]]);

test('a ledger keeps the newcomer from being subtracted', () => {
  // Last month T0 and T1 had 6 leavers each; one more left T0 since.
  const lastMonth = division({ T0: 6, T1: 6 });
  const now = division({ T0: 7, T1: 6 });
  const first = lastMonth.release({ tables: [['org_unit']] });
  assert.equal(cellsOf(first)[orgKey('D/T0')], 6);
  const ledger = new exitcore.Ledger();
  assert.equal(ledger.length, 0);
  ledger.record(lastMonth, first);
  assert.equal(ledger.length, 1);

  // Without the ledger T0 = 7 is published next to last month's 6.
  const blind = cellsOf(now.release({ tables: [['org_unit']] }));
  assert.equal(blind[orgKey('D/T0')], 7);
  // With it, something published without it is withheld.
  const guarded = cellsOf(now.release({ tables: [['org_unit']] }, { ledger }));
  assert.ok(Object.keys(blind).some((k) => blind[k] !== null && guarded[k] === null));
  assert.ok(!(guarded[orgKey('D')] !== null && guarded[orgKey('D/T0')] !== null));
  // The caller's ledger is still usable after being passed in an options object.
  assert.equal(ledger.length, 1);

  // The ledger survives JSON (object or text) and still works.
  const doc = ledger.toJSON();
  assertPlain(doc);
  for (const again of [exitcore.Ledger.fromJSON(doc), exitcore.Ledger.fromJSON(JSON.stringify(ledger))]) {
    assert.equal(again.length, 1);
    assert.deepEqual(again.toJSON(), doc);
    assert.deepEqual(cellsOf(now.release({ tables: [['org_unit']] }, { ledger: again })), guarded);
    again.record(now, now.release({ tables: [['org_unit']] }, { ledger: again }));
    assert.equal(again.length, 2);
  }
  assert.equal(ledger.length, 1);
});

test('a ledger refuses a release of another data set and bad documents', () => {
  const a = division({ T0: 6, T1: 6 });
  const b = division({ T0: 7, T1: 6 });
  throwsCode(() => new exitcore.Ledger().record(b, a.release({ tables: [['org_unit']] })), 'invalid_argument', 'release');
  for (const bad of ['', '[]', '{"releases": [{"respondents": "xyz"}]}', { releases: [], extra: 1 }, 42]) {
    assert.throws(() => exitcore.Ledger.fromJSON(bad), (e) => e instanceof Error && ['json', 'invalid_argument'].includes(e.code));
  }
  throwsCode(() => a.release({ tables: [] }, { ledger: {} }), 'invalid_argument', 'options.ledger');
  throwsCode(() => a.release({ tables: [] }, { ledger: new exitcore.Budget(1) }), 'invalid_argument', 'options.ledger');
  throwsCode(() => a.release({ tables: [] }, { ledgr: new exitcore.Ledger() }), 'invalid_argument', 'options.ledgr');
  const freed = new exitcore.Ledger();
  freed.free();
  throwsCode(() => a.release({ tables: [] }, { ledger: freed }), 'invalid_argument', 'options.ledger');
});

test('comments are redacted, sorted, and withheld for small cells', () => {
  const ds = division(
    { A: 12, B: 3 },
    { A: 'Jan de Vries (jan@bedrijf.nl) luisterde niet', B: 'te klein om te tonen' },
  );
  const release = ds.release({ tables: [['org_unit']] });
  const division_ = release.comments([['org_unit', 'D']], 'comment_leadership', { roster: ['Jan de Vries'], lang: 'nl' });
  assert.ok(Array.isArray(division_));
  assert.deepEqual(division_, [...division_].sort());
  assert.equal(division_[0], '00 [NAAM] ([EMAIL]) luisterde niet');
  assert.equal(division_.length, 15); // B's three too: the division is big enough
  assert.ok(division_.includes('00 te klein om te tonen'));
  assert.ok(division_.every((c) => !c.includes('Jan') && !c.includes('@')));
  // An object key means the same cell; [] is everyone; lang defaults to en.
  assert.deepEqual(release.comments({ org_unit: 'D' }, 'comment_leadership', { roster: ['Jan de Vries'], lang: 'nl' }), division_);
  // A Redactor made once redacts as its roster does; another class is refused.
  const redactor = new exitcore.Redactor(['Jan de Vries']);
  assert.deepEqual(release.comments({ org_unit: 'D' }, 'comment_leadership', { roster: redactor, lang: 'nl' }), division_);
  throwsCode(() => release.comments([], 'comment_leadership', { roster: new exitcore.Ledger() }), 'invalid_argument', 'options.roster');
  throwsCode(() => release.comments([], 'comment_leadership', { roster: 'Jan' }), 'invalid_argument', 'options.roster');
  assert.ok(release.comments([], 'comment_leadership').includes('00 Jan de Vries ([EMAIL]) luisterde niet'));
  assert.ok(release.comments([], 'comment_leadership', { roster: ['Jan de Vries'] }).includes('00 [NAME] ([EMAIL]) luisterde niet'));
  // B (3) is below the comment threshold, and A's 12 next to the division's
  // 15 would give B's three by difference: both are withheld.
  assert.equal(release.comments([['org_unit', 'D/B']], 'comment_leadership'), null);
  assert.equal(release.comments({ org_unit: 'D/A' }, 'comment_leadership'), null);
});

test('comments of an unknown cell or a non-text question throw', () => {
  const release = division({ A: 12, B: 3 }, { A: 'prima' }).release({ tables: [['org_unit']] });
  const e = throwsCode(() => release.comments([['org_unit', 'D/Z']], 'comment_leadership'), 'invalid_argument', 'key');
  assert.match(e.message, /D\/Z/);
  throwsCode(() => release.comments([['shoe_size', '42']], 'comment_leadership'), 'invalid_argument', 'key');
  throwsCode(() => release.comments('org_unit', 'comment_leadership'), 'invalid_argument', 'key');
  assert.match(throwsCode(() => release.comments([], 'enps'), 'invalid_argument', 'question').message, /free-text/);
  throwsCode(() => release.comments([], 'no_such_question'), 'invalid_argument', 'question');
  throwsCode(() => release.comments([], 42), 'invalid_argument', 'question');
  throwsCode(() => release.comments([], 'comment_leadership', { lang: 'de' }), 'invalid_argument', 'lang');
  throwsCode(() => release.comments([], 'comment_leadership', { roster: [1] }), 'invalid_argument', 'options.roster');
  throwsCode(() => release.comments([], 'comment_leadership', { colour: 'red' }), 'invalid_argument', 'options.colour');
});

test('noisy releases repeat for free and stop at the budget', () => {
  const ds = division({ A: 12, B: 9, C: 8 });
  const noise = new exitcore.CellNoise('a secret key of at least 16 bytes');
  const budget = new exitcore.Budget(1.0);
  assert.deepEqual([budget.total, budget.spent, budget.remaining], [1, 0, 1]);
  const a = ds.release({ tables: [['org_unit']] }, { noise, epsilon: 0.5, budget });
  const b = ds.release({ tables: [['org_unit']] }, { noise, epsilon: 0.5, budget });
  assert.deepEqual(a.cells, b.cells);
  assert.equal(budget.spent, 0.5);
  assert.equal(budget.remaining, 0.5);
  assert.equal(a.noise.epsilon, 0.5);
  assert.ok(a.noise.scale > 0);
  assertPlain(a.noise);
  assert.deepEqual(a.toJSON().noise, a.noise);
  // Nothing released is about fewer than k people, whatever the noise.
  assert.ok(a.cells.every((c) => c.n === null || c.n >= 5));
  const e = throwsCode(() => ds.release({ tables: [['tenure_band']] }, { noise, epsilon: 0.6, budget }), 'budget_exhausted');
  assert.match(e.message, /budget exhausted/);
  assert.equal(budget.spent, 0.5);
  // The same key as bytes gives the same noise.
  const bytes = new TextEncoder().encode('a secret key of at least 16 bytes');
  const same = ds.release({ tables: [['org_unit']] }, { noise: new exitcore.CellNoise(bytes), epsilon: 0.5, budget });
  assert.deepEqual(same.cells, a.cells);
  assert.equal(budget.spent, 0.5);
});

test('a budget round-trips through JSON', () => {
  const ds = division({ A: 12, B: 9 });
  const noise = new exitcore.CellNoise('0123456789abcdef');
  const budget = new exitcore.Budget(1);
  ds.release({ tables: [['org_unit']] }, { noise, epsilon: 0.4, budget });
  const doc = budget.toJSON();
  assertPlain(doc);
  for (const again of [exitcore.Budget.fromJSON(doc), exitcore.Budget.fromJSON(JSON.stringify(budget))]) {
    assert.deepEqual([again.total, again.spent], [1, 0.4]);
    ds.release({ tables: [['org_unit']] }, { noise, epsilon: 0.4, budget: again }); // a repeat: free
    assert.equal(again.spent, 0.4);
    throwsCode(() => ds.release({ tables: [['tenure_band']] }, { noise, epsilon: 0.7, budget: again }), 'budget_exhausted');
  }
  throwsCode(() => exitcore.Budget.fromJSON({ total: 1, charges: [{ query: 'q', epsilon: 2 }] }), 'json');
});

test('a tiny data set releases nothing even with noise', () => {
  const release = division({ A: 2, B: 2 }).release(
    { tables: [['org_unit'], ['tenure_band']] },
    { noise: new exitcore.CellNoise('k'.repeat(16)), epsilon: 1, budget: new exitcore.Budget(10) },
  );
  assert.ok(release.cells.every((c) => c.n === null));
  assert.equal(release.audit.released, 0);
  assert.notEqual(release.noise, null);
});

test('noise arguments are checked', () => {
  const ds = division({ A: 12 });
  throwsCode(() => new exitcore.CellNoise('too short'), 'invalid_argument', 'key');
  throwsCode(() => new exitcore.CellNoise(new Uint8Array(15)), 'invalid_argument', 'key');
  throwsCode(() => new exitcore.CellNoise(16), 'invalid_argument', 'key');
  for (const total of [0, -1, NaN, Infinity, '1']) {
    throwsCode(() => new exitcore.Budget(total), 'invalid_argument', 'total_epsilon');
  }
  const noise = new exitcore.CellNoise('k'.repeat(16));
  const budget = new exitcore.Budget(1);
  for (const epsilon of [0, -0.5, NaN]) {
    throwsCode(() => ds.release({ tables: [['org_unit']] }, { noise, epsilon, budget }), 'invalid_argument', 'epsilon');
  }
  throwsCode(() => ds.release({ tables: [['org_unit']] }, { noise, epsilon: '0.5', budget }), 'invalid_argument', 'options.epsilon');
  throwsCode(() => ds.release({ tables: [['org_unit']] }, { noise: budget, epsilon: 0.5, budget }), 'invalid_argument', 'options.noise');
  assert.equal(budget.spent, 0);
  // All three or none; the error names the first missing one.
  for (const [options, missing] of [
    [{ noise }, 'options.epsilon'],
    [{ epsilon: 0.5 }, 'options.noise'],
    [{ budget }, 'options.noise'],
    [{ noise, epsilon: 0.5 }, 'options.budget'],
    [{ noise, budget }, 'options.epsilon'],
  ]) {
    const e = throwsCode(() => ds.release({ tables: [['org_unit']] }, options), 'invalid_argument', missing);
    assert.match(e.message, /together/);
  }
  assert.equal(budget.spent, 0);
  throwsCode(() => ds.release({ tables: [] }, 42), 'invalid_argument', 'options');
});
