// The example page: the custom element, and the ES module API used directly.
import { createCharacterEngine } from './element';
import { parseCard } from './logic';

document.querySelector('character-id-creator')!.addEventListener('character-created', (ev: Event) => {
  const c = (ev as CustomEvent).detail;
  document.getElementById('created')!.textContent = `character-created: ${c.name} is ${c.id}`;
});

const engine = createCharacterEngine({ registry: '' });
const input = document.getElementById('cards') as HTMLInputElement;
input.addEventListener('change', async () => {
  const out = document.getElementById('compare')!;
  try {
    const files = [...(input.files ?? [])];
    if (files.length !== 2) throw new Error('Choose exactly two character cards.');
    const [a, b] = await Promise.all(files.map(async (f) => parseCard(await f.text())));
    await engine.ready;
    const r = engine.compare(a.payload, b.payload);
    out.textContent = `${a.name} vs ${b.name}: similarity ${r.similarity.toFixed(3)}, ${r.verdict} (threshold ${r.threshold}).`;
  } catch (e: any) {
    out.textContent = e.message;
  }
});
