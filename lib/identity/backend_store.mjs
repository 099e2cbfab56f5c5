// Where the runner keeps what it measured (the backend per model, the wasm thread count), so each
// is measured once per machine and browser: a small IndexedDB store in the page and its Worker;
// none in Node (nothing is measured there). Values are plain JSON objects.
const DB = 'charid-inference';
const STORE = 'choices';

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

// -> {get(key), set(key, value)} or null when IndexedDB is missing or refuses (private modes).
export async function openChoiceStore() {
  const idb = globalThis.indexedDB;
  if (!idb) return null;
  let db;
  try {
    const open = idb.open(DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE);
    db = await request(open);
  } catch {
    return null;
  }
  const tx = (mode) => db.transaction(STORE, mode).objectStore(STORE);
  return {
    async get(key) {
      return (await request(tx('readonly').get(key))) ?? null;
    },
    async set(key, value) {
      await request(tx('readwrite').put(value, key));
    },
  };
}
