// <character-id-creator registry="https://ids.example" model-base="https://ids.example/models/">
// renders the whole flow and fires `character-created` (detail: the registry's character,
// {id: "char_...", name, ...}) when an ID is made.
import './style.css';
import { createCharacterEngine, CharacterEngine } from './engine';
import { mountApp } from './app';

export class CharacterIdCreator extends HTMLElement {
  engine: CharacterEngine | null = null;

  connectedCallback() {
    if (this.engine) return;
    const registry = this.getAttribute('registry') ?? '';
    this.engine = createCharacterEngine({ registry, modelBase: this.getAttribute('model-base') ?? undefined });
    mountApp(this, this.engine, (c) => {
      this.dispatchEvent(new CustomEvent('character-created', { detail: c, bubbles: true, composed: true }));
    });
  }
}

if (!customElements.get('character-id-creator')) customElements.define('character-id-creator', CharacterIdCreator);

export { createCharacterEngine };
