// The one error type of charid's JavaScript side (CLI, page, Worker, engine, registry client).
//
// `code` is what callers branch on, never `name` or the message:
// - input: unreadable_input, no_video_stream, unsupported_codec, encrypted_input,
//   resolution_too_low, too_short, input_too_large (the media core's codes, docs/DESIGN.md);
// - caller mistakes: invalid_argument; registry answers: the API's own codes
//   (docs/openapi.yaml), network_error when it cannot be reached;
// - anything else the product cannot recover from: internal_error.
// `status` is the HTTP status when the error came from the registry, `details` any extra
// fields of the error object (for example the models a character holds).
export class CharidError extends Error {
  constructor(code, message, { status = 0, details = undefined, cause = undefined } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'CharidError';
    this.code = String(code);
    this.status = status;
    if (details !== undefined) this.details = details;
  }

  /** The wire shape used by the registry and the CLI's --json output. */
  toJSON() {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { ...this.details, code: this.code, message: this.message };
  }

  /** Any thrown value as a CharidError (errors with a string `code` keep it). */
  static from(err, fallbackCode = 'internal_error') {
    if (err instanceof CharidError) return err;
    const code = typeof err?.code === 'string' && /^[a-z][a-z0-9_]*$/.test(err.code) ? err.code : fallbackCode;
    return new CharidError(code, err?.message ?? String(err), { cause: err });
  }
}

export const isCharidError = (err, code) => err instanceof CharidError && (code === undefined || err.code === code);
