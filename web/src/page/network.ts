// What left this device: every request the page made to the registry, with the bytes sent and
// received (the registry client's log). The video is never uploaded.
import { html } from 'lit-html';
import { formatBytes } from '../logic';
import type { Context } from './state';

export function networkFeature(ctx: Context) {
  const { registry } = ctx.engine;
  const unsubscribe = registry.onRequest(() => ctx.update());

  const view = () => {
    const log = registry.log;
    const sent = log.reduce((a, x) => a + x.sent, 0);
    return html`<section class="card" data-testid="network-panel">
      <h2>What left this device</h2>
      <p class="small">Every request this page made to the registry. The video itself is never uploaded: only the identity vector and the name.</p>
      <table>
        <thead><tr><th>Request</th><th>Status</th><th>Sent</th><th>Received</th></tr></thead>
        <tbody>${log.map((r) => html`<tr data-testid="network-row" data-sent=${String(r.sent)}>
          <td><code>${r.method} ${r.path.split('?')[0]}</code></td><td>${String(r.status)}</td>
          <td>${formatBytes(r.sent)}</td><td>${formatBytes(r.received)}</td></tr>`)}</tbody>
      </table>
      <p class="small" data-testid="network-total">${log.length ? `${log.length} requests, ${formatBytes(sent)} sent in all.` : ''}</p>
    </section>`;
  };

  return { view, dispose: () => { unsubscribe(); } };
}
