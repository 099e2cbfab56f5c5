// CSV as RFC 4180 writes it: comma-separated, fields in double quotes may hold commas, quotes
// ("" inside quotes) and line breaks; CRLF or LF line ends; a UTF-8 byte-order mark is dropped.
import { usageError } from './args.mjs';

// text -> [{ line, fields: [string] }] (line: the 1-based line each record starts on); blank
// lines are skipped.
export function parseCsv(text) {
  const records = [];
  let fields = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let sawField = false;
  const s = text.replace(/^\uFEFF/, '');
  const endRecord = () => {
    if (sawField || field !== '' || fields.length) {
      fields.push(field);
      records.push({ line: recordLine, fields });
    }
    fields = [];
    field = '';
    sawField = false;
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else { if (c === '\n') line++; field += c; }
      continue;
    }
    if (c === '"' && field === '') { quoted = true; sawField = true; }
    else if (c === '"') throw usageError(`CSV line ${line}: a quote inside an unquoted field; quote the whole field.`);
    else if (c === ',') { fields.push(field); field = ''; sawField = true; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else field += c;
  }
  if (quoted) throw usageError(`CSV line ${recordLine}: a quoted field is never closed.`);
  endRecord();
  return records;
}

// The records of a CSV with a header row -> [{ line, values: { column: value } } or, for a row
// that cannot be read, { line, error: message }] (a batch goes on past such rows). `required`
// columns must be in the header; columns outside `known` are refused (a typo would be lost).
export function readTable(text, { required, known, what = 'the CSV file' }) {
  const [header, ...rows] = parseCsv(text);
  if (!header) throw usageError(`${what} is empty; its first line names the columns (${known.join(',')}).`);
  const columns = header.fields.map((f) => f.trim().toLowerCase());
  for (const c of required) {
    if (!columns.includes(c)) throw usageError(`${what} has no "${c}" column; its first line must name the columns, e.g. ${known.join(',')}.`);
  }
  const unknown = columns.filter((c) => !known.includes(c));
  if (unknown.length) throw usageError(`${what} has unknown column(s) ${unknown.join(', ')}; known: ${known.join(', ')}.`);
  return rows.map(({ line, fields }) => {
    if (fields.length > columns.length) {
      return { line, error: `line ${line} has ${fields.length} fields but the header names ${columns.length} (quote a box: "x,y,w,h")` };
    }
    const values = {};
    columns.forEach((c, i) => { values[c] = (fields[i] ?? '').trim(); });
    return { line, values };
  });
}
