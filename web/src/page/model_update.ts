// "Update to the new model": a character registered with an older identity model (say
// charid-id@1) is not a candidate when a clip is matched with the current one, so when the person
// chooses a video of it again, the library offers to give it a vector of the current model.
// Nothing is taken on trust: the clip is first embedded with the character's own model and
// verified on the registry against its stored vector; only a "same" verdict adds the new vector
// (POST /v1/characters/{id}/embeddings), the one Create would send for this window.
import { html } from 'lit-html';
import { errorText } from '../logic';
import { currentAnalysis, type Context } from './state';

type Status = { id: string; state: 'running' | 'done' | 'refused' | 'error'; text: string };

export function modelUpdateFeature(ctx: Context) {
  const { state, engine } = ctx;
  let status: Status | null = null;

  // The current model's payload for the chosen window, once the analysis has computed it.
  const currentPayload = () => {
    const a = currentAnalysis(state);
    return a?.state === 'done' ? a.result?.payload : null;
  };

  const canUpdate = (c: any) => {
    const payload = currentPayload();
    return !!payload && !!state.file && Array.isArray(c.models) && !c.models.includes(payload.model);
  };

  async function update(c: any) {
    const payload = currentPayload();
    if (!payload || !state.file) return;
    const set = (s: Status['state'], text: string) => { status = { id: c.id, state: s, text }; ctx.update(); };
    set('running', `Checking that this clip shows ${c.name} with its model ${c.model}...`);
    try {
      const old = await engine.embed(state.file, { start: state.start, box: state.box, allowLowRes: true, model: c.model });
      const check = await engine.registry.verify(c.id, old.payload);
      if (check.verdict !== 'same') {
        set('refused', `Not updated: this clip does not look like ${c.name} (similarity ${check.score.toFixed(3)}, ${c.model} needs ${check.threshold}).`);
        return;
      }
      const added = await engine.registry.addEmbedding(c.id, payload);
      set('done', `${c.name} now holds ${added.models.join(' and ')}; clips are matched with ${payload.model}.`);
      await ctx.actions.refreshLibrary();
    } catch (e: any) {
      set('error', `Not updated: ${errorText({ code: e?.code ?? 'internal_error', message: e?.message })}`);
    }
  }

  // The button and the outcome shown inside a library item.
  const itemView = (c: any) => {
    const mine = status?.id === c.id ? status : null;
    const busy = mine?.state === 'running';
    return html`${canUpdate(c) ? html`<button data-testid="update-model" ?disabled=${busy}
        title="Give this character a vector of ${currentPayload()?.model}, after checking this clip shows it"
        @click=${() => update(c)}>Update to ${currentPayload()?.model}</button>` : ''}
      ${mine ? html`<span class="small" data-testid="update-model-status" data-state=${mine.state}>${mine.text}</span>` : ''}`;
  };

  return { itemView };
}
