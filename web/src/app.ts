// The page: the flow (choose -> check the clip -> name -> create -> ID), the "already
// registered?" check, the offline queue, the library, the drift check and the network panel.
// Each feature is a module of page/ with a view (lit-html) and its actions; they share the small
// state of page/state.ts. All heavy work goes through the engine (a Worker).
import { html, render } from 'lit-html';
import { ifDefined } from 'lit-html/directives/if-defined.js';
import { CharacterEngine, EngineError } from './engine';
import { hasSimd } from './logic';
import { checkFeature } from './page/check';
import { chooseFeature } from './page/choose';
import { createFeature } from './page/create';
import { castFeature } from './page/cast';
import { driftFeature } from './page/drift';
import { libraryFeature } from './page/library';
import { networkFeature } from './page/network';
import { offlineQueueFeature } from './page/offline_queue';
import { previewFeature } from './page/preview';
import { initialState, type Actions, type Context } from './page/state';

export function mountApp(root: HTMLElement, engine: CharacterEngine, onCreated?: (c: any) => void) {
  root.classList.add('charid-app');
  // lit-html renders into a host of this mount, so a later mount on the same root starts clean
  const host = document.createElement('div');
  root.append(host);
  let isolation: { isolated: boolean; threads: number } | null = null;
  let scheduled = false;
  let disposed = false;

  const ctx: Context = {
    state: initialState(),
    engine,
    root,
    onCreated,
    actions: {} as Actions,
    update() {
      if (scheduled || disposed) return;
      scheduled = true;
      queueMicrotask(() => {
        scheduled = false;
        if (!disposed) draw();
      });
    },
    showError(e: any) {
      ctx.state.error = { code: e?.code ?? 'internal_error', message: e?.message };
      ctx.update();
    },
    clearError() {
      ctx.state.error = null;
      ctx.update();
    },
  };

  const choose = chooseFeature(ctx);
  const preview = previewFeature(ctx);
  const check = checkFeature(ctx);
  const create = createFeature(ctx);
  const offline = offlineQueueFeature(ctx);
  const library = libraryFeature(ctx);
  const drift = driftFeature(ctx);
  const cast = castFeature(ctx);
  const network = networkFeature(ctx);
  Object.assign(ctx.actions, {
    choose: choose.choose,
    resample: preview.resample,
    analyse: check.analyse,
    refreshLibrary: library.refreshLibrary,
    flushQueue: offline.flushQueue,
    renderQueue: offline.renderQueue,
    packButton: library.packs.cardButton,
    rememberPackSource: library.packs.rememberSource,
  } satisfies Actions);

  function draw() {
    root.dataset.state = ctx.state.phase;
    render(html`
      <header>
        <h1>Character ID</h1>
        <p class="lede">Turn a short video of a character into a reusable ID. The video stays on your device.</p>
        <p class="status" data-testid="isolation" data-isolated=${ifDefined(isolation ? String(isolation.isolated) : undefined)}>${isolation
          ? isolation.isolated ? `Cross-origin isolated: the engine may use ${isolation.threads} threads.` : 'Not cross-origin isolated: the engine runs on one thread.'
          : ''}</p>
      </header>
      ${choose.view()}
      ${preview.view()}
      ${create.view(check.view())}
      ${offline.view()}
      ${library.view()}
      ${drift.view()}
      ${cast.view()}
      ${network.view()}`, host);
  }

  engine.addEventListener('ready', (ev: any) => {
    isolation = ev.detail;
    ctx.update();
  });
  engine.ready.catch((e) => { if (e?.code !== 'cancelled') ctx.showError(e); });
  draw();
  hasSimd().then((simd) => { if (!simd) ctx.showError({ code: 'no_simd' }); });
  offline.renderQueue();
  engine.registry.key().then(async () => {
    if (navigator.onLine) await offline.flushQueue();
    await library.refreshLibrary();
  }, () => library.refreshLibrary());

  function dispose() {
    disposed = true;
    offline.dispose();
    network.dispose();
    host.remove();
  }
  return { refreshLibrary: library.refreshLibrary, flushQueue: offline.flushQueue, dispose };
}

export { EngineError };
