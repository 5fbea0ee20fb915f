// Shared helpers for the Node tests (not a test file itself).
'use strict';
const assert = require('node:assert/strict');
const exitcore = require('../pkg/exitcore_wasm.js');

/** A valid record for the standard questionnaire. */
function record(respondent, overrides = {}) {
  return {
    respondent,
    questionnaire: 'exitcore.standard',
    version: 1,
    context: { org_unit: ['Sales', 'North'], ...(overrides.context || {}) },
    answers: { primary_reason: 'pay', enps: 7, would_return: true, ...(overrides.answers || {}) },
  };
}

/** Runs `fn`, expects it to throw an exitcore error with `code`, returns the error. */
function throwsCode(fn, code, field) {
  let caught;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught, `expected an error with code ${code}`);
  assert.ok(caught instanceof Error, `expected an Error, got ${caught}`);
  assert.equal(caught.code, code, `code of: ${caught.message}`);
  if (field !== undefined) assert.equal(caught.field, field, `field of: ${caught.message}`);
  return caught;
}

/** Plain object (not a Map, not a class instance), checked recursively. */
function assertPlain(value, at = 'value') {
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertPlain(v, `${at}[${i}]`));
  } else if (value !== null && typeof value === 'object') {
    assert.equal(Object.getPrototypeOf(value), Object.prototype, `${at} is not a plain object`);
    for (const [k, v] of Object.entries(value)) assertPlain(v, `${at}.${k}`);
  }
}

/** The module still answers after an error. */
function assertAlive() {
  const q = exitcore.Questionnaire.standard();
  assert.equal(q.id, 'exitcore.standard');
  assert.equal(exitcore.Dataset.fromRecords(q, [record('alive')]).dataset.length, 1);
}

module.exports = { exitcore, record, throwsCode, assertPlain, assertAlive };
