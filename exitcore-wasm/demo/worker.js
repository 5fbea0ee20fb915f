// The demo's Web Worker: every step that touches the data (reading the files,
// import, analysis, rendering) runs here, so a large file never freezes the
// page and the main thread only ever sees the finished report.
//
// It only translates between the page and exitcore: what is a valid k, which
// cells are withheld, every number and every sentence come from the core.
import init, { Dataset, Mapping, Questionnaire, generate } from './pkg/exitcore_wasm.js';

const ready = init();

// Form fields arrive as text. A number-like text goes to the core as a number
// so that the core (not this page) judges it; anything else goes as it is and
// the core says why it is wrong. An empty field is left out: the core's default.
function fieldValue(text) {
  const s = String(text ?? '').trim();
  if (s === '') return undefined;
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) {
    const n = Number(s);
    // Past 2^53 a JS number would silently round an integer (a seed, say);
    // pass the text so the core refuses it instead of using another value.
    if (!Number.isInteger(n) || Number.isSafeInteger(n)) return n;
  }
  return s;
}

function withoutUndefined(o) {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

// The numbers the page's summary shows, picked from the report's JSON as
// they are: nothing is added up, rounded or derived here.
function summaryOf(doc) {
  const a = doc.analysis;
  return {
    title: doc.title,
    lang: doc.lang,
    generator: doc.generator,
    questionnaire: doc.questionnaire,
    inputs: doc.inputs,
    policy: a.policy,
    exits: a.overall.n,
    overallWithheld: a.overall.withheld,
    enps: a.overall.enps ? a.overall.enps.score : null,
    audit: a.audit,
    insights: a.insights.map((i) => i[doc.lang]),
  };
}

function errorOf(e) {
  if (e instanceof Error) {
    return { message: e.message, code: e.code ?? null, field: e.field ?? null, name: e.name };
  }
  return { message: String(e), code: null, field: null, name: typeof e };
}

async function loadFiles(msg) {
  const [csv, mappingText, questionnaireText] = await Promise.all([
    msg.csv.arrayBuffer(),
    msg.mapping.text(),
    msg.questionnaire ? msg.questionnaire.text() : Promise.resolve(null),
  ]);
  let mapping;
  if (questionnaireText !== null) {
    const q = Questionnaire.fromJson(questionnaireText);
    try {
      mapping = Mapping.fromJsonWithQuestionnaire(mappingText, q);
    } finally {
      q.free();
    }
  } else {
    mapping = Mapping.fromJson(mappingText);
  }
  try {
    const out = Dataset.importCsv(new Uint8Array(csv), mapping);
    return {
      dataset: out.dataset,
      extra: {},
      source: `${msg.csv.name} + ${msg.mapping.name}${msg.questionnaire ? ` + ${msg.questionnaire.name}` : ''}`,
      import: {
        rows: out.summary.rows,
        imported: out.summary.imported,
        rejected: out.summary.rejected,
        skipped: out.summary.skipped,
        // A few problems are enough to see what is wrong with a file; they
        // name row and field, and carry no answers.
        problems: out.problems.slice(0, 5),
      },
    };
  } finally {
    mapping.free();
  }
}

function loadSynthetic(msg) {
  const org = generate(withoutUndefined({ exits: fieldValue(msg.exits), seed: fieldValue(msg.seed) }));
  const loaded = Dataset.fromRecords(org.questionnaire, org.records);
  org.questionnaire.free();
  return {
    dataset: loaded.dataset,
    // The synthetic organisation comes with headcount and current staff, as
    // in the command-line report, so turnover and survival are shown too.
    extra: { headcount: org.headcount, stayers: org.stayers },
    source: 'synthetic',
    import: { rows: org.records.length, imported: loaded.dataset.length, rejected: loaded.rejected, skipped: 0, problems: loaded.problems.slice(0, 5) },
  };
}

async function run(msg) {
  await ready;
  const loaded = msg.source === 'files' ? await loadFiles(msg) : loadSynthetic(msg);
  try {
    const k = fieldValue(msg.k);
    const report = loaded.dataset.report(withoutUndefined({
      lang: msg.lang || undefined,
      policy: k === undefined ? undefined : { k },
      ...loaded.extra,
    }));
    try {
      const json = report.toJson();
      return {
        source: loaded.source,
        import: loaded.import,
        summary: summaryOf(JSON.parse(json)),
        json,
        html: report.toHtml(),
      };
    } finally {
      report.free();
    }
  } finally {
    loaded.dataset.free();
  }
}

self.onmessage = async (event) => {
  const msg = event.data;
  try {
    const result = await run(msg);
    self.postMessage({ id: msg.id, ok: true, result });
  } catch (e) {
    self.postMessage({ id: msg.id, ok: false, error: errorOf(e) });
  }
};

// Tells the page that the module loaded (or not), so a missing pkg/ build is
// shown as a message instead of a page that silently does nothing.
ready.then(
  () => self.postMessage({ ready: true }),
  (e) => self.postMessage({ ready: false, error: errorOf(e) }),
);
