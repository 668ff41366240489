/**
 * JSON with object keys sorted at every depth. jsonb does not keep key order, so a hash over
 * `JSON.stringify` of what was written would not match what is read back; this form is stable.
 *
 * It encodes a value exactly as the store does (`pg` sends `JSON.stringify(value)` to a jsonb
 * column), or refuses it: an event whose hash was computed over something other than what is
 * stored would fail its own verification. So a value with `toJSON` (a `Date`, a `Buffer`) is
 * encoded through it, as `JSON.stringify` does, and an object property that is `undefined` is left
 * out, as `JSON.stringify` does. Everything `JSON.stringify` would silently change is refused with
 * a TypeError naming where it is: `NaN` and ±Infinity (stored as null), `BigInt` (throws there
 * too), functions and symbols (dropped), `undefined` in an array (stored as null), and objects that
 * are not plain data — `Map`, `Set`, class instances — which it would store as their own fields or
 * as `{}`, losing what they hold.
 */
export function canonicalJson(value: unknown): string {
  // Already canonical (the audit builds what it hashes per pull with its keys in order): then it is
  // exactly what JSON.stringify writes, in one native pass instead of a string built piece by piece
  // (a third of the audit's garbage, measured under load).
  if (isCanonicalPlain(value)) return JSON.stringify(value);
  try {
    return encodePlain(value);
  } catch (error) {
    if (error !== NOT_PLAIN) throw error;
    return encode(value, '$');
  }
}

/**
 * True when `JSON.stringify(value)` is `value`'s canonical JSON: plain data and Dates only, every
 * number finite, no `undefined` in an array, and every object's keys already in sorted order (as
 * `Object.keys` enumerates them: integer-like keys come first in numeric order, which a code-unit
 * sort may not keep, so such objects fail the check and are sorted by `encodePlain`). Builds no
 * string; anything else answers false and goes the long way.
 */
function isCanonicalPlain(value: unknown): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      break;
    default:
      return false;
  }
  if (value instanceof Date) return true;
  // JSON.stringify writes what toJSON returns, unsorted; `encode` sorts it.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isCanonicalPlain(value[i])) return false;
    return true;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== null && Object.getPrototypeOf(prototype) !== null) return false;
  let previous: string | undefined;
  for (const key of Object.keys(value)) {
    // Code-unit order, as `Array.prototype.sort` compares in `encodePlain`.
    if (previous !== undefined && !(previous < key)) return false;
    previous = key;
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined && !isCanonicalPlain(item)) return false;
  }
  return true;
}

/** Thrown by `encodePlain` at anything it does not take: `encode` then encodes it, or names what is wrong. */
const NOT_PLAIN = Symbol('not plain JSON data');

/**
 * `encode` for the common case, plain data and Dates, without building a path for every value (the
 * audit hashes every pull, so this runs thousands of times a second). Anything else — `toJSON` other
 * than a Date's, a value JSON would change — goes back to `encode`, which has the path to name it.
 */
function encodePlain(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw NOT_PLAIN;
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw NOT_PLAIN;
  }
  if (value instanceof Date) return JSON.stringify(value);
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') throw NOT_PLAIN;
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + encodePlain(value[i]);
    return out + ']';
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== null && Object.getPrototypeOf(prototype) !== null) throw NOT_PLAIN;
  // Default sort compares UTF-16 code units, as `encodeObject`'s comparator does.
  const keys = Object.keys(value).sort();
  let out = '{';
  for (const key of keys) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined) continue;
    out += (out.length === 1 ? '' : ',') + JSON.stringify(key) + ':' + encodePlain(item);
  }
  return out + '}';
}

function encode(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw notJson(path, String(value));
      return JSON.stringify(value);
    case 'object':
      return encodeObject(value as object, path);
    default:
      // undefined, bigint, function, symbol
      throw notJson(path, typeof value);
  }
}

function encodeObject(value: object, path: string): string {
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return encode(toJSON.call(value, path.slice(path.lastIndexOf('.') + 1)), path);
  if (Array.isArray(value)) return `[${value.map((item, i) => encode(item, `${path}[${i}]`)).join(',')}]`;
  // Plain data has Object.prototype (of whichever realm made it) or no prototype at all.
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== null && Object.getPrototypeOf(prototype) !== null) {
    throw notJson(path, prototype?.constructor?.name ?? 'an object that is not plain data');
  }
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${encode(v, `${path}.${k}`)}`).join(',')}}`;
}

const notJson = (path: string, what: string): TypeError =>
  new TypeError(`${path} is ${what}, which JSON cannot store as it is: an event holds plain JSON data only`);
