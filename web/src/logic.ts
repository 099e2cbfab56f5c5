// Pure helpers of the page (no DOM, no Worker): wording of errors and quality, name rules,
// byte sizes, the prompt snippet, character cards. Unit-tested under Node (tests/web).

export type ErrorInfo = { code: string; message?: string; detail?: string };

export const MEDIA_CODES = [
  'unreadable_input',
  'no_video_stream',
  'unsupported_codec',
  'encrypted_input',
  'resolution_too_low',
  'too_short',
  'input_too_large',
] as const;

// What to do next, by the core's and the registry's error codes.
const ADVICE: Record<string, string> = {
  unreadable_input: 'This file could not be read as a video. Choose an MP4, WebM or MOV video file.',
  no_video_stream: 'This file has no video track (is it audio only?). Choose a file with video in it.',
  unsupported_codec:
    'This video uses a codec the page cannot decode. Re-export it as H.264 MP4 or VP9/AV1 WebM and try again.',
  encrypted_input: 'This video is encrypted (DRM), so it cannot be read. Use an unprotected copy.',
  resolution_too_low: 'This video is too small; use one at least 720p (short side 720 pixels or more).',
  too_short: 'This video is too short; use one at least 1 second long (4 seconds is best).',
  input_too_large: 'This file is too large to read here. Trim it to a shorter clip and try again.',
  invalid_argument: 'The page asked for something the core could not do. Reload the page and try again.',
  internal_error: 'The identity engine stopped and has been restarted. Try again; reload the page if it happens again.',
  consent_required:
    'This video shows a real person: choose who it is (you, someone who gave permission, a fictional character, or not a person) next to the name.',
  models_unavailable:
    'The identity models could not be loaded from the server. Check the connection (the server must serve /models/) and try again.',
  cors_blocked:
    'The server of that URL does not let other pages read its videos (CORS). Download the video and choose the file instead, or use a URL from a server that sends Access-Control-Allow-Origin.',
  fetch_failed: 'The video at that URL could not be downloaded. Check the address and your connection.',
  no_simd:
    'This browser lacks WebAssembly SIMD, which the identity engine needs. Use a current Chrome, Edge, Firefox or Safari.',
  invalid_name: 'Give the character a name of 1 to 80 characters.',
  cancelled: 'Cancelled. Nothing was sent.',
  unauthorized: 'The registry did not accept this browser\'s key. A new key will be created; try again.',
  insufficient_credits: 'This key has no credits left on the registry.',
  rate_limited: 'The registry is busy; wait a few seconds and try again.',
  payload_too_large: 'The registry refused the request as too large.',
  invalid_embedding: 'The registry refused the identity vector. Reload the page and try again.',
  unknown_model: 'The registry does not know this identity model; the page and the server are out of step. Reload the page.',
  invalid_request: 'The registry refused the request.',
  not_found: 'That character no longer exists on the registry.',
  storage_unavailable: 'The registry cannot reach its database right now; try again shortly.',
  network_error: 'The registry could not be reached. Check that the server is running and you are online.',
};

// The sentence shown in the error box: the core's own message (it names the specifics, e.g.
// "This video is 640x360; use one at least 720p ...") or the advice for the code.
export function errorText(e: ErrorInfo): string {
  const advice = ADVICE[e.code];
  const message = (e.message ?? '').trim();
  if (message && /^This /.test(message)) return message;
  if (advice && message && e.code !== 'cancelled') return `${advice} (${message})`;
  return advice ?? (message || `Something went wrong (${e.code}).`);
}

export function isMediaRejection(code: string): boolean {
  return (MEDIA_CODES as readonly string[]).includes(code);
}

// 1..80 Unicode characters, no control characters, not only spaces (the registry's rule).
export function validateName(name: string): string | null {
  const chars = [...name];
  if (chars.length < 1 || chars.length > 80) return 'invalid_name';
  if (!name.trim()) return 'invalid_name';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'invalid_name';
  return null;
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '?';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

// The size of a request body as it goes over the wire (UTF-8).
export function bodyBytes(body: string | null | undefined): number {
  return body ? new TextEncoder().encode(body).length : 0;
}

export function promptSnippet(name: string, id: string): string {
  return `${name} (character ID ${id}): keep ${name}'s look consistent with this reference.`;
}

export type Quality = {
  sharpness?: number;
  mean_luma?: number;
  clipped_dark?: number;
  clipped_bright?: number;
  scene_cuts?: number[];
};

// The quality report in plain words, one line per aspect.
export function qualityReport(
  source: { width?: number; height?: number; display_width?: number; display_height?: number; duration?: number | null; fps?: number | null },
  win: { start: number; end: number } | null,
  quality: Quality | null,
  warnings: string[] = [],
): string[] {
  const lines: string[] = [];
  const w = source.display_width ?? source.width ?? 0;
  const h = source.display_height ?? source.height ?? 0;
  const short = Math.min(w, h);
  lines.push(`Resolution: ${w}x${h}${short >= 720 ? ' (good, 720p or more)' : ' (below 720p)'}.`);
  if (source.duration != null) {
    lines.push(`Duration: ${source.duration.toFixed(1)} s${source.fps ? ` at ${Math.round(source.fps)} fps` : ''}.`);
  }
  if (win) {
    lines.push(`Window: ${win.start.toFixed(1)} s to ${win.end.toFixed(1)} s (the auto-trim keeps at most 4 s).`);
  }
  if (quality) {
    if (quality.sharpness !== undefined) {
      const blurry = warnings.includes('blurry') || quality.sharpness < 20;
      lines.push(`Sharpness: ${blurry ? 'blurry; a sharper clip identifies better' : 'sharp enough'}.`);
    }
    if (quality.mean_luma !== undefined) {
      const dark = warnings.includes('too_dark') || (quality.clipped_dark ?? 0) > 0.3 || quality.mean_luma < 40;
      const bright = warnings.includes('too_bright') || (quality.clipped_bright ?? 0) > 0.3 || quality.mean_luma > 215;
      lines.push(`Exposure: ${dark ? 'too dark' : bright ? 'too bright' : 'fine'}.`);
    }
    const cuts = quality.scene_cuts?.length ?? 0;
    lines.push(cuts ? `Scene cuts: ${cuts} in the window; frames after a cut may show someone else.` : 'Scene cuts: none in the window.');
  }
  if (warnings.includes('multiple_subjects')) lines.push('Several subjects: drag a box on a frame to choose yours.');
  if (warnings.includes('no_subject_found')) lines.push('No subject found: the centre of the frame was used; drag a box to choose.');
  const known = new Set(['blurry', 'too_dark', 'too_bright', 'multiple_subjects', 'no_subject_found']);
  for (const wn of warnings) if (!known.has(wn)) lines.push(`Note: ${wn.replace(/_/g, ' ')}.`);
  return lines;
}

// The auto-trim: the 4 s window starts at `start`, clamped into the video.
export function clampWindowStart(start: number, duration: number | null | undefined, windowLength = 4): number {
  if (!Number.isFinite(start) || start < 0) return 0;
  if (duration == null || !Number.isFinite(duration)) return start;
  return Math.max(0, Math.min(start, Math.max(0, duration - windowLength)));
}

export type CharacterCard = {
  schema: 'charid.card/1';
  name: string;
  id: string;
  model: string;
  payload: Record<string, unknown>;
  thumbnails: string[];
  created_at?: string;
  consent?: { basis: ConsentBasis }; // kept for a real person, so an import can be registered again
};

export const CONSENT_BASES = ['self', 'permission', 'fictional', 'not_a_person'] as const;
export type ConsentBasis = (typeof CONSENT_BASES)[number];
// The registry's consent bases, in the words a person would use.
export const CONSENT_LABELS: Record<ConsentBasis, string> = {
  self: 'This is me',
  permission: 'I have their permission',
  fictional: 'A fictional character',
  not_a_person: 'Not a person',
};

export function makeCard(c: Omit<CharacterCard, 'schema'>): CharacterCard {
  const card: CharacterCard = { schema: 'charid.card/1', ...c };
  if (!card.consent) delete card.consent;
  return card;
}

export function parseCard(text: string): CharacterCard {
  let v: any;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error('This file is not a character card (not JSON).');
  }
  if (!v || v.schema !== 'charid.card/1') throw new Error('This file is not a charid character card.');
  if (typeof v.name !== 'string' || validateName(v.name)) throw new Error('The card has no valid name.');
  if (!v.payload || v.payload.schema !== 'charid.embedding/1') throw new Error('The card has no identity vector.');
  if (typeof v.id !== 'string' || !/^char_[0-9A-Za-z]{16,}$/.test(v.id)) throw new Error('The card has no valid character ID.');
  return { schema: 'charid.card/1', name: v.name, id: v.id, model: String(v.model ?? v.payload.model), payload: v.payload, thumbnails: Array.isArray(v.thumbnails) ? v.thumbnails.filter((t: unknown) => typeof t === 'string') : [], created_at: v.created_at,
    consent: (CONSENT_BASES as readonly string[]).includes(v.consent?.basis) ? { basis: v.consent.basis } : undefined };
}

// The SIMD check lives with the module loader (the Worker refuses to load the core without it);
// it is async (wasm-feature-detect's simd()).
export { hasSimd } from '../../lib/core_module.mjs';

export type Stage = 'reading' | 'decoding' | 'finding' | 'identity' | 'registering';
export const STAGES: { key: Stage; label: string }[] = [
  { key: 'reading', label: 'Reading' },
  { key: 'decoding', label: 'Decoding' },
  { key: 'finding', label: 'Finding the character' },
  { key: 'identity', label: 'Computing the identity' },
  { key: 'registering', label: 'Registering' },
];

// Which stage a network belongs to (the runner is told only the model key).
export function stageOfModel(key: string): Stage {
  return key === 'face_detector' || key === 'object_detector' || key === 'segmenter' ? 'finding' : 'identity';
}

// Similarity of each frame to the character, as points of a plot (x in 0..1 of the window, y = cosine).
export function driftVerdict(similarities: number[], threshold: number): { mean: number; min: number; below: number; verdict: 'same' | 'different' } {
  const n = similarities.length || 1;
  const mean = similarities.reduce((a, b) => a + b, 0) / n;
  const min = similarities.length ? Math.min(...similarities) : 0;
  const below = similarities.filter((s) => s < threshold).length;
  return { mean, min, below, verdict: mean >= threshold ? 'same' : 'different' };
}
