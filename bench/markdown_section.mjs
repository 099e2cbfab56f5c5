// Replaces (or adds) one "## Title" section of docs/BENCHMARKS.md, so each
// benchmark owns its section and leaves the others as they are. A new section
// goes at the end, or right under the "# " title with { top: true }.
import fs from 'node:fs';

export function writeSection(file, title, body, { top = false } = {}) {
  let doc = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n\n';
  const section = `## ${title}\n\n${body.trim()}\n`;
  const start = doc.indexOf(`## ${title}\n`);
  if (start >= 0) {
    const next = doc.indexOf('\n## ', start + 1);
    doc = doc.slice(0, start) + section + (next >= 0 ? doc.slice(next) : '');
  } else if (top && doc.indexOf('\n## ') >= 0) {
    const first = doc.indexOf('\n## ') + 1;
    doc = `${doc.slice(0, first)}${section}\n${doc.slice(first)}`;
  } else {
    doc = `${doc.trimEnd()}\n\n${section}`;
  }
  fs.writeFileSync(file, doc);
}
