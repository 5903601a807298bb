// console.log's formatting, close to Node's util.format and util.inspect for what learner
// programs print: strings, numbers, plain objects, arrays, Buffers, Maps, Sets, errors
// (with their code, classId, ... as amqplib errors carry them) and messages. Objects
// nest two levels deep, then print as [Object]; a line longer than 72 characters breaks
// one entry per line, as Node does.

export interface InspectOptions {
  /** The error's stack as it should print (the runner maps it to the learner's lines). */
  stackOf?: (error: Error) => string;
}

const MAX_DEPTH = 2;
const MAX_ITEMS = 100;
const MAX_BUFFER_BYTES = 50;
const BREAK_LENGTH = 72;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function quote(text: string): string {
  const q = !text.includes("'") ? "'" : !text.includes('"') ? '"' : !text.includes('`') ? '`' : "'";
  const escaped = text
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\t/g, '\\t')
    .replace(/\r/g, '\\r')
    .replaceAll(q, `\\${q}`);
  return `${q}${escaped}${q}`;
}

function key(k: string | symbol): string {
  if (typeof k === 'symbol') return `[${k.toString()}]`;
  return IDENTIFIER.test(k) ? k : quote(k);
}

function functionText(fn: Function): string {
  const source = Function.prototype.toString.call(fn);
  if (source.startsWith('class')) return `[class ${fn.name || '(anonymous)'}]`;
  const kind = fn.constructor?.name === 'AsyncFunction' ? 'AsyncFunction' : fn.constructor?.name === 'GeneratorFunction' ? 'GeneratorFunction' : 'Function';
  return `[${kind}${fn.name ? `: ${fn.name}` : ' (anonymous)'}]`;
}

function constructorName(value: object): string | null {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === null) return null;
  const ctor = (proto as { constructor?: { name?: string } }).constructor;
  return typeof ctor?.name === 'string' ? ctor.name : '';
}

function isBuffer(value: object): value is Uint8Array {
  const B = (globalThis as { Buffer?: { isBuffer(v: unknown): boolean } }).Buffer;
  return B !== undefined && B.isBuffer(value);
}

/** Joins entries on one line when short enough, else one per line, indented. */
function group(prefix: string, open: string, close: string, entries: string[], indent: string): string {
  if (entries.length === 0) return `${prefix}${open}${close}`;
  const oneLine = `${prefix}${open} ${entries.join(', ')} ${close}`;
  if (oneLine.length + indent.length <= BREAK_LENGTH && !entries.some((e) => e.includes('\n'))) return oneLine;
  const inner = `${indent}  `;
  return `${prefix}${open}\n${entries.map((e) => `${inner}${e}`).join(',\n')}\n${indent}${close}`;
}

function ownEntries(value: object, seen: Set<object>, depth: number, indent: string, options: InspectOptions, skip?: (k: string) => boolean): string[] {
  const out: string[] = [];
  for (const k of Reflect.ownKeys(value)) {
    if (typeof k === 'string' && skip?.(k)) continue;
    const descriptor = Object.getOwnPropertyDescriptor(value, k);
    if (descriptor === undefined || !descriptor.enumerable) continue;
    const shown = 'value' in descriptor ? inspectValue(descriptor.value, seen, depth + 1, `${indent}  `, options) : descriptor.set ? '[Getter/Setter]' : '[Getter]';
    out.push(`${key(k)}: ${shown}`);
  }
  return out;
}

function inspectError(error: Error, seen: Set<object>, depth: number, indent: string, options: InspectOptions): string {
  const stack = options.stackOf?.(error) ?? error.stack ?? `${error.name}: ${error.message}`;
  const extra = ownEntries(error, seen, depth, indent, options, (k) => k === 'stack' || k === 'message');
  const text = extra.length === 0 ? stack : `${stack} {\n${extra.map((e) => `  ${e}`).join(',\n')}\n}`;
  return indent === '' ? text : text.split('\n').join(`\n${indent}`);
}

function inspectValue(value: unknown, seen: Set<object>, depth: number, indent: string, options: InspectOptions): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return `${value}n`;
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'symbol':
      return value.toString();
    case 'function':
      return functionText(value);
  }
  if (value === null) return 'null';
  const object = value as object;
  if (seen.has(object)) return '[Circular *1]';
  if (object instanceof Error) {
    seen.add(object);
    try {
      return inspectError(object, seen, depth, indent, options);
    } finally {
      seen.delete(object);
    }
  }
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
  if (object instanceof RegExp) return object.toString();
  if (object instanceof Promise) return 'Promise { <pending> }';
  if (object instanceof WeakMap || object instanceof WeakSet) return `${constructorName(object)} { <items unknown> }`;
  if (isBuffer(object)) {
    const bytes = Array.from(object.subarray(0, MAX_BUFFER_BYTES), (b) => b.toString(16).padStart(2, '0'));
    const more = object.length > MAX_BUFFER_BYTES ? ` ... ${object.length - MAX_BUFFER_BYTES} more bytes` : '';
    return `<Buffer${bytes.length > 0 ? ' ' : ''}${bytes.join(' ')}${more}>`;
  }
  const name = constructorName(object);
  if (depth > MAX_DEPTH) return Array.isArray(object) ? '[Array]' : `[${name || 'Object'}]`;
  seen.add(object);
  try {
    if (Array.isArray(object) || ArrayBuffer.isView(object)) {
      const list = object as ArrayLike<unknown>;
      const items: string[] = [];
      const shown = Math.min(list.length, MAX_ITEMS);
      for (let i = 0; i < shown; i++) items.push(i in list ? inspectValue(list[i], seen, depth + 1, `${indent}  `, options) : '<1 empty item>');
      if (list.length > MAX_ITEMS) items.push(`... ${list.length - MAX_ITEMS} more item${list.length - MAX_ITEMS > 1 ? 's' : ''}`);
      const prefix = Array.isArray(object) ? (name === 'Array' ? '' : `${name}(${list.length}) `) : `${name}(${list.length}) `;
      return group(prefix, '[', ']', items, indent);
    }
    if (object instanceof Map) {
      const items = [...object].map(([k, v]) => `${inspectValue(k, seen, depth + 1, `${indent}  `, options)} => ${inspectValue(v, seen, depth + 1, `${indent}  `, options)}`);
      return group(`${name}(${object.size}) `, '{', '}', items, indent);
    }
    if (object instanceof Set) {
      const items = [...object].map((v) => inspectValue(v, seen, depth + 1, `${indent}  `, options));
      return group(`${name}(${object.size}) `, '{', '}', items, indent);
    }
    const entries = ownEntries(object, seen, depth, indent, options);
    const prefix = name === null ? '[Object: null prototype] ' : name === 'Object' ? '' : `${name || 'Object'} `;
    return group(prefix, '{', '}', entries, indent);
  } finally {
    seen.delete(object);
  }
}

/** util.inspect(value). */
export function inspect(value: unknown, options: InspectOptions = {}): string {
  return inspectValue(value, new Set(), 0, '', options);
}

/** A value as %s shows it: strings and primitives as they are, objects inspected shallowly. */
function asString(value: unknown, options: InspectOptions): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return value.toString();
  if (typeof value !== 'object' || value === null) return String(value);
  if (value instanceof Error) return inspect(value, options);
  const own = (value as { toString?: unknown }).toString;
  if (typeof own === 'function' && own !== Object.prototype.toString && own !== Array.prototype.toString) return String(value);
  return inspect(value, options);
}

/** util.format(...args): printf-style %s %d %i %f %j %o %O %c %% in a leading string, the rest joined by spaces. */
export function format(args: readonly unknown[], options: InspectOptions = {}): string {
  let rest = 0;
  let out = '';
  const first = args[0];
  if (typeof first === 'string') {
    rest = 1;
    out = first.replace(/%([sdifjoOc%])/g, (match, spec: string) => {
      if (spec === '%') return '%';
      if (rest >= args.length) return match;
      const arg = args[rest++];
      switch (spec) {
        case 's':
          return asString(arg, options);
        case 'd':
          return typeof arg === 'bigint' ? `${arg}n` : typeof arg === 'object' && arg !== null ? 'NaN' : String(Number(arg));
        case 'i':
          return typeof arg === 'bigint' ? `${arg}n` : String(parseInt(String(arg), 10));
        case 'f':
          return String(parseFloat(String(arg)));
        case 'j':
          try {
            return JSON.stringify(arg) ?? 'undefined';
          } catch {
            return '[Circular]';
          }
        case 'c':
          return '';
        default:
          return inspect(arg, options);
      }
    });
  }
  for (let i = rest; i < args.length; i++) {
    const arg = args[i];
    const text = typeof arg === 'string' ? arg : inspect(arg, options);
    out = i === 0 ? text : `${out} ${text}`;
  }
  return out;
}
