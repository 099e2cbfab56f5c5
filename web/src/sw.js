// The service worker of the page (built by web/build.mjs into web/dist/sw.js, which fills in
// VERSION and SHELL). It keeps what creating needs offline:
//   - the app shell (pages, bundles, the wasm core, ORT's runtime): precached at install,
//     served cache-first; a new build has a new VERSION, so a new worker and a new cache;
//   - the model files from /models/: precached at install into MODEL_CACHE (the same
//     cache the engine's Worker reads), cache-first; models/manifest.json network-first;
//   - the registry API (/v1/) is never cached: registrations made offline are queued in
//     IndexedDB by the page (web/src/queue.ts) and sent when back online.
const VERSION = '__VERSION__';
const SHELL = __SHELL__;
const SHELL_CACHE = `charid-shell-${VERSION}`;
const MODEL_CACHE = '__MODEL_CACHE__'; // web/src/cache_names.mjs
const RUNTIME_CACHE = 'charid-runtime-v1';
const scope = self.registration.scope;

async function precacheModels() {
  const url = new URL('models/manifest.json', scope).href;
  const res = await fetch(url, { cache: 'no-store' });
  if (!res.ok) return;
  await (await caches.open(RUNTIME_CACHE)).put(url, res.clone());
  const manifest = await res.json();
  const models = await caches.open(MODEL_CACHE);
  for (const m of manifest.models ?? []) {
    if (!m.serve || !m.file) continue;
    const file = new URL(`models/${m.file}`, scope).href;
    if (await models.match(file)) continue;
    const r = await fetch(file);
    if (r.ok) await models.put(file, r);
  }
}

self.addEventListener('install', (ev) => {
  ev.waitUntil((async () => {
    await (await caches.open(SHELL_CACHE)).addAll(SHELL.map((p) => new URL(p, scope).href));
    // Not fatal: the engine caches each model itself when it first loads it.
    await precacheModels().catch(() => {});
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (ev) => {
  ev.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('charid-shell-') && name !== SHELL_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

async function cacheFirst(req, cacheName, key = req) {
  const hit = await caches.match(key, { cacheName });
  if (hit) return hit;
  const res = await fetch(req);
  if (res.ok && res.status === 200) await (await caches.open(cacheName)).put(key, res.clone()).catch(() => {});
  return res;
}

async function networkFirst(req, cacheName) {
  try {
    const res = await fetch(req, { cache: 'no-store' });
    if (res.ok) await (await caches.open(cacheName)).put(req, res.clone()).catch(() => {});
    return res;
  } catch (err) {
    const hit = await caches.match(req, { cacheName });
    if (hit) return hit;
    throw err;
  }
}

self.addEventListener('fetch', (ev) => {
  const req = ev.request;
  if (req.method !== 'GET' || req.headers.has('range') || !req.url.startsWith(scope)) return;
  const rel = new URL(req.url).pathname.slice(new URL(scope).pathname.length);
  if (rel.startsWith('v1/')) return; // the API: always the network
  if (rel.startsWith('models/')) {
    ev.respondWith(rel === 'models/manifest.json' ? networkFirst(req, RUNTIME_CACHE) : cacheFirst(req, MODEL_CACHE));
    return;
  }
  if (req.mode === 'navigate') {
    // "/" and "/index.html" (with any query, e.g. ?threads=1) are the same page
    const page = rel === '' || rel === 'index.html' ? scope : new URL(rel, scope).href;
    ev.respondWith((async () => (await caches.match(page, { cacheName: SHELL_CACHE, ignoreSearch: true })) ?? fetch(req))());
    return;
  }
  ev.respondWith((async () => (await caches.match(req, { cacheName: SHELL_CACHE, ignoreSearch: true })) ?? fetch(req))());
});
