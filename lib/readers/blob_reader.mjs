// A reader over a browser File or Blob, for use inside a Worker: the core
// pulls slices with FileReaderSync (synchronous reads are allowed in workers),
// so a large file is never copied whole into memory.
import { CharidError } from '../errors.mjs';

export function openBlobReader(blob) {
  if (typeof FileReaderSync === 'undefined') {
    throw new CharidError('invalid_argument', 'openBlobReader must run in a Web Worker (FileReaderSync is worker-only).');
  }
  if (typeof blob?.slice !== 'function' || !Number.isSafeInteger(blob.size)) {
    throw new CharidError('invalid_argument', 'openBlobReader needs a File or Blob.');
  }
  const reader = new FileReaderSync();
  return {
    size: blob.size,
    bytesRead: 0,
    readInto(offset, view) {
      try {
        const bytes = new Uint8Array(reader.readAsArrayBuffer(blob.slice(offset, offset + view.length)));
        view.set(bytes);
        this.bytesRead += bytes.length;
        return bytes.length;
      } catch {
        return -1;
      }
    },
    close() {},
  };
}
