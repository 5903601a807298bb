// Turns zod issues for a lesson's frontmatter into problems an instructor can act on:
// the field as it is written in YAML, what is wrong in plain words, and the field's own
// description from the schema as the fix.

import type { z } from 'astro/zod';
import type { LessonProblem } from './errors.ts';

type Issue = z.core.$ZodIssue;
type Schema = z.core.$ZodType;

/** `["programs", 1, "name"]` → `programs[1].name`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  return out;
}

const KIND: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping of fields',
};

/** How a YAML value reads to a person: `the text "one"`, `the number 3`, `a list`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'empty (null)';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return `the text ${JSON.stringify(value)}`;
    case 'number':
      return `the number ${value}`;
    case 'boolean':
      return `${value}`;
    case 'object':
      return value instanceof Date ? `the date ${value.toISOString().slice(0, 10)}` : 'a mapping of fields';
    default:
      return typeof value;
  }
}

interface Def {
  type: string;
  shape?: Record<string, Schema>;
  element?: Schema;
  innerType?: Schema;
  out?: Schema;
}

const defOf = (schema: Schema): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Unwraps optional, default and preprocess wrappers, keeping the outermost description. */
function unwrap(schema: Schema): Schema {
  let s = schema;
  for (;;) {
    const def = defOf(s);
    if ((def.type === 'optional' || def.type === 'default' || def.type === 'nullable') && def.innerType) s = def.innerType;
    else if (def.type === 'pipe' && def.out) s = def.out;
    else return s;
  }
}

function description(schema: Schema): string | undefined {
  return (schema as unknown as { description?: string }).description;
}

/** The schema at `path` (or undefined), walking objects and arrays. */
export function schemaAt(root: Schema, path: readonly PropertyKey[]): Schema | undefined {
  let s: Schema | undefined = root;
  for (const part of path) {
    if (s === undefined) return undefined;
    const def = defOf(unwrap(s));
    if (typeof part === 'number') s = def.type === 'array' ? def.element : undefined;
    else s = def.type === 'object' ? def.shape?.[String(part)] : undefined;
  }
  return s;
}

/** The description of the field at `path`, looking through wrappers. */
export function describeField(root: Schema, path: readonly PropertyKey[]): string | undefined {
  let s = schemaAt(root, path);
  while (s !== undefined) {
    const d = description(s);
    if (d !== undefined) return d;
    const next = unwrap(s);
    if (next === s) return undefined;
    s = next;
  }
  return undefined;
}

function fieldsOf(root: Schema, path: readonly PropertyKey[]): string[] {
  const s = path.length === 0 ? root : schemaAt(root, path);
  const def = s === undefined ? undefined : defOf(unwrap(s));
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

export function closest(word: string, options: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const option of options) {
    const d = distance(word.toLowerCase(), option.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [option, d];
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const part of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[part] : undefined;
  return v;
}

/** The problems of one failed frontmatter parse, in the order of the fields. */
export function zodProblems(file: string, root: Schema, data: unknown, issues: readonly Issue[]): LessonProblem[] {
  const problems: LessonProblem[] = [];
  for (const issue of issues) {
    const path = issue.path;
    if (issue.code === 'unrecognized_keys') {
      const known = fieldsOf(root, path);
      for (const key of issue.keys) {
        const guess = closest(key, known);
        problems.push({
          file,
          field: fieldPath([...path, key]),
          problem: `"${key}" is not a field a lesson can have`,
          fix: guess ? `did you mean "${guess}"? Rename it.` : `remove it, or use one of: ${known.join(', ')}.`,
        });
      }
      continue;
    }
    const field = fieldPath(path);
    const name = field === '' ? 'the frontmatter' : `"${field}"`;
    const described = describeField(root, path);
    const about = described === undefined ? 'see src/lessons/schema.ts' : described.charAt(0).toLowerCase() + described.slice(1);
    // parse(..., { reportInput: true }) puts the offending value on the issue; it is the
    // value after preprocessing, so `- send.js` shows as "send.js" at programs[0].name.
    const value = 'input' in issue ? issue.input : valueAt(data, path);
    if (issue.code === 'invalid_type' && value === undefined) {
      problems.push({ file, field, problem: `${name} is missing`, fix: `add ${name}: ${about}` });
    } else if (issue.code === 'invalid_type') {
      const expected = KIND[issue.expected] ?? issue.expected;
      problems.push({ file, field, problem: `${name} must be ${expected}, not ${describeValue(value)}`, fix: `${name} is ${about}` });
    } else {
      const shown = typeof value === 'string' || typeof value === 'number' ? ` (it is ${describeValue(value)})` : '';
      problems.push({ file, field, problem: `${name} ${issue.message}${shown}`, fix: `${name} is ${about}` });
    }
  }
  return problems;
}
