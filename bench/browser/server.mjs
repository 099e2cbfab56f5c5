// A static file server on 127.0.0.1 for the browser benchmarks: a few URL
// prefixes mapped to folders, byte ranges (206) for range reads, and the
// cross-origin isolation headers so onnxruntime-web can use threads.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.mjs': 'text/javascript', '.js': 'text/javascript',
  '.wasm': 'application/wasm', '.json': 'application/json', '.onnx': 'application/octet-stream',
  '.mp4': 'video/mp4', '.webm': 'video/webm', '.bin': 'application/octet-stream',
};

// mounts: { '/prefix/': '/absolute/folder' }. Resolves to { url, close }.
export function startServer(mounts) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const pathname = decodeURIComponent(url.pathname);
    const prefix = Object.keys(mounts).filter((p) => pathname.startsWith(p)).sort((a, b) => b.length - a.length)[0];
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
      'Accept-Ranges': 'bytes',
    };
    if (!prefix) { res.writeHead(404, headers).end(); return; }
    const base = path.resolve(mounts[prefix]);
    const file = path.resolve(base, pathname.slice(prefix.length));
    if (file !== base && !file.startsWith(base + path.sep)) { res.writeHead(403, headers).end(); return; }
    let stat;
    try { stat = fs.statSync(file); } catch { res.writeHead(404, headers).end(); return; }
    if (!stat.isFile()) { res.writeHead(404, headers).end(); return; }
    headers['Content-Type'] = TYPES[path.extname(file)] ?? 'application/octet-stream';
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    let start = 0;
    let end = stat.size - 1;
    if (range) {
      if (range[1] === '') { start = Math.max(0, stat.size - Number(range[2])); }
      else { start = Number(range[1]); if (range[2] !== '') end = Math.min(end, Number(range[2])); }
      if (start > end || start >= stat.size) {
        res.writeHead(416, { ...headers, 'Content-Range': `bytes */${stat.size}` }).end();
        return;
      }
      res.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${end}/${stat.size}`, 'Content-Length': end - start + 1 });
    } else {
      res.writeHead(200, { ...headers, 'Content-Length': stat.size });
    }
    if (req.method === 'HEAD') { res.end(); return; }
    fs.createReadStream(file, { start, end }).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve({ url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }) });
    });
  });
}
