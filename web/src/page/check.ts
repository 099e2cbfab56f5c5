// "Is this already registered?": right after sampling, the identity of the window is computed
// (the same one Create will send) and matched against the registry, so the same character is not
// registered twice by mistake. The result also tells Create whether the subject is a person.
import { html } from 'lit-html';
import { errorText } from '../logic';
import { analysisKey, currentAnalysis, type Analysis, type Context } from './state';

type Matches = { key: string; state: 'running' | 'done' | 'error'; items: { id: string; name: string; score: number }[]; threshold?: number; message?: string };

export function checkFeature(ctx: Context) {
  const { state, engine } = ctx;
  let matches: Matches | null = null;

  async function findMatches(key: string, result: any) {
    const threshold = result.threshold ?? engine.threshold(result.payload.model);
    matches = { key, state: 'running', items: [], threshold };
    ctx.update();
    try {
      const all = await engine.match(result.payload, 5);
      if (matches?.key !== key) return;
      matches = { ...matches, state: 'done', items: all.filter((m) => threshold === undefined || m.score >= threshold) };
    } catch (e: any) {
      if (matches?.key !== key) return;
      matches = { ...matches, state: 'error', message: errorText({ code: e?.code ?? 'network_error', message: e?.message }) };
    }
    ctx.update();
  }

  function analyse() {
    const file = state.file;
    if (!file || !state.frames) return;
    const key = analysisKey(state);
    if (state.analysis?.key === key && state.analysis.state !== 'error') return;
    const entry: Analysis = { key, state: 'running' };
    state.analysis = entry;
    matches = null;
    ctx.update();
    engine.embed(file, { start: state.start, box: state.box, allowLowRes: state.allowLowRes }).then((result) => {
      if (state.analysis !== entry) return;
      entry.state = 'done';
      entry.result = result;
      ctx.update();
      findMatches(key, result);
    }, (e: any) => {
      if (state.analysis !== entry) return;
      if (e?.code === 'cancelled') state.analysis = null;
      else Object.assign(entry, { state: 'error', error: { code: e?.code ?? 'internal_error', message: e?.message } });
      ctx.update();
    });
  }

  const view = () => {
    const a = currentAnalysis(state);
    if (!state.frames || !a) return html``;
    const m = matches?.key === a.key ? matches : null;
    let body;
    if (a.state === 'running') body = html`<p class="small">Computing the identity of this clip to look for it in the registry...</p>`;
    else if (a.state === 'error') body = html`<p class="small">Could not compute the identity: ${errorText(a.error!)}</p>`;
    else if (!m || m.state === 'running') body = html`<p class="small">Looking for this character in the registry...</p>`;
    else if (m.state === 'error') body = html`<p class="small">Could not ask the registry: ${m.message}</p>`;
    else if (!m.items.length) body = html`<p class="small">No registered character looks like this one. Creating makes a new ID.</p>`;
    else {
      body = html`<p class="small">These registered characters look like this one (similarity at or above ${m.threshold}). If it is one of them, use its ID instead of creating another.</p>
        <ul class="library-list">${m.items.map((c) => html`<li data-testid="match-item" data-id=${c.id}>
          <span><strong>${c.name}</strong> <code>${c.id}</code></span><span class="small">similarity ${c.score.toFixed(3)}</span></li>`)}</ul>`;
    }
    const panelState = a.state !== 'done' ? a.state : m?.state ?? 'running';
    return html`<div class="matches" data-testid="match-panel" data-state=${panelState} data-count=${String(m?.items.length ?? 0)}>
      <h3>Is this already registered?</h3>${body}</div>`;
  };

  return { view, analyse };
}
