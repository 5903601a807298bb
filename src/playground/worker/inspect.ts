// console.log's formatting: Node's util.format and util.inspect (lib/internal/util/
// inspect.js) for what learner programs print: primitives, plain objects and class
// instances, arrays (grouped in columns when long), typed arrays, Buffers, Maps, Sets,
// dates, functions, and errors with their own fields (code, classId, ... as amqplib
// errors carry them). Layout rules are Node's: depth 2, breakLength 80, compact 3 (the
// three innermost levels may share a line). Not covered: getters' values, Proxies,
// showHidden (%o prints as %O).

export interface InspectOptions {
  /** The error's stack as it should print (the runner maps it to the learner's lines). */
  stackOf?: (error: Error) => string;
}

const DEPTH = 2;
const BREAK_LENGTH = 80;
const COMPACT = 3;
const MAX_ARRAY_LENGTH = 100;
const MAX_BUFFER_BYTES = 50;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

interface Context {
  seen: object[];
  indentationLvl: number;
  currentDepth: number;
  options: InspectOptions;
}

function quote(text: string): string {
  let q = "'";
  if (text.includes("'")) {
    if (!text.includes('"')) q = '"';
    else if (!text.includes('`') && !text.includes('${')) q = '`';
  }
  const escapes: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\t': '\\t', '\r': '\\r', '\b': '\\b', '\f': '\\f', '\v': '\\v' };
  let escaped = text.replace(/[\\\n\t\r\b\f\v]/g, (c) => escapes[c]!);
  if (q === "'") escaped = escaped.replaceAll("'", "\\'");
  return `${q}${escaped}${q}`;
}

function key(k: string | symbol): string {
  if (typeof k === 'symbol') return `[${k.toString()}]`;
  return IDENTIFIER.test(k) ? k : quote(k);
}

function functionBase(fn: Function): string {
  const source = Function.prototype.toString.call(fn);
  if (source.startsWith('class') && /^class\b/.test(source)) return `[class ${fn.name || '(anonymous)'}]`;
  const type = fn.constructor?.name ?? 'Function';
  const kind = ['AsyncFunction', 'GeneratorFunction', 'AsyncGeneratorFunction'].includes(type) ? type : 'Function';
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

function formatPrimitive(value: unknown): string | undefined {
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
  }
  return value === null ? 'null' : undefined;
}

function formatValue(ctx: Context, value: unknown, recurseTimes: number): string {
  const primitive = formatPrimitive(value);
  if (primitive !== undefined) return primitive;
  const object = value as object;
  if (ctx.seen.includes(object)) return '[Circular *1]';
  return formatRaw(ctx, object, recurseTimes);
}

/** Own enumerable properties as `key: value` entries (children formatted one level deeper). */
function propertyEntries(ctx: Context, object: object, recurseTimes: number, skip: (k: string | symbol) => boolean): string[] {
  const out: string[] = [];
  for (const k of Reflect.ownKeys(object)) {
    if (skip(k)) continue;
    const descriptor = Object.getOwnPropertyDescriptor(object, k);
    if (descriptor === undefined || !descriptor.enumerable) continue;
    let shown: string;
    if ('value' in descriptor) {
      ctx.indentationLvl += 2;
      shown = formatValue(ctx, descriptor.value, recurseTimes);
      ctx.indentationLvl -= 2;
    } else shown = descriptor.set ? '[Getter/Setter]' : '[Getter]';
    out.push(`${key(k)}: ${shown}`);
  }
  return out;
}

function formatRaw(ctx: Context, value: object, recurseTimes: number): string {
  const name = constructorName(value);
  let braces: [string, string] = ['{', '}'];
  let base = '';
  let isArrayLike = false;
  let entries: (c: Context, r: number) => string[] = () => [];
  let skip: (k: string | symbol) => boolean = () => false;
  const prefix = (fallback: string, size = '') => (name === null ? `[${fallback}${size}: null prototype] ` : name === fallback && size === '' ? '' : `${name || fallback}${size} `);

  if (Array.isArray(value)) {
    isArrayLike = true;
    braces = [`${prefix('Array', name === 'Array' ? '' : `(${value.length})`)}[`, ']'];
    skip = (k) => typeof k === 'string' && /^(0|[1-9]\d*)$/.test(k) && Number(k) < value.length;
    entries = (c, r) => listEntries(c, value, r);
  } else if (isBuffer(value)) {
    const bytes = Array.from(value.subarray(0, MAX_BUFFER_BYTES), (b) => b.toString(16).padStart(2, '0'));
    const more = value.length > MAX_BUFFER_BYTES ? ` ... ${value.length - MAX_BUFFER_BYTES} more byte${value.length - MAX_BUFFER_BYTES > 1 ? 's' : ''}` : '';
    return `<${name || 'Buffer'}${bytes.length > 0 ? ' ' : ''}${bytes.join(' ')}${more}>`;
  } else if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    isArrayLike = true;
    const typed = value as unknown as ArrayLike<number | bigint>;
    braces = [`${name}(${typed.length}) [`, ']'];
    skip = (k) => typeof k === 'string' && /^\d+$/.test(k);
    entries = (c, r) => listEntries(c, typed, r);
  } else if (value instanceof Map) {
    braces = [`${prefix('Map', `(${value.size})`)}{`, '}'];
    entries = (c, r) => {
      const out: string[] = [];
      c.indentationLvl += 2;
      for (const [k, v] of value) out.push(`${formatValue(c, k, r)} => ${formatValue(c, v, r)}`);
      c.indentationLvl -= 2;
      return out;
    };
  } else if (value instanceof Set) {
    braces = [`${prefix('Set', `(${value.size})`)}{`, '}'];
    entries = (c, r) => {
      const out: string[] = [];
      c.indentationLvl += 2;
      for (const v of value) out.push(formatValue(c, v, r));
      c.indentationLvl -= 2;
      return out;
    };
  } else if (typeof value === 'function') {
    base = functionBase(value);
    skip = (k) => k === 'prototype';
  } else if (value instanceof Error) {
    const stack = ctx.options.stackOf?.(value) ?? value.stack ?? `${value.name}: ${value.message}`;
    base = ctx.indentationLvl === 0 ? stack : stack.split('\n').join(`\n${' '.repeat(ctx.indentationLvl)}`);
    skip = (k) => k === 'stack' || k === 'message';
  } else if (value instanceof Date) {
    base = Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  } else if (value instanceof RegExp) {
    base = value.toString();
  } else if (value instanceof Promise) {
    braces = ['Promise {', '}'];
    entries = () => ['<pending>'];
  } else if (value instanceof WeakMap || value instanceof WeakSet) {
    return `${name} { <items unknown> }`;
  } else {
    braces = [`${prefix('Object')}{`, '}'];
  }

  if (recurseTimes > DEPTH) {
    // Empty containers print whole at any depth, as in Node.
    const empty = (isArrayLike ? (value as ArrayLike<unknown>).length === 0 : value instanceof Map || value instanceof Set ? value.size === 0 : true) && Object.keys(value).length === 0;
    if (empty && base === '') return `${braces[0]}${braces[1]}`;
    if (base !== '' && base.startsWith('[')) return base;
    return isArrayLike ? '[Array]' : `[${name || 'Object'}]`;
  }

  ctx.seen.push(value);
  ctx.currentDepth = recurseTimes;
  const output = [...entries(ctx, recurseTimes + 1), ...propertyEntries(ctx, value, recurseTimes + 1, skip)];
  ctx.seen.pop();

  if (output.length === 0) {
    if (base !== '') return base;
    return `${braces[0]}${braces[1]}`;
  }
  return reduceToSingleString(ctx, output, base, braces, isArrayLike, recurseTimes, value);
}

function listEntries(ctx: Context, list: ArrayLike<unknown>, recurseTimes: number): string[] {
  const out: string[] = [];
  const shown = Math.min(list.length, MAX_ARRAY_LENGTH);
  ctx.indentationLvl += 2;
  for (let i = 0; i < shown; i++) out.push(i in list ? formatValue(ctx, list[i], recurseTimes) : '<1 empty item>');
  ctx.indentationLvl -= 2;
  const more = list.length - shown;
  if (more > 0) out.push(`... ${more} more item${more > 1 ? 's' : ''}`);
  return out;
}

function isBelowBreakLength(output: string[], start: number, base: string): boolean {
  let total = output.length + start;
  if (total + output.length > BREAK_LENGTH) return false;
  for (const entry of output) {
    total += entry.length;
    if (total > BREAK_LENGTH) return false;
  }
  return base === '' || !base.includes('\n');
}

function reduceToSingleString(ctx: Context, output: string[], base: string, braces: [string, string], isArrayLike: boolean, recurseTimes: number, value: object): string {
  const entries = output.length;
  const head = base === '' ? '' : `${base} `;
  if (isArrayLike && entries > 6) output = groupArrayElements(ctx, output, value as ArrayLike<unknown>);
  if (ctx.currentDepth - recurseTimes < COMPACT && entries === output.length) {
    const start = output.length + ctx.indentationLvl + braces[0].length + base.length + 10;
    if (isBelowBreakLength(output, start, base)) {
      const joined = output.join(', ');
      if (!joined.includes('\n')) return `${head}${braces[0]} ${joined} ${braces[1]}`;
    }
  }
  const indentation = `\n${' '.repeat(ctx.indentationLvl)}`;
  return `${head}${braces[0]}${indentation}  ${output.join(`,${indentation}  `)}${indentation}${braces[1]}`;
}

/** Node's column layout for long arrays of short entries. */
function groupArrayElements(ctx: Context, output: string[], value: ArrayLike<unknown>): string[] {
  let totalLength = 0;
  let maxLength = 0;
  let outputLength = output.length;
  if (output[outputLength - 1]!.startsWith('... ') && value.length > MAX_ARRAY_LENGTH) outputLength--;
  const separatorSpace = 2;
  const dataLen: number[] = [];
  for (let i = 0; i < outputLength; i++) {
    const len = output[i]!.length;
    dataLen.push(len);
    totalLength += len + separatorSpace;
    if (maxLength < len) maxLength = len;
  }
  const actualMax = maxLength + separatorSpace;
  if (actualMax * 3 + ctx.indentationLvl < BREAK_LENGTH && (totalLength / actualMax > 5 || maxLength <= 6)) {
    const averageBias = Math.sqrt(actualMax - totalLength / output.length);
    const biasedMax = Math.max(actualMax - 3 - averageBias, 1);
    const columns = Math.min(
      Math.round(Math.sqrt(2.5 * biasedMax * outputLength) / biasedMax),
      Math.floor((BREAK_LENGTH - ctx.indentationLvl) / actualMax),
      COMPACT * 4,
      15,
    );
    if (columns <= 1) return output;
    const maxLineLength: number[] = [];
    for (let i = 0; i < columns; i++) {
      let lineLength = 0;
      for (let j = i; j < output.length; j += columns) if ((dataLen[j] ?? 0) > lineLength) lineLength = dataLen[j]!;
      maxLineLength.push(lineLength + separatorSpace);
    }
    let numeric = true;
    for (let i = 0; i < output.length; i++) {
      if (typeof value[i] !== 'number' && typeof value[i] !== 'bigint') {
        numeric = false;
        break;
      }
    }
    const tmp: string[] = [];
    for (let i = 0; i < outputLength; i += columns) {
      const max = Math.min(i + columns, outputLength);
      let line = '';
      let j = i;
      for (; j < max - 1; j++) {
        const cell = `${output[j]}, `;
        line += numeric ? cell.padStart(maxLineLength[j - i]!, ' ') : cell.padEnd(maxLineLength[j - i]!, ' ');
      }
      line += numeric ? output[j]!.padStart(maxLineLength[j - i]! - separatorSpace, ' ') : output[j]!;
      tmp.push(line);
    }
    if (outputLength < output.length) tmp.push(output[outputLength]!);
    return tmp;
  }
  return output;
}

/** util.inspect(value). */
export function inspect(value: unknown, options: InspectOptions = {}): string {
  return formatValue({ seen: [], indentationLvl: 0, currentDepth: 0, options }, value, 0);
}

/** A value as %s shows it: strings and primitives as they are, objects inspected shallowly. */
function asString(value: unknown, options: InspectOptions): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return value.toString();
  if (typeof value !== 'object' || value === null) return String(value);
  if (value instanceof Error) return inspect(value, options);
  const own = (value as { toString?: unknown }).toString;
  if (typeof own === 'function' && own !== Object.prototype.toString && own !== Array.prototype.toString && !(value instanceof Date)) return String(value);
  return inspect(value, options);
}

/** util.format(...args): printf-style %s %d %i %f %j %o %O %c %% in a leading string, the rest joined by spaces. */
export function format(args: readonly unknown[], options: InspectOptions = {}): string {
  const first = args[0];
  let rest = 0;
  let out = '';
  if (typeof first === 'string') {
    rest = 1;
    // A lone string is printed as it is, even "%%".
    out = args.length === 1 ? first : first.replace(/%([sdifjoOc%])/g, (match, spec: string) => {
      if (spec === '%') return '%';
      if (rest >= args.length) return match;
      const arg = args[rest++];
      switch (spec) {
        case 's':
          return asString(arg, options);
        case 'd':
          return typeof arg === 'bigint' ? `${arg}n` : typeof arg === 'object' && arg !== null ? 'NaN' : formatPrimitive(Number(arg))!;
        case 'i':
          return typeof arg === 'bigint' ? `${arg}n` : typeof arg === 'object' && arg !== null ? 'NaN' : String(parseInt(String(arg), 10));
        case 'f':
          return typeof arg === 'symbol' ? 'NaN' : String(parseFloat(String(arg)));
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
