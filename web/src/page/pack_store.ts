// This browser's reference packs: kept in IndexedDB (`charid-packs`/`packs`, one per character
// ID, beside the card in localStorage: a pack is megabytes of PNG, too big for localStorage),
// carried inside an exported card (`pack`: pack.json and each file as base64) and restored from
// an imported one, and downloaded as a ZIP (fflate) holding the same files as `charid pack`'s folder.
import { openDB, type IDBPDatabase } from 'idb';
import { strToU8, zipSync } from 'fflate';
import { CharidError } from '../../../lib/errors.mjs';
import { packErrors } from '../../../lib/pack/schema.mjs';

export type PackFile = { name: string; bytes: Uint8Array };
export type StoredPack = { id: string; manifest: any; files: PackFile[]; savedAt: number };
// In a card: the files' bytes as base64 (a card is JSON).
export type CardPack = { manifest: any; files: { name: string; base64: string }[] };

const DB_NAME = 'charid-packs';
const STORE = 'packs';
let dbPromise: Promise<IDBPDatabase> | null = null;
const db = () => (dbPromise ??= openDB(DB_NAME, 1, { upgrade: (d) => { d.createObjectStore(STORE, { keyPath: 'id' }); } }));

export async function savePack(id: string, pack: { manifest: any; files: PackFile[] }): Promise<void> {
  await (await db()).put(STORE, { id, manifest: pack.manifest, files: pack.files, savedAt: Date.now() } satisfies StoredPack);
}

export async function loadPack(id: string): Promise<StoredPack | undefined> {
  return (await db()).get(STORE, id);
}

export async function packIds(): Promise<string[]> {
  return ((await db()).getAllKeys(STORE)) as Promise<string[]>;
}

export async function dropPack(id: string): Promise<void> {
  await (await db()).delete(STORE, id);
}

// The ZIP of a pack: pack.json and the images. PNG is compressed already, so files are stored
// (level 0); pack.json is deflated.
export function zipPack(pack: { manifest: any; files: PackFile[] }): Uint8Array {
  const entries: Record<string, Uint8Array | [Uint8Array, { level: 0 | 6 }]> = {};
  for (const f of pack.files) entries[f.name] = [f.bytes, { level: 0 }];
  entries['pack.json'] = [strToU8(`${JSON.stringify(pack.manifest, null, 2)}\n`), { level: 6 }];
  return zipSync(entries);
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function packForCard(pack: { manifest: any; files: PackFile[] }): CardPack {
  return { manifest: pack.manifest, files: pack.files.map((f) => ({ name: f.name, base64: toBase64(f.bytes) })) };
}

// A card's pack back into files, checked: pack.json valid (charid.pack/1) and every file it lists
// present with the size it says. Throws CharidError invalid_card in plain words.
export function packFromCard(v: any): { manifest: any; files: PackFile[] } {
  const bad = (why: string) => new CharidError('invalid_card', `The card's reference pack is damaged: ${why}.`);
  if (!v || typeof v !== 'object' || !v.manifest || !Array.isArray(v.files)) throw bad('it has no pack.json or no files');
  const problems = packErrors(v.manifest);
  if (problems.length) throw bad(`pack.json ${problems[0].path || '/'} ${problems[0].message}`);
  const files: PackFile[] = [];
  for (const entry of v.manifest.files) {
    const f = v.files.find((x: any) => x?.name === entry.name);
    if (!f || typeof f.base64 !== 'string') throw bad(`${entry.name} is missing`);
    let bytes: Uint8Array;
    try {
      bytes = fromBase64(f.base64);
    } catch {
      throw bad(`${entry.name} is not base64`);
    }
    if (bytes.length !== entry.bytes) throw bad(`${entry.name} has ${bytes.length} bytes, pack.json says ${entry.bytes}`);
    files.push({ name: entry.name, bytes });
  }
  return { manifest: v.manifest, files };
}
