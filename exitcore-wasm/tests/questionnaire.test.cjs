'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { exitcore, record, throwsCode, assertPlain } = require('./support.cjs');

const { Questionnaire } = exitcore;

test('standard questionnaire round trips through JSON and objects', () => {
  const q = Questionnaire.standard();
  assert.equal(q.id, 'exitcore.standard');
  assert.equal(q.version, 1);
  const ids = q.questionIds();
  assert.ok(Array.isArray(ids));
  assert.ok(ids.includes('enps') && ids.includes('primary_reason'));

  const again = Questionnaire.fromJson(q.toJson());
  assert.equal(again.toJson(), q.toJson());
  assert.deepEqual(again.questionIds(), ids);

  const doc = q.toObject();
  assertPlain(doc);
  assert.equal(doc.id, 'exitcore.standard');
  assert.equal(doc.questions.length, ids.length);
  assert.equal(typeof doc.questions[0].text.en, 'string');
  assert.equal(Questionnaire.fromJson(JSON.stringify(doc)).toJson(), q.toJson());
});

test('bad questionnaires throw code "questionnaire" naming the spot', async (t) => {
  const broken = (edit) => {
    const doc = Questionnaire.standard().toObject();
    edit(doc);
    return JSON.stringify(doc);
  };
  const conditional = Questionnaire.standard()
    .toObject()
    .questions.findIndex((q) => q.show_if);
  assert.ok(conditional >= 0);

  const cases = [
    ['duplicate question id', (d) => { d.questions[1].id = d.questions[0].id; }, 'questions[1].id', /duplicate question id "primary_reason"/],
    ['condition on unknown question', (d) => { d.questions[conditional].show_if.question = 'nope'; }, `questions[${conditional}].show_if.question`, /unknown question "nope"/],
    ['unknown theme', (d) => { d.questions[2].theme = 'happiness'; }, 'questions[2].theme', /unknown variant `happiness`/],
    ['missing translation', (d) => { delete d.questions[3].text.en; }, 'questions[3].text.en', /missing translation/],
    ['missing field', (d) => { delete d.title; }, '(root)', /missing field `title`/],
  ];
  for (const [name, edit, field, message] of cases) {
    await t.test(name, () => {
      const e = throwsCode(() => Questionnaire.fromJson(broken(edit)), 'questionnaire', field);
      assert.match(e.message, message);
      assert.match(e.message, /^invalid questionnaire at /);
      assert.equal(e.problems, undefined);
    });
  }
  await t.test('not JSON at all', () => {
    throwsCode(() => Questionnaire.fromJson('{"id": '), 'questionnaire');
  });
});

test('validate throws invalid_record with every problem', () => {
  const q = Questionnaire.standard();
  assert.equal(q.validate(record('ok')), undefined);
  const bad = record('r1', { answers: { enps: 11, mystery: 1 } });
  delete bad.answers.would_return;
  const e = throwsCode(() => q.validate(bad), 'invalid_record');
  assert.match(e.message, /^invalid record r1: /);
  assert.ok(Array.isArray(e.problems));
  assertPlain(e.problems);
  const fields = e.problems.map((p) => p.field).sort();
  assert.deepEqual(fields, ['answers.enps', 'answers.mystery', 'answers.would_return']);
  assert.ok(fields.includes(e.field));
  for (const p of e.problems) {
    assert.equal(p.respondent, 'r1');
    assert.equal(p.row, null);
  }
  const kinds = Object.fromEntries(e.problems.map((p) => [p.field, p.kind]));
  assert.equal(kinds['answers.enps'], 'out_of_range');
  assert.equal(kinds['answers.mystery'], 'unknown_question');
  assert.equal(kinds['answers.would_return'], 'missing');
});

test('problems returns plain objects and [] for a valid record', () => {
  const q = Questionnaire.standard();
  assert.deepEqual(q.problems(record('ok')), []);
  const problems = q.problems(record('r2', { answers: { enps: 'ten' } }));
  assertPlain(problems);
  assert.equal(problems.length, 1);
  assert.equal(problems[0].field, 'answers.enps');
  assert.equal(problems[0].kind, 'wrong_type');
});

test('a value that is not a record throws code "json" naming the path', () => {
  const q = Questionnaire.standard();
  throwsCode(() => q.validate(record('r', { context: { tenure: 'long' } })), 'json', 'context.tenure');
  throwsCode(() => q.problems({ respondent: 'x' }), 'json');
  throwsCode(() => q.validate(null), 'json');
  throwsCode(() => q.validate({ ...record('r'), extra: 1 }), 'json');
});

test('migrate carries a record over to a later version', () => {
  const v1 = Questionnaire.fromJson(JSON.stringify({
    id: 'x', version: 1, title: { nl: 'X', en: 'X' },
    questions: [{ id: 'recommend', kind: 'rating', min: 0, max: 10, text: { nl: 'Aanraden?', en: 'Recommend?' } }],
  }));
  const v2 = Questionnaire.fromJson(JSON.stringify({
    id: 'x', version: 2, title: { nl: 'X', en: 'X' },
    questions: [{ id: 'enps', kind: 'rating', min: 0, max: 10, role: 'enps', text: { nl: 'Aanraden?', en: 'Recommend?' } }],
    previous_versions: [{ version: 1, questions: { recommend: 'enps' } }],
  }));
  const old = { respondent: 'r1', questionnaire: 'x', version: 1, context: { org_unit: ['Sales'] }, answers: { recommend: 8 } };
  v1.validate(old);
  const migrated = v2.migrate(old);
  assertPlain(migrated);
  assert.equal(migrated.version, 2);
  assert.deepEqual(migrated.answers, { enps: 8 });
  v2.validate(migrated);
  throwsCode(() => v2.migrate({ ...old, version: 7 }), 'invalid_argument', 'record.version');
  throwsCode(() => v2.migrate({ ...old, questionnaire: 'y' }), 'invalid_argument', 'record.questionnaire');
});
