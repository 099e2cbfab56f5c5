// Types of `charid/element` (web/src/element.ts, built into dist/package/element.js). Importing
// the module defines <character-id-creator> and adopts its stylesheet into the document.
import type { Character } from 'charid/registry';
import { CharacterEngine, createCharacterEngine } from './engine.js';

/**
 * <character-id-creator registry="https://ids.example" asset-base="/charid/" model-base="/models/">
 * Attributes are read when the element is connected. Fires `character-created` (bubbles, composed).
 */
export declare class CharacterIdCreator extends HTMLElement {
  engine: CharacterEngine | null;
  connectedCallback(): void;
  disconnectedCallback(): void;
}

export { createCharacterEngine };

declare global {
  interface HTMLElementTagNameMap {
    'character-id-creator': CharacterIdCreator;
  }
  interface HTMLElementEventMap {
    'character-created': CustomEvent<Character>;
  }
}
