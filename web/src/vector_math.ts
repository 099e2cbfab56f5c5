// The two vector operations lib/identity's comparePayloads asks of the wasm core (decodeVector,
// cosine), in plain JS, so that engine.compare() runs synchronously on the page without a second
// copy of the core. Same results and the same error values as the core (identity_vector.cpp);
// tests/web/vector_math.test.mjs holds them to the core's on real payloads.
type CoreError = { ok: false; error: { code: string; message: string } };
const fail = (message: string): CoreError => ({ ok: false, error: { code: 'invalid_argument', message } });

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeBase64(text: string): Uint8Array | CoreError {
  if (text.length % 4 !== 0) return fail('base64 text length is not a multiple of 4');
  if (!STRICT_BASE64.test(text)) return fail('invalid base64 character');
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export const vectorMath = {
  // A payload's int8 vector, dequantised (value * scale).
  decodeVector(base64: string, dims: number, scale: number): Float32Array | CoreError {
    const bytes = decodeBase64(String(base64));
    if (!(bytes instanceof Uint8Array)) return bytes;
    if (bytes.length !== dims) return fail(`vector holds ${bytes.length} values, dims says ${dims}`);
    if (!(scale > 0) || !Number.isFinite(scale)) return fail('scale must be a positive number');
    const values = new Int8Array(bytes.buffer);
    const out = new Float32Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = Math.fround(values[i] * scale);
    return out;
  },

  cosine(a: ArrayLike<number>, b: ArrayLike<number>): number | CoreError {
    if (a.length !== b.length) return fail('vectors of different sizes cannot be compared');
    let ab = 0, aa = 0, bb = 0;
    for (let i = 0; i < a.length; i++) {
      ab += a[i] * b[i];
      aa += a[i] * a[i];
      bb += b[i] * b[i];
    }
    if (aa <= 0 || bb <= 0) return 0;
    return ab / Math.sqrt(aa * bb);
  },
};
