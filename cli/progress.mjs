// Progress of a batch on stderr: on a terminal one bar redrawn in place (count, current file,
// time left); otherwise (a log, a CI job) one plain line per finished row.
const BAR = 24;

function clock(seconds) {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function createProgress(total, stream = process.stderr) {
  const tty = Boolean(stream.isTTY);
  const startedAt = Date.now();
  const running = new Set();
  let done = 0;

  function draw() {
    const filled = Math.round((done / Math.max(1, total)) * BAR);
    const eta = done ? clock(((Date.now() - startedAt) / 1000 / done) * (total - done)) : '?';
    const current = [...running].at(-1) ?? '';
    const width = (stream.columns || 100) - 1;
    const line = `[${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}] ${done}/${total}  ETA ${eta}  ${current}`;
    stream.write(`\r\x1b[K${line.slice(0, width)}`);
  }

  return {
    start(file) {
      running.add(file);
      if (tty) draw();
    },
    // outcome: a few words ("created char_...", "failed: resolution_too_low")
    finish(file, outcome) {
      running.delete(file);
      done++;
      if (tty) draw();
      else stream.write(`[${done}/${total}] ${file}: ${outcome}\n`);
    },
    // Wipes the bar before something else is written to the terminal (finish() redraws it).
    clear() {
      if (tty) stream.write('\r\x1b[K');
    },
    end() {
      if (tty) stream.write('\r\x1b[K');
    },
  };
}
