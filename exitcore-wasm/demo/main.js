// The demo page's main thread: it hands the form's values and the chosen
// File objects to the worker and shows what comes back. It never reads the
// data and never computes a number; the worker (exitcore) does all of that.

const $ = (selector) => document.querySelector(selector);
const form = $('#options');
const statusLine = $('#status');
const errorBox = $('#error');
const cancelButton = $('#cancel');
const runButton = form.querySelector('button[type=submit]');
const TOP_INSIGHTS = 5;

let worker = null;
let workerReady = false;
let pending = null; // { id } of the run in flight
let nextId = 1;
let downloadUrls = [];

function setStatus(text) {
  statusLine.textContent = text;
}

function showError(error) {
  errorBox.replaceChildren();
  const head = document.createElement('strong');
  head.textContent = error.title || 'exitcore could not make this report';
  const message = document.createElement('p');
  message.className = 'message';
  message.dataset.testid = 'error-message';
  message.textContent = error.message;
  errorBox.append(head, message);
  if (error.code || error.field) {
    const detail = document.createElement('p');
    detail.className = 'detail';
    detail.textContent = [error.code && `code: ${error.code}`, error.field && `field: ${error.field}`]
      .filter(Boolean)
      .join(' · ');
    errorBox.append(detail);
  }
  if (error.hint) {
    const hint = document.createElement('p');
    hint.className = 'hint';
    hint.textContent = error.hint;
    errorBox.append(hint);
  }
  errorBox.hidden = false;
}

function clearError() {
  errorBox.hidden = true;
  errorBox.replaceChildren();
}

function startWorker() {
  workerReady = false;
  // A module worker, so it can import the wasm-bindgen `--target web` glue.
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = (event) => onWorkerMessage(event.data);
  worker.onerror = (event) => {
    // The worker script itself failed (e.g. pkg/ was not built): the page
    // stays usable and says so; the next run starts a fresh worker.
    event.preventDefault();
    const message = event.message || 'the worker script could not be loaded (is demo/pkg/ built?)';
    stopWorker();
    finishRun();
    showError({ title: 'exitcore did not start', message });
    setStatus('Not ready.');
  };
}

function stopWorker() {
  if (worker) worker.terminate();
  worker = null;
  workerReady = false;
}

function finishRun() {
  pending = null;
  runButton.disabled = false;
  cancelButton.hidden = true;
  document.body.removeAttribute('aria-busy');
}

function onWorkerMessage(msg) {
  if ('ready' in msg) {
    workerReady = msg.ready;
    if (msg.ready) {
      if (!pending) setStatus('Ready.');
    } else {
      showError({ title: 'exitcore did not start', message: msg.error.message });
      setStatus('Not ready.');
    }
    return;
  }
  if (!pending || msg.id !== pending.id) return; // a cancelled run
  finishRun();
  if (msg.ok) {
    clearError();
    showResult(msg.result);
    setStatus('Report ready.');
  } else {
    const e = msg.error;
    if (!e.code) {
      // Not one of exitcore's errors (those carry a code): the module may be
      // in a broken state, so the next run gets a fresh one.
      stopWorker();
    }
    // An old report next to a message about new settings would be misread.
    $('#result').hidden = true;
    showError({
      message: e.message,
      code: e.code,
      field: e.field,
      hint: hintFor(e),
    });
    setStatus('No report: see the message below.');
  }
}

// A pointer to the next step for the errors a first-time user meets; the
// message itself is always exitcore's.
function hintFor(e) {
  if (e.code === 'mapping' && e.field === 'questionnaire.path') {
    return 'Choose the questionnaire JSON file that the mapping names as well (a browser cannot read it from disk by itself).';
  }
  if (e.field === 'k' || /(^|\.)k$/.test(e.field || '')) {
    return 'Change k and make the report again.';
  }
  return '';
}

// Without thousands separators, as the report itself writes numbers.
function formatter(lang, digits) {
  return new Intl.NumberFormat(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false });
}

// A number of the report; `absent` says what its `null` means there:
// 'withheld' (the core kept it back) or 'none' (not in this report, e.g. a
// questionnaire without an eNPS question).
function setNumber(testid, value, lang, digits = 0, absent = 'withheld') {
  const el = document.querySelector(`[data-testid="${testid}"]`);
  el.classList.remove('withheld', 'none');
  if (value === null || value === undefined) {
    if (absent === 'withheld') {
      el.textContent = lang === 'nl' ? 'achtergehouden' : 'withheld';
    } else {
      el.textContent = '–';
      el.title = lang === 'nl' ? 'niet in dit rapport' : 'not in this report';
    }
    el.classList.add(absent);
    el.dataset.value = '';
  } else {
    el.removeAttribute('title');
    el.textContent = formatter(lang, digits).format(value);
    el.classList.remove('withheld');
    // The unformatted number, for tests and for copying.
    el.dataset.value = String(value);
  }
}

function setText(testid, text) {
  document.querySelector(`[data-testid="${testid}"]`).textContent = text;
}

function download(id, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  downloadUrls.push(url);
  $(id).href = url;
}

function showResult(result) {
  for (const url of downloadUrls) URL.revokeObjectURL(url);
  downloadUrls = [];
  const s = result.summary;
  const lang = s.lang;
  setText('summary-source', result.source === 'synthetic' ? 'synthetic organisation' : result.source);
  setText('summary-generator', s.generator);
  setNumber('summary-exits', s.exits, lang);
  setNumber('summary-k', s.policy.k, lang);
  // A released group without eNPS has no eNPS question (or no ratings).
  setNumber('summary-enps', s.enps, lang, 1, s.overallWithheld ? 'withheld' : 'none');
  setNumber('summary-cells', s.audit.cells, lang);
  setNumber('summary-released', s.audit.released, lang);
  setNumber('summary-withheld-small', s.audit.primary, lang);
  setNumber('summary-withheld-homogeneous', s.audit.homogeneous, lang);
  setNumber('summary-withheld-secondary', s.audit.secondary, lang);
  setNumber('summary-comments-withheld', s.audit.comments_withheld, lang);

  const imp = result.import;
  $('[data-testid="import"]').hidden = result.source === 'synthetic';
  setNumber('import-rows', imp.rows, lang);
  setNumber('import-imported', imp.imported, lang);
  setNumber('import-rejected', imp.rejected, lang);
  const problems = $('[data-testid="import-problems"]');
  problems.replaceChildren(
    ...imp.problems.map((p) => {
      const li = document.createElement('li');
      li.textContent = `row ${p.row}${p.field ? `, ${p.field}` : ''}: ${p.message}`;
      return li;
    }),
  );
  problems.hidden = imp.problems.length === 0;

  setNumber('summary-insight-count', s.insights.length, lang);
  const list = $('[data-testid="insights"]');
  list.replaceChildren(
    ...s.insights.slice(0, TOP_INSIGHTS).map((text) => {
      const li = document.createElement('li');
      li.dataset.testid = 'insight';
      li.textContent = text;
      return li;
    }),
  );
  if (s.insights.length === 0) {
    const li = document.createElement('li');
    li.className = 'none';
    li.textContent = lang === 'nl' ? 'Geen bevinding steekt boven het toeval uit.' : 'No finding stands out from chance.';
    list.append(li);
  }

  download('#download-json', result.json, 'application/json');
  download('#download-html', result.html, 'text/html');

  const frame = $('#report');
  frame.onload = () => fitFrame(frame);
  frame.srcdoc = result.html;
  $('#result').hidden = false;
}

// Sized to its content so the page scrolls as one document (and a
// full-page screenshot shows the whole report).
function fitFrame(frame) {
  const doc = frame.contentDocument;
  if (doc && doc.documentElement) {
    frame.style.height = `${doc.documentElement.scrollHeight + 4}px`;
  }
}

window.addEventListener('resize', () => fitFrame($('#report')));

function run(event) {
  event.preventDefault();
  clearError();
  const data = new FormData(form);
  const source = data.get('source');
  const msg = { id: nextId++, source, k: data.get('k'), lang: data.get('lang') };
  if (source === 'files') {
    const csv = $('[data-testid="csv-file"]').files[0];
    const mapping = $('[data-testid="mapping-file"]').files[0];
    const questionnaire = $('[data-testid="questionnaire-file"]').files[0] || null;
    if (!csv || !mapping) {
      showError({ title: 'Missing file', message: 'Choose a CSV export and a mapping JSON file (or use the synthetic organisation).' });
      return;
    }
    // File objects go to the worker as they are; it reads them there.
    Object.assign(msg, { csv, mapping, questionnaire });
  } else {
    Object.assign(msg, { exits: data.get('exits'), seed: data.get('seed') });
  }
  if (!worker) startWorker();
  pending = { id: msg.id };
  runButton.disabled = true;
  cancelButton.hidden = false;
  document.body.setAttribute('aria-busy', 'true');
  setStatus('Working … (in a background worker; the page stays usable)');
  worker.postMessage(msg);
}

cancelButton.addEventListener('click', () => {
  // A worker cannot be interrupted mid-call; ending it is the only way.
  stopWorker();
  finishRun();
  setStatus('Cancelled.');
  startWorker();
});

function showPanel() {
  const files = form.elements.source.value === 'files';
  $('#files-panel').hidden = !files;
  $('#synthetic-panel').hidden = files;
}

for (const radio of form.elements.source) radio.addEventListener('change', showPanel);

for (const zone of document.querySelectorAll('.drop')) {
  const input = zone.querySelector('input[type=file]');
  const name = zone.querySelector('.name');
  const show = () => {
    name.textContent = input.files[0] ? input.files[0].name : 'drop a file here or click to choose';
    zone.classList.toggle('filled', Boolean(input.files[0]));
  };
  input.addEventListener('change', show);
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const file = e.dataTransfer.files[0];
    if (!file) return;
    const list = new DataTransfer();
    list.items.add(file);
    input.files = list.files;
    show();
  });
}

// A file dropped next to a drop zone would make the browser open it in
// place of the page; ignore it instead.
window.addEventListener('dragover', (e) => e.preventDefault());
window.addEventListener('drop', (e) => e.preventDefault());

form.addEventListener('submit', run);
showPanel();
startWorker();
