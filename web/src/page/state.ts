// The small state the page's features share, and the context each feature gets. A feature keeps
// what only it uses in its own closure; what another feature reads lives here. Any change calls
// ctx.update(), which re-renders the page (lit-html) once per microtask.
import type { CharacterEngine, Consent } from '../engine';
import type { Stage } from '../logic';
import type { PackSource } from './pack';

export type Box = [number, number, number, number]; // x, y, w, h in 0..1 of the frame
export type FrameView = { timestamp: number; width: number; height: number; url: string };
export type Phase = 'idle' | 'fetching' | 'probing' | 'sampling' | 'ready' | 'rejected';
export type RunState = 'idle' | 'running' | 'done' | 'error' | 'cancelled' | 'queued';
export type ErrorInfo = { code: string; message?: string };

// The identity computed right after sampling (for "Is this already registered?" and for the
// subject kind that decides whether consent is asked), reused by Create.
export type Analysis = { key: string; state: 'running' | 'done' | 'error'; result?: any; error?: ErrorInfo };

export type SharedState = {
  phase: Phase;
  file: Blob | null;
  fileName: string;
  allowLowRes: boolean;
  source: any | null;
  start: number;
  frames: FrameView[] | null; // the sampled window (null until sampled)
  box: Box | null; // the subject chosen by hand, if any
  analysis: Analysis | null;
  name: string;
  consent: Consent['basis'] | null;
  createState: RunState;
  error: ErrorInfo | null;
  library: any[]; // the registry's characters of this key (for drift's choice too)
};

export type Actions = {
  choose(file: Blob, name: string): void;
  resample(): Promise<void>;
  analyse(): void;
  refreshLibrary(): Promise<void>;
  flushQueue(): Promise<void>;
  renderQueue(): Promise<unknown>;
  // the ID card's "Reference pack" button, and where a new character came from (page/pack.ts)
  packButton(character: any): unknown;
  rememberPackSource(id: string, source: PackSource): void;
};

export type Context = {
  state: SharedState;
  engine: CharacterEngine;
  root: HTMLElement;
  update(): void;
  actions: Actions;
  onCreated?: (c: any) => void;
  showError(e: any): void;
  clearError(): void;
};

export function initialState(): SharedState {
  return {
    phase: 'idle',
    file: null,
    fileName: '',
    allowLowRes: false,
    source: null,
    start: 0,
    frames: null,
    box: null,
    analysis: null,
    name: '',
    consent: null,
    createState: 'idle',
    error: null,
    library: [],
  };
}

// The analysis that belongs to the current file, window and box, if any.
export function analysisKey(s: SharedState): string {
  return `${s.start}|${s.allowLowRes}|${JSON.stringify(s.box)}`;
}

export function currentAnalysis(s: SharedState): Analysis | null {
  return s.analysis && s.analysis.key === analysisKey(s) ? s.analysis : null;
}

// Consent is asked when the subject is a real person (a face or a body); the registry refuses
// such a character without it (422 consent_required).
export const CONSENT_KINDS = ['face', 'person'];
export function consentNeeded(s: SharedState): boolean {
  const a = currentAnalysis(s);
  return !!a?.result && CONSENT_KINDS.includes(a.result.subject?.kind);
}

export type { Stage };
