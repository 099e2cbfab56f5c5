// The typed error of the media core on the JS side: `code` is one of the
// shared error codes (unreadable_input, no_video_stream, unsupported_codec,
// encrypted_input, resolution_too_low, too_short, input_too_large), or
// invalid_argument for a caller's mistake.
export class MediaError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'MediaError';
    this.code = code;
  }

  toJSON() {
    return { code: this.code, message: this.message };
  }
}
