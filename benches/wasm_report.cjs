// The report built in WebAssembly under Node, to set beside the native
// `Report::build` row of `examples/stages.rs` at the same size.
//
//   (cd exitcore-wasm && npm run build)
//   node benches/wasm_report.cjs 100000
//   cargo run --release --example stages -- 100000     # the native side
//
// Same inputs as the native example: default breakdowns, quarter trend,
// comments, headcount and stayers of the synthetic organisation.
'use strict';
const path = require('node:path');

const exitcore = require(path.join(__dirname, '..', 'exitcore-wasm', 'pkg', 'exitcore_wasm.js'));

const exits = Number(process.argv[2] || 100000);
const repeat = Number(process.argv[3] || 1);

// Wall-clock and CPU seconds (process.cpuUsage: user + system of the
// process; the wasm runs on the main thread, so on a busy machine this is
// the time it would take on a quiet one).
function timed(fn) {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const out = fn();
  const used = process.cpuUsage(cpu);
  return [out, Number(process.hrtime.bigint() - start) / 1e9, (used.user + used.system) / 1e6];
}

const [org, tGen, cGen] = timed(() => exitcore.generate({ exits }));
console.log(`${exits} records: generate (records as JS objects): ${tGen.toFixed(3)} s wall, ${cGen.toFixed(3)} s cpu`);
const [loaded, tLoad, cLoad] = timed(() => exitcore.Dataset.fromRecords(org.questionnaire, org.records));
console.log(`${exits} records: Dataset.fromRecords: ${tLoad.toFixed(3)} s wall, ${cLoad.toFixed(3)} s cpu`);
const ds = loaded.dataset;
let best = [Infinity, Infinity];
for (let i = 0; i < repeat; i++) {
  const [, t, c] = timed(() => ds.report({ headcount: org.headcount, stayers: org.stayers }));
  best = [Math.min(best[0], t), Math.min(best[1], c)];
}
console.log(`${exits} records: Dataset.report (wasm, Node ${process.version}): ${best[0].toFixed(3)} s wall, ${best[1].toFixed(3)} s cpu (best of ${repeat})`);
// The same with the headcount and staff read once (new Headcount, new Stayers).
const once = { headcount: new exitcore.Headcount(org.headcount), stayers: new exitcore.Stayers(org.stayers) };
best = [Infinity, Infinity];
for (let i = 0; i < repeat; i++) {
  const [, t, c] = timed(() => ds.report(once));
  best = [Math.min(best[0], t), Math.min(best[1], c)];
}
console.log(`${exits} records: Dataset.report, Headcount and Stayers read once (wasm): ${best[0].toFixed(3)} s wall, ${best[1].toFixed(3)} s cpu (best of ${repeat})`);
