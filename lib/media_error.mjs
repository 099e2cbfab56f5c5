// The typed error of the media core on the JS side, one kind of CharidError (lib/errors.mjs):
// `code` is one of the shared input codes (unreadable_input, no_video_stream, unsupported_codec,
// encrypted_input, resolution_too_low, too_short, input_too_large), or invalid_argument for a
// caller's mistake. Callers branch on `code`; the class remains for `instanceof MediaError`.
import { CharidError } from './errors.mjs';

export class MediaError extends CharidError {
  constructor(code, message, options) {
    super(code, message, options);
    this.name = 'MediaError';
  }
}
