// Waiting to be registered: characters made while the registry could not be reached, kept in
// IndexedDB (queue.ts) and sent in order on start, when the browser is back online and every
// 20 s while some wait. A network failure stops a run (kept for later); a refusal by the registry
// keeps the item with the reason and a Remove button.
import { html } from 'lit-html';
import { errorText } from '../logic';
import { queue, type Queued } from '../queue';
import { saveLocal } from './local_cards';
import type { Context } from './state';

const RETRY_MS = 20_000;

export function offlineQueueFeature(ctx: Context) {
  const { engine } = ctx;
  let items: Queued[] = [];
  let sending = false;
  let flushing: Promise<void> | null = null;
  let retryTimer = 0;

  async function renderQueue() {
    try {
      items = await queue.all(engine.registry.base);
    } catch {
      items = []; // no IndexedDB (private mode): nothing was queued either
    }
    ctx.update();
    if (items.some((q) => !q.error)) scheduleRetry();
    return items;
  }

  function scheduleRetry() {
    clearTimeout(retryTimer);
    retryTimer = window.setTimeout(() => { if (navigator.onLine) flushQueue(); }, RETRY_MS);
  }

  function flushQueue(): Promise<void> {
    flushing ??= (async () => {
      let sent = 0;
      try {
        const waiting = await queue.all(engine.registry.base).catch(() => [] as Queued[]);
        sending = true;
        ctx.update();
        for (const q of waiting) {
          if (q.error) continue;
          try {
            const c = await engine.registry.register(q.name, q.payload, 'private', q.consent);
            saveLocal(c.id, { payload: q.payload, thumbnails: q.thumbnails, name: c.name, model: c.model, consent: q.consent });
            await queue.remove(q.key!);
            sent++;
            ctx.onCreated?.(c);
          } catch (e: any) {
            if (e?.code === 'network_error' || (e?.status ?? 0) >= 500 || e?.code === 'rate_limited') break;
            await queue.put({ ...q, error: errorText({ code: e?.code ?? 'invalid_request', message: e?.message }) });
          }
        }
      } finally {
        sending = false;
        flushing = null;
        await renderQueue();
        if (sent) await ctx.actions.refreshLibrary();
      }
    })();
    return flushing;
  }

  async function removeItem(q: Queued) {
    if (!confirm(`Remove ${q.name} from the queue? It was not registered.`)) return;
    await queue.remove(q.key!);
    renderQueue();
  }

  const onOnline = () => { flushQueue(); };
  window.addEventListener('online', onOnline);

  function dispose() {
    window.removeEventListener('online', onOnline);
    clearTimeout(retryTimer);
  }

  const view = () => {
    const n = items.length;
    const note = n
      ? `${n} character${n > 1 ? 's' : ''} made while the registry could not be reached. ${n > 1 ? 'They are' : 'It is'} kept in this browser and sent as soon as you are back online.`
      : '';
    return html`<section class="card ${n ? '' : 'hidden'}" data-testid="offline-queue" data-count=${String(n)} data-state=${sending ? 'sending' : 'idle'}>
      <h2>Waiting to be registered</h2>
      <p class="small">${note}</p>
      <ul class="library-list">${items.map((q) => html`<li data-testid="queue-item" data-key=${String(q.key)} data-state=${q.error ? 'refused' : 'waiting'}>
        ${q.thumbnails?.[0] ? html`<img src=${q.thumbnails[0]} alt="" class="thumb" />` : ''}
        <span><strong>${q.name}</strong> <span class="small">${q.error ? `refused: ${q.error}` : `waiting since ${new Date(q.queuedAt).toLocaleTimeString()}`}</span></span>
        ${q.error ? html`<button data-testid="queue-remove" @click=${() => removeItem(q)}>Remove</button>` : ''}
      </li>`)}</ul>
    </section>`;
  };

  return { view, renderQueue, flushQueue, dispose };
}
