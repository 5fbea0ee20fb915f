// The JS half of `Dataset.fromRecords`: turns the records into JSON text
// inside the JS engine, so that exitcore-wasm reads one string per chunk
// instead of asking for every property of every record across the
// JS/WebAssembly boundary (which made 100,000 records take ~25 s).
//
// Only elements that are plain JSON data are written, and only where
// JSON.stringify writes exactly what exitcore's element-by-element reading
// (serde-wasm-bindgen) would see; every other element gets an empty line,
// and the Rust side reads that element the old way, so it is accepted or
// becomes a problem at its row with the same message as before. The line
// for element i is line i: JSON.stringify escapes every newline in strings.

// Plain data nested deeper than this takes the element-by-element way (which
// enforces exitcore-wasm's MAX_DEPTH of 128 and reports it), so the fast way
// never meets a limit of its own.
const FAST_DEPTH = 64;

const PLAIN = 0; // JSON.stringify(v) is exact
const UNDEFINED = 1; // exact once undefined is written as null
const OTHER = 2; // take the element-by-element way

// The first character of the line of an element whose reading threw (no
// JSON text starts with it), followed by the error's message on one line.
const THREW = '!';

function describe(e) {
  try {
    const message = e instanceof Error ? e.message : String(e);
    return String(message).replace(/[\r\n]+/g, ' ');
  } catch {
    return 'an exception';
  }
}

function undefinedAsNull(_key, value) {
  return value === undefined ? null : value;
}

function kind(v, depth) {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return PLAIN;
    case 'number':
      // Unsafe integers, fractions, NaN and infinities: the element-by-element
      // way keeps their exact value (or refuses them with its own message).
      return Number.isSafeInteger(v) ? PLAIN : OTHER;
    case 'undefined':
      return UNDEFINED;
    case 'object': {
      if (v === null) return PLAIN;
      if (depth >= FAST_DEPTH) return OTHER;
      let out = PLAIN;
      if (Array.isArray(v)) {
        if (Object.getPrototypeOf(v) !== Array.prototype) return OTHER;
        for (let i = 0; i < v.length; i++) {
          const k = kind(v[i], depth + 1);
          if (k === OTHER) return OTHER;
          out |= k;
        }
        return out;
      }
      const proto = Object.getPrototypeOf(v);
      // Maps, Dates, typed arrays, class instances, boxed primitives and
      // iterables are read differently by the two ways.
      if ((proto !== Object.prototype && proto !== null) || Symbol.iterator in v) return OTHER;
      for (const key in v) {
        const k = kind(v[key], depth + 1);
        if (k === OTHER) return OTHER;
        out |= k;
      }
      return out;
    }
    default:
      // bigint, symbol, function
      return OTHER;
  }
}

/**
 * Elements `start..end` of `records` as JSON text, one line per element; an
 * empty line for an element that is not plain JSON data, and `!` with a
 * message for one whose reading threw.
 */
export function exitcoreRecordsJson(records, start, end) {
  // A toJSON on the prototypes would make JSON.stringify write something else.
  const patched = 'toJSON' in Object.prototype || 'toJSON' in Array.prototype;
  const lines = new Array(end - start);
  for (let i = start; i < end; i++) {
    let line = '';
    if (!patched) {
      try {
        const v = records[i];
        const k = kind(v, 0);
        if (k !== OTHER) {
          const text = k === PLAIN ? JSON.stringify(v) : JSON.stringify(v, undefinedAsNull);
          if (typeof text === 'string') line = text;
        }
      } catch (e) {
        // A getter that throws, say: reading the element again would throw
        // the same out of the call, so its line says why instead.
        line = THREW + describe(e);
      }
    }
    lines[i - start] = line;
  }
  return lines.join('\n');
}
