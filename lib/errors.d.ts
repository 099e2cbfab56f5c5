export declare class CharidError extends Error {
  constructor(code: string, message: string, options?: { status?: number; details?: Record<string, unknown>; cause?: unknown });
  readonly code: string;
  readonly status: number;
  readonly details?: Record<string, unknown>;
  toJSON(): { code: string; message: string; [k: string]: unknown };
  static from(err: unknown, fallbackCode?: string): CharidError;
}
export declare function isCharidError(err: unknown, code?: string): err is CharidError;
