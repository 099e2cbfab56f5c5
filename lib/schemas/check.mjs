// Checks a value against a JSON Schema of charid's wire formats (docs/schemas/*.schema.json), so
// the schema file stays the one home of each contract for the CLI, the Worker and the page alike.
//
// Why not a general validator at run time: Ajv compiles schemas with `new Function`, which the
// page's Content-Security-Policy (script-src 'self' 'wasm-unsafe-eval') forbids. This interprets
// the subset of draft 2020-12 our schemas use, and throws on any keyword outside it, so a schema
// can never silently mean more than is checked. tests/contracts/ holds it to Ajv's verdicts.
const SUPPORTED = new Set([
  '$schema', '$id', 'title', 'description', 'type', 'const', 'enum', 'required', 'properties',
  'additionalProperties', 'items', 'minItems', 'maxItems', 'minimum', 'maximum', 'exclusiveMinimum',
  'minLength', 'maxLength', 'pattern',
]);

const typeOf = (v) => {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
};
const isType = (v, t) => t === typeOf(v) || (t === 'number' && typeOf(v) === 'integer');
const describe = (v) => (typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v));
const sameValue = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const codePoints = (s) => [...s].length;

const patternCache = new Map();
function regex(pattern) {
  let re = patternCache.get(pattern);
  if (!re) patternCache.set(pattern, (re = new RegExp(pattern, 'u')));
  return re;
}

function check(schema, value, path, errors) {
  if (schema === true) return;
  if (schema === false) return void errors.push({ path, message: 'is not allowed here' });
  for (const key of Object.keys(schema)) {
    if (!SUPPORTED.has(key)) throw new Error(`schema keyword "${key}" at ${path || '/'} is not supported by lib/schemas/check.mjs`);
  }
  const at = (msg) => errors.push({ path, message: msg });
  if (schema.type !== undefined) {
    const types = [].concat(schema.type);
    if (!types.some((t) => isType(value, t))) return at(`must be ${types.join(' or ')}, not ${typeOf(value)}`);
  }
  if ('const' in schema && !sameValue(value, schema.const)) return at(`must be ${describe(schema.const)}`);
  if (schema.enum && !schema.enum.some((e) => sameValue(e, value))) {
    return at(`must be one of ${schema.enum.map(describe).join(', ')}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) at(`must be at least ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) at(`must be at most ${schema.maximum}`);
    if (schema.exclusiveMinimum !== undefined && !(value > schema.exclusiveMinimum)) at(`must be greater than ${schema.exclusiveMinimum}`);
  }
  if (typeof value === 'string') {
    const n = codePoints(value);
    if (schema.minLength !== undefined && n < schema.minLength) at(`must be at least ${schema.minLength} characters`);
    if (schema.maxLength !== undefined && n > schema.maxLength) at(`must be at most ${schema.maxLength} characters`);
    if (schema.pattern !== undefined && !regex(schema.pattern).test(value)) at('is not in the expected format');
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) at(`must hold at least ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) at(`must hold at most ${schema.maxItems} items`);
    if (schema.items !== undefined) value.forEach((item, i) => check(schema.items, item, `${path}/${i}`, errors));
  }
  if (typeOf(value) === 'object') {
    for (const name of schema.required ?? []) {
      if (!Object.hasOwn(value, name)) errors.push({ path: `${path}/${name}`, message: 'is missing' });
    }
    const props = schema.properties ?? {};
    for (const [name, v] of Object.entries(value)) {
      if (Object.hasOwn(props, name)) check(props[name], v, `${path}/${name}`, errors);
      else if (schema.additionalProperties !== undefined) check(schema.additionalProperties, v, `${path}/${name}`, errors);
    }
  }
}

/** Every way `value` breaks `schema`, as [{path, message}] (JSON Pointer paths); [] when it holds. */
export function schemaErrors(schema, value) {
  const errors = [];
  check(schema, value, '', errors);
  return errors;
}

/** One sentence in plain words for the first few problems, e.g. for an invalid_argument error. */
export function describeSchemaErrors(title, errors) {
  const shown = errors.slice(0, 3).map((e) => `${e.path ? e.path.slice(1).replaceAll('/', '.') : 'the value'} ${e.message}`);
  const more = errors.length > 3 ? ` (and ${errors.length - 3} more)` : '';
  return `not a valid ${title}: ${shown.join('; ')}${more}`;
}
