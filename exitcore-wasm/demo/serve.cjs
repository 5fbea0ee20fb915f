#!/usr/bin/env node
// A tiny static server for the demo page. Workers and WebAssembly do not load
// from file://, so the page needs some HTTP server; this one has no
// dependencies and is the one the end-to-end test uses too.
//
//   node exitcore-wasm/demo/serve.cjs [--port 8000] [--host 127.0.0.1]
'use strict';
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

// Sent on every response, so the worker (whose policy comes from its own
// response, not from the page's meta tag) is held to it as well: the page
// and its worker may load only their own files, so no data can leave.
// 'wasm-unsafe-eval' lets the worker compile the WebAssembly module; inline
// styles are the report's own <style>.
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "frame-src 'self'",
  "form-action 'none'",
  "base-uri 'none'",
].join('; ');

/** An http.Server for the files under `root` (GET and HEAD only). */
function createServer(root = __dirname) {
  const base = path.resolve(root);
  return http.createServer((req, res) => {
    const send = (status, body, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'Content-Type': type, 'Content-Security-Policy': CSP });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(405, 'method not allowed\n');
      return;
    }
    let rel;
    try {
      rel = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    } catch {
      send(400, 'bad request\n');
      return;
    }
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(base, '.' + rel);
    // Only files below the demo folder: no ../ escapes, no dot-files.
    if (!file.startsWith(base + path.sep) || rel.split('/').some((p) => p.startsWith('.'))) {
      send(404, 'not found\n');
      return;
    }
    fs.stat(file, (err, st) => {
      if (err || !st.isFile()) {
        const hint = rel.startsWith('/pkg/')
          ? 'not found: build the web package first (see exitcore-wasm/README.md, "Demo page")\n'
          : 'not found\n';
        send(404, hint);
        return;
      }
      res.writeHead(200, {
        'Content-Type': TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream',
        'Content-Length': st.size,
        'Content-Security-Policy': CSP,
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
      });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      fs.createReadStream(file).pipe(res);
    });
  });
}

/** Listens on `port` (0: a free one) and resolves to `{ server, url }`. */
function start({ root = __dirname, port = 0, host = '127.0.0.1' } = {}) {
  const server = createServer(root);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolve({ server, url: `http://${host}:${actual}/` });
    });
  });
}

module.exports = { createServer, start, CSP };

if (require.main === module) {
  const args = process.argv.slice(2);
  const opt = (name, fallback) => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
  };
  const port = Number(opt('--port', process.env.PORT || 8000));
  const host = opt('--host', '127.0.0.1');
  if (!fs.existsSync(path.join(__dirname, 'pkg', 'exitcore_wasm.js'))) {
    console.warn('warning: demo/pkg/ is missing; build it first (see exitcore-wasm/README.md, "Demo page")');
  }
  start({ port, host }).then(
    ({ url }) => console.log(`exitcore demo: ${url}  (Ctrl-C to stop)`),
    (e) => {
      console.error(`error: ${e.message}`);
      process.exit(1);
    },
  );
}
