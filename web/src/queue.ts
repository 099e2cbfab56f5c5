// Offline: the service worker registration, and the queue of registrations made while offline
// (or while the registry was unreachable), kept in IndexedDB so that a reload loses nothing.
export type Queued = {
  key?: number; // IndexedDB key
  registry: string; // the registry base the registration is for ('' = this origin)
  name: string;
  payload: unknown;
  consent?: { basis: 'self' | 'permission' | 'fictional' | 'not_a_person' }; // asked for a real person
  thumbnails: string[];
  queuedAt: number;
  error?: string; // the registry refused it (not a network failure); kept until removed
};

const DB = 'charid-offline';
const STORE = 'registrations';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'key', autoIncrement: true });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const req = fn(t.objectStore(STORE));
      t.oncomplete = () => resolve(req.result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  } finally {
    db.close();
  }
}

export const queue = {
  async add(item: Queued): Promise<number> {
    const { key: _drop, ...rest } = item;
    return (await tx('readwrite', (s) => s.add(rest))) as number;
  },
  async all(registry: string): Promise<Queued[]> {
    const items = (await tx('readonly', (s) => s.getAll())) as Queued[];
    return items.filter((i) => i.registry === registry).sort((a, b) => a.key! - b.key!);
  },
  async put(item: Queued) {
    await tx('readwrite', (s) => s.put(item));
  },
  async remove(key: number) {
    await tx('readwrite', (s) => s.delete(key));
  },
};

// Registers web/dist/sw.js (the page's own origin and base only; an editor embedding the
// custom element keeps its own service worker policy).
export function registerServiceWorker(base: string) {
  if (!('serviceWorker' in navigator) || !globalThis.isSecureContext) return null;
  return navigator.serviceWorker.register(new URL('sw.js', base), { scope: base }).catch((e) => {
    console.warn('charid: service worker not registered:', e);
    return null;
  });
}
