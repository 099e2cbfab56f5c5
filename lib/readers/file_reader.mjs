// A reader over a local file: the core pulls bytes at offsets with pread, so
// the file is never read whole.
import fs from 'node:fs';
import { MediaError } from '../media_error.mjs';

export function openFileReader(filePath) {
  let fd;
  try {
    fd = fs.openSync(filePath, 'r');
  } catch (err) {
    const why = err.code === 'ENOENT' ? 'There is no file at' : err.code === 'EACCES'
      ? 'Permission denied reading' : err.code === 'EISDIR' ? 'This is a folder, not a file:'
      : 'Could not open';
    throw new MediaError('unreadable_input', `${why} ${filePath}. Check the path and try again.`);
  }
  // Linux opens a folder for reading without complaint; only reads fail.
  const stat = fs.fstatSync(fd);
  if (!stat.isFile()) {
    fs.closeSync(fd);
    throw new MediaError('unreadable_input', `This is ${stat.isDirectory() ? 'a folder' : 'not a regular file'}, not a video file: ${filePath}. Check the path and try again.`);
  }
  const size = stat.size;
  return {
    size,
    bytesRead: 0,
    readInto(offset, view) {
      try {
        const n = fs.readSync(fd, view, 0, view.length, offset);
        this.bytesRead += n;
        return n;
      } catch {
        return -1;
      }
    },
    close() {
      if (fd !== undefined) fs.closeSync(fd);
      fd = undefined;
    },
  };
}
