// Your characters: the registry's list for this browser's key, with delete (after a
// confirmation), card export (with the reference pack when this browser holds one), the
// reference pack's download, and the import of a character card (restoring its pack).
import { html } from 'lit-html';
import { CONSENT_LABELS, errorText, makeCard, parseCard } from '../logic';
import { dropLocal, localCards, saveLocal } from './local_cards';
import { modelUpdateFeature } from './model_update';
import { packFeature } from './pack';
import { dropPack, loadPack, packForCard, packFromCard, savePack } from './pack_store';
import type { Context } from './state';

export function libraryFeature(ctx: Context) {
  const { state, engine } = ctx;
  let status: 'loading' | 'ready' | 'error' = 'loading';
  let failure = '';
  const modelUpdate = modelUpdateFeature(ctx);
  const packs = packFeature(ctx);

  async function refreshLibrary() {
    status = 'loading';
    ctx.update();
    try {
      state.library = await engine.registry.list();
      await packs.refreshPacks();
      status = 'ready';
    } catch (e: any) {
      status = 'error';
      failure = errorText({ code: e?.code ?? 'network_error' });
    }
    ctx.update();
  }

  async function remove(c: any) {
    if (!confirm(`Delete ${c.name} (${c.id}) from the registry?`)) return;
    try {
      await engine.registry.remove(c.id);
      dropLocal(c.id);
      await dropPack(c.id).catch(() => {});
      await packs.refreshPacks();
    } catch (e) {
      ctx.showError(e);
    }
    refreshLibrary();
  }

  async function exportCard(c: any) {
    const local = localCards()[c.id];
    if (!local) return;
    const card: any = makeCard({ name: c.name, id: c.id, model: c.model, payload: local.payload, thumbnails: local.thumbnails, created_at: c.created_at, consent: local.consent });
    const pack = packs.has(c.id) ? await loadPack(c.id).catch(() => undefined) : undefined;
    if (pack) card.pack = packForCard(pack);
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([JSON.stringify(card, null, 2)], { type: 'application/json' }));
    a.download = `${c.id}.charid.json`;
    a.click();
  }

  async function importCard(ev: Event) {
    const f = (ev.target as HTMLInputElement).files?.[0];
    if (!f) return;
    ctx.clearError();
    try {
      const text = await f.text();
      const card = parseCard(text);
      // the pack is checked before anything is registered: a damaged one refuses the card
      const raw = JSON.parse(text);
      const pack = raw.pack ? packFromCard(raw.pack) : null;
      const c = await engine.register(card.name, card.payload, { consent: card.consent });
      saveLocal(c.id, { payload: card.payload, thumbnails: card.thumbnails, name: c.name, model: c.model, consent: card.consent });
      if (pack) await savePack(c.id, pack);
      await refreshLibrary();
    } catch (e: any) {
      ctx.showError({ code: e.code ?? 'invalid_request', message: e.message });
    }
  }

  const view = () => {
    const local = localCards();
    let items;
    if (status === 'error') items = html`<li class="small">${failure}</li>`;
    else if (status === 'ready' && !state.library.length) items = html`<li class="small">No characters yet.</li>`;
    else {
      items = state.library.map((c) => {
        const card = local[c.id];
        return html`<li data-testid="library-item" data-id=${c.id}>
          ${card?.thumbnails?.[0] ? html`<img src=${card.thumbnails[0]} alt="" class="thumb" />` : ''}
          <span><strong>${c.name}</strong> <code>${c.id}</code>${c.consent ? html` <span class="small" data-testid="library-consent">(${CONSENT_LABELS[c.consent.basis as keyof typeof CONSENT_LABELS] ?? c.consent.basis})</span>` : ''}</span>
          <button data-testid="delete-button" @click=${() => remove(c)}>Delete</button>
          <button data-testid="export-button" ?disabled=${!card} @click=${() => exportCard(c)}>Export card</button>
          ${packs.itemButton(c)}
          ${modelUpdate.itemView(c)}
        </li>`;
      });
    }
    return html`<section class="card" data-testid="library" data-state=${status}>
      <h2>Your characters</h2>
      <ul class="library-list">${items}</ul>
      <label class="small">Import a character card: <input type="file" accept="application/json,.json" data-testid="card-import" @change=${importCard} /></label>
    </section>`;
  };

  return { view, refreshLibrary, packs };
}
