// <character-id-creator registry="https://ids.example" model-base="https://ids.example/models/"
//                       asset-base="/charid/">
// (model-base and asset-base are the engine's modelBase and assetBase, read when the element is
// connected; absent = the engine's defaults; webcodecs="off" decodes with the core's own decoders
// only) renders the whole flow and fires `character-created` (detail: the registry's character,
// {id: "char_...", name, ...}) when an ID is made. Removing it from the page ends its Worker.
import './style.css';
import { createCharacterEngine, CharacterEngine } from './engine';
import { mountApp } from './app';

export class CharacterIdCreator extends HTMLElement {
  engine: CharacterEngine | null = null;
  private app: ReturnType<typeof mountApp> | null = null;

  connectedCallback() {
    if (this.engine) return;
    const registry = this.getAttribute('registry') ?? '';
    this.engine = createCharacterEngine({
      registry,
      modelBase: this.getAttribute('model-base') ?? undefined,
      assetBase: this.getAttribute('asset-base') ?? undefined,
      webcodecs: ['off', 'false', '0'].includes(this.getAttribute('webcodecs') ?? '') ? false : undefined,
    });
    this.app = mountApp(this, this.engine, (c) => {
      this.dispatchEvent(new CustomEvent('character-created', { detail: c, bubbles: true, composed: true }));
    });
  }

  // The Worker (and its wasm module and model sessions) goes with the element; putting the
  // element back later starts a fresh one. A move within the page (removed and inserted again in
  // the same task) keeps everything.
  disconnectedCallback() {
    queueMicrotask(() => {
      if (this.isConnected) return;
      this.app?.dispose();
      this.engine?.close();
      this.app = null;
      this.engine = null;
    });
  }
}

if (!customElements.get('character-id-creator')) customElements.define('character-id-creator', CharacterIdCreator);

export { createCharacterEngine };
