'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { exitcore, throwsCode, assertPlain, assertAlive } = require('./support.cjs');

const { Questionnaire, Dataset, generate } = exitcore;

test('generate returns a plain synthetic organisation whose records load cleanly', () => {
  const org = generate({ seed: 1, exits: 300 });
  assert.equal(Object.getPrototypeOf(org), Object.prototype);
  assert.deepEqual(Object.keys(org), ['questionnaire', 'records', 'headcount', 'stayers', 'units']);
  assert.ok(org.questionnaire instanceof Questionnaire);
  assert.equal(org.records.length, 300);
  assertPlain(org.records);
  assertPlain(org.headcount);
  assertPlain(org.units);
  assert.ok(org.units.length > 0 && org.units.every((u) => Array.isArray(u) && u.length > 0));
  assert.ok(org.headcount.length > 0);
  const out = Dataset.fromRecords(org.questionnaire, org.records);
  assert.equal(out.rejected, 0, JSON.stringify(out.problems.slice(0, 3)));
  assert.equal(out.dataset.length, 300);
});

test('generate is seeded: same options, same organisation', () => {
  const a = generate({ seed: 42, exits: 100 });
  const b = generate({ seed: 42, exits: 100 });
  const c = generate({ seed: 43, exits: 100 });
  assert.deepEqual(a.records, b.records);
  assert.deepEqual(a.headcount, b.headcount);
  assert.notDeepEqual(a.records, c.records);
  assert.deepEqual(generate({ seed: 42n, exits: 100 }).records, a.records);
});

test('generate takes the OrgConfig fields in camelCase, plants included', () => {
  const base = generate({ seed: 3, exits: 50 });
  const org = generate({
    seed: 3,
    exits: 50,
    quarters: 4,
    startYear: 2021,
    commentRate: 0,
    plants: [{ unit: base.units[0], reason: 'workload', oddsRatio: 3 }],
  });
  assert.equal(org.records.length, 50);
  for (const r of org.records) {
    if (r.context.exit_date) assert.ok(r.context.exit_date.startsWith('2021') || r.context.exit_date.startsWith('2022'), r.context.exit_date);
  }
  assert.equal(generate().records.length, generate(undefined).records.length);
  assert.equal(generate(null).records.length, generate({}).records.length);
});

test('unknown or mistyped generate options throw invalid_argument naming the option', () => {
  let e = throwsCode(() => generate({ exit: 10 }), 'invalid_argument', 'options.exit');
  assert.match(e.message, /unknown field `exit`/);
  throwsCode(() => generate({ departments_per_division: 2 }), 'invalid_argument', 'options.departments_per_division');
  e = throwsCode(() => generate({ commentRate: 2 }), 'invalid_argument', 'options.commentRate');
  assert.match(e.message, /^invalid argument options\.commentRate: /);
  throwsCode(() => generate({ plants: [{ unit: ['No such unit'], reason: 'pay', oddsRatio: 2 }] }), 'invalid_argument');
  throwsCode(() => generate({ exits: 'many' }), 'invalid_argument', 'options.exits');
  throwsCode(() => generate({ seed: -1 }), 'invalid_argument', 'options.seed');
  throwsCode(() => generate({ plants: [{ unit: ['X'], reason: 'pay', oddsRatio: 'high' }] }), 'invalid_argument', 'options.plants[0].oddsRatio');
  throwsCode(() => generate({ plants: [{ unit: ['X'], reason: 'pay' }] }), 'invalid_argument', 'options.plants[0]');
  for (const junk of [42, 'x', true, [1], () => 1]) {
    throwsCode(() => generate(junk), 'invalid_argument');
  }
  assertAlive();
});
