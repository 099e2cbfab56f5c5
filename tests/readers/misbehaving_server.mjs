// A real HTTP server serving one file, misbehaving on purpose as the query
// string says, run in a worker thread: the reader under test blocks its own
// thread in Atomics.wait, so the server cannot share that thread.
//
//   ?delays=0,1500,600  delay the k-th request to this path by that many ms
//   ?ranges=N           honour Range for the first N requests, then answer 200
//                       with the whole file (a server that stops mid-way)
//   ?shift=B            answer range requests with the bytes B further on (and
//                       say so in Content-Range), except the first (open)
// GET /__log -> JSON list of { path, range, status, bytes } of every request.
import fs from 'node:fs';
import http from 'node:http';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

function serve(file) {
  const body = fs.readFileSync(file);
  const seen = new Map();  // path -> requests so far
  const log = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/__log') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(log));
      return;
    }
    const k = seen.get(url.pathname) ?? 0;
    seen.set(url.pathname, k + 1);
    const delays = (url.searchParams.get('delays') ?? '').split(',').map(Number);
    const ranges = Number(url.searchParams.get('ranges') ?? Infinity);
    const shift = k === 0 ? 0 : Number(url.searchParams.get('shift') ?? 0);
    const m = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
    const reply = () => {
      if (m && k < ranges) {
        const start = Math.min(Number(m[1]) + shift, body.length - 1);
        const end = Math.min((m[2] ? Number(m[2]) : body.length - 1) + shift, body.length - 1);
        const part = body.subarray(start, end + 1);
        log.push({ path: url.pathname, range: req.headers.range, status: 206, bytes: part.length });
        res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${body.length}`, 'Content-Length': part.length });
        res.end(part);
      } else {
        log.push({ path: url.pathname, range: req.headers.range ?? null, status: 200, bytes: body.length });
        res.writeHead(200, { 'Content-Length': body.length }).end(body);
      }
    };
    const delay = delays[k] || 0;
    if (delay > 0) setTimeout(reply, delay); else reply();
    res.on('error', () => {});  // the client gave up on a delayed reply
  });
  // Idle connections stay open for the whole test: a keep-alive connection the
  // server closes while the client reuses it would fail a request at random.
  server.keepAliveTimeout = 120_000;
  server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
}

if (!isMainThread && workerData?.misbehavingServer) serve(workerData.file);

// -> { base, log(), close() } for a server of `file`.
export async function startMisbehavingServer(file) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { misbehavingServer: true, file } });
  const port = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    log: async () => (await fetch(`${base}/__log`)).json(),
    close: () => worker.terminate(),
  };
}
