'use strict';
// The README's JavaScript examples run as written (with the package path
// pointed at this checkout's build).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const readme = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);

test('the README has JavaScript examples', () => {
  assert.ok(blocks.length > 0);
});

test('the README JavaScript examples run and print what their comments say', () => {
  const pkg = path.resolve(__dirname, '../pkg/exitcore_wasm.js');
  for (const block of blocks) {
    const code = block.replace('./exitcore-wasm/pkg/exitcore_wasm.js', pkg);
    const printed = [];
    const fakeConsole = { log: (...args) => printed.push(args.join(' ')) };
    new Function('require', 'console', code)(require, fakeConsole);
    // A `// expected` comment after console.log states the output.
    const expected = [...code.matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)].map((m) => m[1]);
    assert.deepEqual(printed, expected);
  }
});
