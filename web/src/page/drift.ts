// Drift check: each sampled frame of another clip (a generated one, a new episode) against a
// character whose card is in this browser. Checking is not creating: clips below 720p are
// accepted, with a word that a low resolution makes the score less reliable.
import { html } from 'lit-html';
import { driftVerdict, errorText } from '../logic';
import { driftPlot, type DriftPoint } from './drift_plot';
import { framesToViews } from './images';
import { localCards } from './local_cards';
import type { Context } from './state';

export function driftFeature(ctx: Context) {
  const { state, engine } = ctx;
  let selected = '';
  let status: 'idle' | 'running' | 'done' | 'error' = 'idle';
  let verdict = '';
  let note = '';
  let plot: { points: DriftPoint[]; threshold: number } | null = null;

  async function check(ev: Event) {
    const f = (ev.target as HTMLInputElement).files?.[0];
    const local = localCards()[selected];
    if (!f) return;
    if (!local) {
      verdict = 'Choose a character first (one created or imported in this browser).';
      ctx.update();
      return;
    }
    status = 'running';
    verdict = 'Comparing...';
    note = '';
    plot = null;
    ctx.update();
    try {
      const r = await engine.drift(f, local.payload);
      const threshold = r.overall.threshold ?? 0.5;
      const d = driftVerdict(r.similarities, threshold);
      verdict = `${r.overall.verdict === 'same' ? 'Same character' : 'Different character'}: similarity ${r.overall.similarity.toFixed(3)} (threshold ${threshold}); ${d.below} of ${r.similarities.length} frames below the threshold.`;
      const w = r.source?.display_width ?? r.source?.width ?? 0;
      const h = r.source?.display_height ?? r.source?.height ?? 0;
      if (Math.min(w, h) < 720) note = `This clip is ${w}x${h}, below 720p: a low resolution makes the score less reliable.`;
      const frames = await framesToViews(r.frames);
      plot = {
        threshold,
        points: r.similarities.map((s: number, i: number) => ({ t: frames[i]?.timestamp ?? i, similarity: s, url: frames[i]?.url })),
      };
      status = 'done';
    } catch (e: any) {
      status = 'error';
      verdict = errorText({ code: e.code, message: e.message });
    }
    ctx.update();
  }

  const view = () => {
    const local = localCards();
    const choices = state.library.filter((c) => local[c.id]);
    return html`<section class="card" data-testid="drift" data-state=${status}>
      <h2>Drift check</h2>
      <p class="small">Pick a character and drop another video (a generated clip, a new episode): each sampled frame is compared with the character.</p>
      <div class="row">
        <select data-testid="drift-character" @change=${(ev: Event) => { selected = (ev.target as HTMLSelectElement).value; }}>
          <option value="">Choose a character</option>
          ${choices.map((c) => html`<option value=${c.id} ?selected=${c.id === selected}>${c.name} (${c.id})</option>`)}
        </select>
        <input type="file" accept="video/*" data-testid="drift-input" @change=${check} />
      </div>
      ${plot ? driftPlot(plot.points, plot.threshold) : ''}
      <p data-testid="drift-verdict">${verdict}</p>
      ${note ? html`<p class="small" data-testid="drift-note">${note}</p>` : ''}
    </section>`;
  };

  return { view };
}
