// The "Reference pack" button (`pack-download`), on the ID card and on each library item whose
// pack is stored in this browser. On the ID card the first click makes the pack in the Worker
// from the window the character was made from (its sampled frames are still there: no second
// decode), keeps it in IndexedDB and downloads it as a ZIP; later clicks download the stored one.
// Nothing of a pack is sent anywhere.
import { html } from 'lit-html';
import { ifDefined } from 'lit-html/directives/if-defined.js';
import { CharidError } from '../../../lib/errors.mjs';
import { errorText } from '../logic';
import { loadPack, packIds, savePack, zipPack } from './pack_store';
import type { Box, Context } from './state';

// What the pack of a new character is made from: the clip and window it was created from.
export type PackSource = { file: Blob; start: number; box: Box | null; allowLowRes: boolean; model?: string };
type Making = { state: 'making' | 'error' | 'not_kept'; message?: string };

export function packFeature(ctx: Context) {
  const { engine } = ctx;
  let stored = new Set<string>();
  const sources = new Map<string, PackSource>();
  const making = new Map<string, Making>();

  async function refreshPacks() {
    try {
      stored = new Set(await packIds());
    } catch {
      stored = new Set(); // IndexedDB switched off: no stored packs, the card still works
    }
    ctx.update();
  }

  function download(id: string, pack: { manifest: any; files: { name: string; bytes: Uint8Array }[] }) {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([zipPack(pack) as BlobPart], { type: 'application/zip' }));
    a.download = `${id}.pack.zip`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
  }

  async function makeAndKeep(c: any, source: PackSource) {
    making.set(c.id, { state: 'making' });
    ctx.update();
    const t0 = performance.now();
    const pack = await engine.pack(source.file, {
      start: source.start, box: source.box, allowLowRes: source.allowLowRes, model: source.model ?? c.model, id: c.id, name: c.name,
    });
    ctx.root.dataset.packMs = String(Math.round(performance.now() - t0));
    // a full (or switched-off) storage still downloads the pack, and says it was not kept
    const kept = await savePack(c.id, pack).then(() => true, () => false);
    if (kept) making.delete(c.id);
    else making.set(c.id, { state: 'not_kept', message: 'This browser\'s storage is full: the pack was downloaded but not kept here.' });
    await refreshPacks();
    return pack;
  }

  async function onClick(c: any) {
    try {
      const kept = stored.has(c.id) ? await loadPack(c.id) : undefined;
      if (kept) return download(c.id, kept);
      const source = sources.get(c.id);
      if (!source) throw new CharidError('pack_unavailable', 'This character\'s pack was not made in this browser; make it from its clip on the ID card.');
      download(c.id, await makeAndKeep(c, source));
    } catch (e: any) {
      making.set(c.id, { state: 'error', message: errorText({ code: e?.code ?? 'internal_error', message: e?.message }) });
      ctx.update();
    }
  }

  const button = (c: any) => {
    const m = making.get(c.id);
    const state = m?.state ?? (stored.has(c.id) ? 'stored' : 'ready');
    return html`<button data-testid="pack-download" data-state=${state} ?disabled=${m?.state === 'making'}
        title="Reference images of this character for video generators (Kling, Veo, Vidu, MiniMax, Runway), made on this device"
        @click=${() => onClick(c)}>${m?.state === 'making' ? 'Making the reference pack...' : 'Reference pack'}</button>
      ${m?.message ? html`<span class="small pack-error" data-testid="pack-error" data-id=${ifDefined(c.id)}>${m.message}</span>` : ''}`;
  };

  return {
    refreshPacks,
    // create.ts says where a new character came from, so its card can make the pack
    rememberSource: (id: string, source: PackSource) => { sources.set(id, source); },
    // on the ID card: always (makes the pack when none is stored)
    cardButton: (c: any) => (sources.has(c.id) || stored.has(c.id) ? button(c) : ''),
    // on a library item: only when this browser holds the pack
    itemButton: (c: any) => (stored.has(c.id) || making.has(c.id) ? button(c) : ''),
    has: (id: string) => stored.has(id),
  };
}
