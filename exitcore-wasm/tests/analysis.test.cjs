'use strict';
// dataset.analyse from JS: released numbers only, the core's defaults, errors
// with code and field, the ledger and the policy as in release.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { exitcore, assertPlain, assertAlive, throwsCode } = require('./support.cjs');

const REASONS = ['pay', 'workload', 'leadership', 'development', 'culture'];
const LIKERT = ['leadership_support', 'pay_fair', 'workload_manageable'];

function synthetic(options) {
  const org = exitcore.generate(options);
  const loaded = exitcore.Dataset.fromRecords(org.questionnaire, org.records);
  assert.equal(loaded.problems.length, 0);
  return loaded.dataset;
}

// Leavers of division D by team, with answers that vary within each team.
function division(sizes) {
  const q = exitcore.Questionnaire.standard();
  const records = [];
  for (const [team, n] of Object.entries(sizes)) {
    for (let i = 0; i < n; i++) {
      const answers = { primary_reason: REASONS[i % REASONS.length], enps: i % 11, would_return: i % 2 === 0 };
      LIKERT.forEach((item, j) => { answers[item] = 1 + ((i + j) % 5); });
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

const groupsOf = (a) => [a.overall, ...a.breakdowns.flatMap((b) => b.groups)];

const ds = synthetic({ seed: 11, exits: 2000 });
const analysis = ds.analyse({ by: [['org_unit'], ['job_family', 'tenure_band']], trend: 'quarter' });

test('analyse returns the plain serde form with released groups of at least k', () => {
  assertPlain(analysis);
  assert.deepEqual(Object.keys(analysis).sort(), [
    'audit', 'breakdowns', 'comments', 'drivers', 'findings', 'insights', 'overall', 'policy', 'survival', 'trends',
  ]);
  assert.deepEqual(analysis.policy, { k: 5, comment_k: 10, show_zero: false });
  assert.equal(analysis.overall.n, 2000);
  assert.deepEqual(analysis.overall.key, []);
  assert.deepEqual(analysis.breakdowns.map((b) => b.by), [['org_unit'], ['job_family', 'tenure_band']]);
  const groups = groupsOf(analysis);
  const released = groups.filter((g) => g.n !== null);
  const withheld = groups.filter((g) => g.n === null);
  assert.ok(released.length > 50 && withheld.length > 0);
  assert.ok(released.every((g) => g.n >= 5));
  for (const g of withheld) {
    assert.ok(['primary', 'homogeneous', 'secondary'].includes(g.withheld));
    assert.deepEqual([g.primary_reasons, g.items, g.enps], [[], [], null]);
  }
  const a = analysis.audit;
  assert.equal(a.released + a.primary + a.homogeneous + a.secondary, a.cells);
  // Snake-case data keys, as in a release; numbers are numbers.
  const share = analysis.overall.primary_reasons[0];
  assert.deepEqual(Object.keys(share), ['option', 'count', 'share', 'interval']);
  assert.ok(share.interval.lower < share.share && share.share < share.interval.upper);
  const item = analysis.overall.items[0];
  assert.equal(item.rest_mean, null);
  assert.equal(item.vs_rest, null);
  assert.equal(typeof item.mean.mean, 'number');
  assert.equal(analysis.trends.period, 'quarter');
  assert.equal(analysis.trends.periods.length, 40);
  assert.ok(analysis.drivers.length > 0);
});

test('findings are sorted, adjusted and about groups of at least minTestGroup', () => {
  const f = analysis.findings;
  assert.ok(f.length > 100);
  const sizes = Object.fromEntries(groupsOf(analysis).filter((g) => g.n !== null).map((g) => [JSON.stringify(g.key), g.n]));
  for (const x of f) {
    assert.ok(0 <= x.p_value && x.p_value <= x.q_value && x.q_value <= 1);
    assert.ok(['reason', 'item', 'reason_trend', 'item_trend'].includes(x.kind));
    if (x.test === 'fisher_exact' || x.test === 'mann_whitney') {
      assert.equal(sizes[JSON.stringify(x.key)], x.n);
      assert.ok(x.n >= 20);
    }
  }
  assert.deepEqual(f.map((x) => x.p_value), f.map((x) => x.p_value).sort((a, b) => a - b));
  assert.ok(analysis.insights.every((i) => i.finding.significant && typeof i.nl === 'string' && typeof i.en === 'string'));
  const few = ds.analyse({ by: [['org_unit']], minTestGroup: 200 }).findings;
  assert.ok(few.length > 0 && few.every((x) => x.n >= 200));
});

test('omitted fields are the core defaults; given ones change the result', () => {
  const plain = JSON.stringify(ds.analyse({ by: [['org_unit']] }));
  assert.equal(JSON.stringify(ds.analyse({ by: [['org_unit']], confidence: 0.95, fdr: 0.05, minTestGroup: 20, policy: { k: 5 } })), plain);
  assert.equal(JSON.stringify(ds.analyse({ by: [['org_unit']], trend: null }, {})), plain);
  assert.deepEqual(ds.analyse().breakdowns, []);
  assert.deepEqual(ds.analyse({}).breakdowns, []);
  const narrow = ds.analyse().overall.primary_reasons[0].interval;
  const wide = ds.analyse({ confidence: 0.8 }).overall.primary_reasons[0].interval;
  assert.ok(narrow.lower < wide.lower && wide.upper < narrow.upper);
  // The policy lives in the spec, as in release.
  const strict = ds.analyse({ by: [['org_unit']], policy: { k: 25 } });
  assert.equal(strict.policy.k, 25);
  const ns = groupsOf(strict).map((g) => g.n).filter((n) => n !== null);
  assert.ok(ns.length > 0 && Math.min(...ns) >= 25);
});

test('insights and drivers can be left out; the rest is the full analysis', () => {
  const spec = { by: [['org_unit']], trend: 'quarter', comments: false };
  const full = ds.analyse(spec);
  assert.ok(full.insights.length > 0 && full.drivers.length > 0);
  assert.deepEqual(ds.analyse({ ...spec, insights: true, drivers: true }), full);
  const lean = ds.analyse({ ...spec, insights: false, drivers: false });
  assertPlain(lean);
  assert.deepEqual(lean, { ...full, insights: [], drivers: [] });
  throwsCode(() => ds.analyse({ insights: 'no' }), 'invalid_argument', 'insights');
  throwsCode(() => ds.analyse({ drivers: 1 }), 'invalid_argument', 'drivers');
});

test('four people release nothing', () => {
  const a = division({ A: 4 }).analyse({ by: [['org_unit']], trend: 'year' });
  assert.equal(a.overall.n, null);
  assert.equal(a.overall.withheld, 'primary');
  assert.ok(a.breakdowns[0].groups.every((g) => g.n === null));
  assert.deepEqual([a.findings, a.insights, a.drivers], [[], [], []]);
  assert.equal(a.audit.released, 0);
});

test('bad specs throw with code and the JS field', () => {
  const small = division({ A: 8, B: 8 });
  const cases = [
    [{ by: [['nope']] }, 'by[0][0]'],
    [{ by: [['org_unit'], ['org_unit', 'shoe_size']] }, 'by[1][1]'],
    [{ by: 'org_unit' }, 'by'],
    [{ confidence: 1.5 }, 'confidence'],
    [{ confidence: 0 }, 'confidence'],
    [{ fdr: 1 }, 'fdr'],
    [{ minTestGroup: -1 }, 'minTestGroup'],
    [{ minTestGroup: 'x' }, 'minTestGroup'],
    [{ trend: 'week' }, 'trend'],
    [{ min_test_group: 5 }, 'spec.min_test_group'],
    [{ policy: { k: 1 } }, 'k'],
    [42, 'spec'],
  ];
  for (const [spec, field] of cases) {
    const e = throwsCode(() => small.analyse(spec), 'invalid_argument', field);
    assert.ok(e.message.length > 0);
  }
  throwsCode(() => small.analyse({ confidence: NaN }), 'invalid_argument', 'spec');
  throwsCode(() => small.analyse({}, { ledger: {} }), 'invalid_argument', 'options.ledger');
  throwsCode(() => small.analyse({}, { ledger: new exitcore.Budget(1) }), 'invalid_argument', 'options.ledger');
  throwsCode(() => small.analyse({}, { policy: { k: 7 } }), 'invalid_argument', 'options.policy');
  throwsCode(() => small.analyse({}, 5), 'invalid_argument', 'options');
  assertAlive();
});

test('a ledger is lent through options and honoured', () => {
  const lastMonth = division({ T0: 6, T1: 6 });
  const now = division({ T0: 7, T1: 6 });
  const ledger = new exitcore.Ledger();
  ledger.record(lastMonth, lastMonth.release({ tables: [['org_unit']] }));
  const ns = (a) => Object.fromEntries(a.breakdowns[0].groups.map((g) => [JSON.stringify(g.key), g.n]));
  const blind = ns(now.analyse({ by: [['org_unit']] }));
  assert.equal(blind[JSON.stringify([['org_unit', 'D/T0']])], 7);
  const guarded = ns(now.analyse({ by: [['org_unit']] }, { ledger }));
  assert.ok(Object.keys(blind).some((k) => blind[k] !== null && guarded[k] === null));
  assert.deepEqual(ns(now.analyse({ by: [['org_unit']] }, { ledger: new exitcore.Ledger() })), blind);
  // The caller's ledger is still usable.
  assert.equal(ledger.length, 1);
});

test('insights in Dutch and English on a planted null organisation', () => {
  const planted = synthetic({
    seed: 5, exits: 3000, groupEffects: false,
    plants: [{ unit: ['Operations'], reason: 'workload', oddsRatio: 4 }],
  });
  const a = planted.analyse({ by: [['org_unit']] });
  assert.ok(a.insights.length > 0);
  assert.ok(a.insights.some((i) => i.en.startsWith('Leavers from Operations') && i.en.includes('workload')));
  assert.ok(a.insights.some((i) => i.nl.startsWith('Vertrekkers uit Operations')));
  const effects = a.insights.map((i) => Math.abs(i.effect));
  assert.deepEqual(effects, [...effects].sort((x, y) => y - x));
});

test('generate takes groupEffects', () => {
  const base = exitcore.generate({ seed: 2, exits: 300 }).records;
  assert.deepEqual(exitcore.generate({ seed: 2, exits: 300, groupEffects: true }).records, base);
  const nullOrg = exitcore.generate({ seed: 2, exits: 300, groupEffects: false }).records;
  assert.equal(nullOrg.length, 300);
  assert.notDeepEqual(nullOrg, base);
  throwsCode(() => exitcore.generate({ groupEffects: 'no' }), 'invalid_argument', 'options.groupEffects');
});

test('headcount and current staff give turnover and survival; bad rows are named', () => {
  const org = exitcore.generate({ seed: 5, exits: 2000 });
  const data = exitcore.Dataset.fromRecords(org.questionnaire, org.records).dataset;
  const a = data.analyse({ by: [['org_unit']] }, { headcount: org.headcount, stayers: org.stayers });
  assertPlain(a);
  const personYears = org.headcount.reduce((s, r) => s + r.headcount, 0) / 4;
  assert.ok(Math.abs(a.overall.turnover.person_years - personYears) < 1e-9 * personYears);
  assert.ok(Math.abs(a.overall.turnover.rate - 2000 / personYears) < 1e-12);
  assert.equal(a.survival.leavers_used, 2000);
  assert.ok(a.survival.curves.length > 1);
  const bad = org.headcount.slice(0, 3).map((r) => ({ ...r }));
  bad[2].quarter = 5;
  throwsCode(() => data.analyse({}, { headcount: bad }), 'invalid_argument', 'headcount[2].quarter');
  throwsCode(() => data.analyse({}, { stayers: [{ org_unit: ['A'] }] }), 'invalid_argument');
});

test('comment summaries come from cells that may show comments; a roster is accepted', () => {
  const org = exitcore.generate({ seed: 5, exits: 2000 });
  const data = exitcore.Dataset.fromRecords(org.questionnaire, org.records).dataset;
  const a = data.analyse({ by: [['org_unit']], lang: 'nl' }, { roster: ['Jan de Vries'] });
  assert.ok(a.comments.length > 0);
  const released = new Map(groupsOf(a).filter((g) => g.n !== null).map((g) => [JSON.stringify(g.key), g.n]));
  for (const c of a.comments) {
    assert.ok(released.get(JSON.stringify(c.key)) >= 10);
    assert.ok(c.words.every((w) => w.comments >= 3));
  }
  assert.deepEqual(data.analyse({ by: [['org_unit']], comments: false }).comments, []);
  throwsCode(() => data.analyse({}, { roster: ['J'] }), 'invalid_argument');
});
