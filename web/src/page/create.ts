// 3. Name it: the name, the consent choice when the subject is a real person, Create with its
// stages (and Cancel), the error box, and the ID card with the prompt snippet.
import { html } from 'lit-html';
import { ifDefined } from 'lit-html/directives/if-defined.js';
import { CONSENT_BASES, CONSENT_LABELS, STAGES, errorText, promptSnippet, validateName, type Stage } from '../logic';
import { queue } from '../queue';
import { keptNote, saveLocal } from './local_cards';
import { CONSENT_KINDS, analysisKey, consentNeeded, currentAnalysis, type Context } from './state';

let mounts = 0;

export function createFeature(ctx: Context) {
  const { state, engine } = ctx;
  const radioName = `charid-consent-${++mounts}`;
  let stage: Stage | null = null;
  let fraction = 0;
  let result: { character: any; timings: Record<string, any>; note: string | null } | null = null;
  let copied = false;

  engine.addEventListener('progress', (ev: any) => {
    if (state.createState !== 'running') return;
    const p = ev.detail;
    const idx = STAGES.findIndex((s) => s.key === p.stage);
    if (idx < 0) return;
    stage = p.stage;
    fraction = (idx + (p.total ? p.done / p.total : 0)) / STAGES.length;
    ctx.update();
  });

  const canCreate = () => state.createState !== 'running' && !!state.frames && !validateName(state.name)
    && !(consentNeeded(state) && !state.consent);

  async function create() {
    const name = state.name;
    const file = state.file;
    if (!file || !canCreate()) return;
    ctx.clearError();
    result = null;
    copied = false;
    state.createState = 'running';
    stage = 'reading';
    fraction = 0;
    ctx.update();
    const t0 = performance.now();
    try {
      const key = analysisKey(state);
      const ready = currentAnalysis(state);
      // the identity of the "already registered?" check when it is done; else compute it now
      const e = ready?.state === 'done' ? ready.result : await engine.embed(file, { start: state.start, box: state.box, allowLowRes: state.allowLowRes });
      if (!currentAnalysis(state)?.result && analysisKey(state) === key) state.analysis = { key, state: 'done', result: e };
      if (CONSENT_KINDS.includes(e.subject.kind) && !state.consent) {
        state.createState = 'error';
        ctx.showError({ code: 'consent_required', message: 'This video shows a real person. Choose who it is next to the name, then create again.' });
        return;
      }
      stage = 'registering';
      fraction = 4 / 5;
      ctx.update();
      const consent = consentNeeded(state) && state.consent ? { basis: state.consent } : undefined;
      const thumbnails = (state.frames ?? []).slice(0, 3).map((f) => f.url);
      const t1 = performance.now();
      let c: any;
      try {
        if (!navigator.onLine) throw { code: 'network_error' };
        c = await engine.register(name, e.payload, { consent });
      } catch (err: any) {
        if (err?.code !== 'network_error') throw err;
        // Offline or the registry is unreachable: keep it in IndexedDB, send it later.
        await queue.add({ registry: engine.registry.base, name, payload: e.payload, consent, thumbnails, queuedAt: Date.now() });
        state.createState = 'queued';
        stage = null;
        fraction = 1;
        await ctx.actions.renderQueue();
        return;
      }
      const registerMs = Math.round(performance.now() - t1);
      const kept = saveLocal(c.id, { payload: e.payload, thumbnails, name: c.name, model: c.model, consent });
      ctx.actions.rememberPackSource(c.id, { file, start: state.start, box: state.box, allowLowRes: state.allowLowRes, model: e.payload.model });
      state.createState = 'done';
      stage = null;
      fraction = 1;
      // backend: what ran the networks (runner.backend: 'wasm', 'webgpu', 'webgpu+wasm')
      const backend = e.timings?.backend ?? e.payload?.timings_ms?.backend;
      const timings = { ...e.timings, backend, register: registerMs, total: Math.round(performance.now() - t0) };
      ctx.root.dataset.timings = JSON.stringify(timings);
      result = { character: c, timings, note: keptNote(kept) };
      ctx.update();
      await ctx.actions.refreshLibrary();
      ctx.onCreated?.(c);
    } catch (err: any) {
      state.createState = err?.code === 'cancelled' ? 'cancelled' : 'error';
      ctx.showError(err);
    } finally {
      ctx.update();
    }
  }

  function cancel() {
    if (state.createState !== 'running') return;
    engine.cancel();
    // the preview's decoded frames lived in the old Worker; decode them again
    if (state.file) ctx.actions.resample();
  }

  async function copy() {
    await navigator.clipboard?.writeText(result!.character.id).catch(() => {});
    copied = true;
    ctx.update();
  }

  const stageClass = (key: Stage) => {
    if (state.createState === 'done' || state.createState === 'queued') return 'done';
    if (!stage) return '';
    const at = STAGES.findIndex((s) => s.key === stage);
    const me = STAGES.findIndex((s) => s.key === key);
    return me === at ? 'active' : me < at ? 'done' : '';
  };

  const consentView = () => {
    if (!consentNeeded(state)) return '';
    return html`<fieldset class="consent" data-testid="consent" data-state=${state.consent ? 'chosen' : 'required'}>
      <legend>This video shows a real person. Who is it? (required: a person's identity vector is biometric data)</legend>
      ${CONSENT_BASES.map((basis) => html`<label><input type="radio" name=${radioName} value=${basis} data-testid="consent-${basis}"
        .checked=${state.consent === basis} @change=${() => { state.consent = basis; ctx.clearError(); ctx.update(); }} /> ${CONSENT_LABELS[basis]}</label>`)}
    </fieldset>`;
  };

  const resultView = () => {
    if (!result) return html`<div class="result hidden" data-testid="character-id"></div>`;
    const { character: c, timings: t, note } = result;
    return html`<div class="result" data-testid="character-id">
      <p class="small">${c.name}'s character ID</p>
      <p class="id"><code data-testid="character-id-value">${c.id}</code> <button data-testid="copy-button" @click=${copy}>${copied ? 'Copied' : 'Copy ID'}</button> ${ctx.actions.packButton(c)}</p>
      <p class="small">Ready-to-paste prompt snippet:</p>
      <textarea readonly rows="2" data-testid="prompt-snippet" .value=${promptSnippet(c.name, c.id)}></textarea>
      <p class="small" data-testid="timings">Decode ${t.decode} ms, find ${t.detect} ms, identity ${t.embed} ms, register ${t.register} ms; ${t.total} ms in all${t.backend ? html`; inference on <span data-testid="inference-backend">${t.backend}</span>${t.threads ? `, ${t.threads} thread${t.threads > 1 ? 's' : ''}` : ''}` : ''}.</p>
      ${note ? html`<p class="small" data-testid="storage-note">${note}</p>` : ''}
    </div>`;
  };

  const view = (checkView: unknown) => {
    const err = state.error;
    return html`<section class="card">
      <h2>3. Name it</h2>
      ${checkView}
      <div class="row">
        <input type="text" maxlength="80" placeholder="Character name" data-testid="name-input" .value=${state.name}
          @input=${(ev: Event) => { state.name = (ev.target as HTMLInputElement).value; ctx.update(); }} />
        <button class="primary" data-testid="create-button" ?disabled=${!canCreate()} @click=${create}>Create character ID</button>
      </div>
      ${consentView()}
      <div class="progress ${state.createState === 'idle' ? 'hidden' : ''}" data-testid="progress" data-state=${state.createState} data-stage=${ifDefined(stage ?? undefined)}>
        <ol class="stages">${STAGES.map((s) => html`<li data-stage=${s.key} class=${stageClass(s.key)}>${s.label}</li>`)}</ol>
        <progress max="1" .value=${fraction}></progress>
        ${state.createState === 'running' ? html`<button data-testid="cancel-button" @click=${cancel}>Cancel</button>` : ''}
      </div>
      <div class="error ${err ? '' : 'hidden'}" role="alert" data-testid="error-message" data-code=${ifDefined(err?.code)}>${err ? errorText(err) : ''}</div>
      ${resultView()}
    </section>`;
  };

  return { view };
}
