'use strict';
// Garbage in from JS must come back as a thrown Error with a code, never as
// a crashed (aborted) wasm instance.
const test = require('node:test');
const assert = require('node:assert/strict');
const { exitcore, record, throwsCode, assertAlive } = require('./support.cjs');

const { Questionnaire, Mapping, Dataset, pseudonymise } = exitcore;

const JUNK = [undefined, null, 0, -1, NaN, Infinity, 1n << 80n, true, '', 'junk', Symbol('x'), () => 1,
  [], [1, [2, [3]]], {}, { respondent: 5 }, new Map(), new Set([1]), new Uint8Array(3), new Date(0), /re/];

test('string arguments reject everything but strings', () => {
  for (const junk of JUNK.filter((j) => typeof j !== 'string')) {
    throwsCode(() => Questionnaire.fromJson(junk), 'invalid_argument', 'json');
    throwsCode(() => Mapping.fromJson(junk), 'invalid_argument', 'json');
    throwsCode(() => pseudonymise('0123456789abcdef', junk), 'invalid_argument', 'id');
  }
  for (const junk of ['', 'junk', '[]', 'null', '{"id": 1}', '\u0000']) {
    throwsCode(() => Questionnaire.fromJson(junk), 'questionnaire');
    throwsCode(() => Mapping.fromJson(junk), 'mapping');
  }
  assertAlive();
});

test('record arguments: junk throws json or invalid_argument', () => {
  const q = Questionnaire.standard();
  for (const junk of JUNK) {
    for (const call of [() => q.validate(junk), () => q.problems(junk), () => q.migrate(junk)]) {
      let caught;
      try {
        call();
      } catch (e) {
        caught = e;
      }
      assert.ok(caught instanceof Error, `no Error for ${String(junk)}`);
      assert.ok(['json', 'invalid_argument'].includes(caught.code), `${caught.code}: ${caught.message}`);
    }
  }
  assertAlive();
});

test('deeply nested and circular values are refused, not overflowing the stack', () => {
  const q = Questionnaire.standard();
  let deep = [];
  for (let i = 0; i < 100000; i++) deep = [deep];
  throwsCode(() => q.validate(deep), 'invalid_argument', 'record');
  const circular = record('c');
  circular.context.self = circular;
  throwsCode(() => q.validate(circular), 'invalid_argument', 'record');
  const out = Dataset.fromRecords(q, [deep, circular, record('ok')]);
  assert.equal(out.dataset.length, 1);
  assert.equal(out.rejected, 2);
  assertAlive();
});

test('a huge array of junk becomes one problem per row', () => {
  const q = Questionnaire.standard();
  const n = 50000;
  const junk = Array.from({ length: n }, (_, i) => JUNK[i % JUNK.length]);
  junk.push(record('last'));
  const out = Dataset.fromRecords(q, junk);
  assert.equal(out.dataset.length, 1);
  assert.equal(out.rejected, n);
  assert.equal(out.problems.length, n);
  assert.equal(out.problems[n - 1].row, n);
  assertAlive();
});

test('byte arguments reject what is not text or bytes', () => {
  const mapping = Mapping.fromJson(JSON.stringify({
    questionnaire: 'standard', respondent: { column: 'ID' }, context: { org_unit: { column: 'Unit' } },
  }));
  for (const junk of [undefined, null, 42, {}, [1, 2], () => 1, Symbol('s')]) {
    throwsCode(() => Dataset.importCsv(junk, mapping), 'invalid_argument', 'csv');
    throwsCode(() => pseudonymise(junk, 'E1'), 'invalid_argument', 'key');
  }
  for (const junk of [42, 'options', [1], true]) {
    throwsCode(() => Dataset.importCsv('ID,Unit\n1,A\n', mapping, junk), 'invalid_argument', 'options');
  }
  // Arbitrary bytes are a CSV problem, not a crash.
  const noise = new Uint8Array(100000).map((_, i) => (i * 7919) % 256);
  try {
    Dataset.importCsv(noise, mapping);
  } catch (e) {
    assert.ok(e instanceof Error && typeof e.code === 'string', String(e));
  }
  assertAlive();
});

test('class arguments are checked by the generated glue before reaching Rust', () => {
  // wasm-bindgen itself rejects non-instances with a plain Error (no `code`);
  // what matters is that the instance keeps working.
  for (const junk of [undefined, 42, {}, Questionnaire.standard().toObject()]) {
    assert.throws(() => Dataset.fromRecords(junk, []), Error);
    assert.throws(() => Dataset.importCsv('ID\n1\n', junk), Error);
    assert.throws(() => Mapping.fromJsonWithQuestionnaire('{}', junk), Error);
  }
  assertAlive();
});

test('a freed object throws instead of crashing', () => {
  const q = Questionnaire.standard();
  q.free();
  assert.throws(() => q.questionIds(), Error);
  assertAlive();
});

test('a getter that throws is a problem on its row or a named argument, never an escaped exception', () => {
  const q = Questionnaire.standard();
  const throwing = (object, name) => {
    Object.defineProperty(object, name, { enumerable: true, get() { throw new Error('boom\nsecond line'); } });
    return object;
  };
  // In bulk the other rows load; the row says what its reading threw.
  const loaded = Dataset.fromRecords(q, [record('a'), throwing(record('b'), 'context'), record('c')]);
  assert.equal(loaded.dataset.length, 2);
  assert.equal(loaded.problems.length, 1);
  assert.equal(loaded.problems[0].row, 2);
  assert.equal(loaded.problems[0].message, 'not a JSON value: reading it threw an error: boom second line');
  // One value: an error naming the argument or option.
  throwsCode(() => q.validate(throwing(record('d'), 'answers')), 'invalid_argument', 'record');
  const data = loaded.dataset;
  throwsCode(() => data.analyse(throwing({}, 'by')), 'invalid_argument', 'spec');
  throwsCode(() => data.report(throwing({}, 'title')), 'invalid_argument', 'options.title');
  throwsCode(() => data.report(throwing({}, 'headcount')), 'invalid_argument', 'options.headcount');
  throwsCode(() => data.analyse({}, throwing({}, 'stayers')), 'invalid_argument', 'options.stayers');
  const rows = [{ org_unit: ['D'], year: 2024, quarter: 1, headcount: 3 }];
  throwsCode(() => new exitcore.Headcount([throwing({ ...rows[0] }, 'year')]), 'invalid_argument', 'headcount');
  assert.equal(data.report({ headcount: new exitcore.Headcount(rows) }).toJson().length > 0, true);
  assertAlive();
});
