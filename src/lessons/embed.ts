// A lesson embeds the playground with a fenced block in its markdown:
//
//   ```playground
//   programs: send.ts receive.ts
//   height: 32rem
//   ```
//
// Both lines are optional: without `programs` the playground shows every program of the
// frontmatter. The body is split at these blocks; the page renders the markdown parts and
// puts a Playground between them. Fences inside other fences (a code sample showing this
// syntax) are left alone.

import { LessonError } from './errors.ts';

export interface PlaygroundEmbed {
  kind: 'playground';
  /** Program names in tab order, or undefined for all of the frontmatter's. */
  programs?: string[];
  /** A CSS length for the editor, e.g. "32rem". */
  height?: string;
  /** 1-based line in lesson.md where the block starts (for errors). */
  line: number;
}

export interface MarkdownPart {
  kind: 'markdown';
  text: string;
}

export type BodyPart = MarkdownPart | PlaygroundEmbed;

const OPEN = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)(.*)$/;
const CSS_LENGTH = /^\d+(?:\.\d+)?(?:rem|em|px|vh|lh)$/;
const KEYS = ['programs', 'height'];

function parseEmbed(lines: string[], line: number, file: string): PlaygroundEmbed {
  const embed: PlaygroundEmbed = { kind: 'playground', line };
  lines.forEach((raw, i) => {
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) return;
    const at = `playground block, line ${line + 1 + i}`;
    const match = /^([A-Za-z-]+)\s*:\s*(.*)$/.exec(text);
    if (!match) {
      throw LessonError.of({ file, field: at, problem: `"${text}" is not a "key: value" line`, fix: 'write `programs: send.ts receive.ts` and optionally `height: 32rem`.' });
    }
    const [, key = '', value = ''] = match;
    if (key === 'programs') {
      const names = value.split(/[\s,]+/).filter(Boolean);
      if (names.length === 0) {
        throw LessonError.of({ file, field: at, problem: '"programs" lists no program', fix: 'list program files separated by spaces, e.g. `programs: send.ts receive.ts`, or drop the line to show them all.' });
      }
      embed.programs = names;
    } else if (key === 'height') {
      if (!CSS_LENGTH.test(value)) {
        throw LessonError.of({ file, field: at, problem: `"height" must be a CSS length like 32rem, not "${value}"`, fix: 'use a number with rem, em, px, vh or lh, e.g. `height: 32rem`.' });
      }
      embed.height = value;
    } else {
      throw LessonError.of({ file, field: at, problem: `"${key}" is not a playground setting`, fix: `use ${KEYS.map((k) => `"${k}"`).join(' or ')}.` });
    }
  });
  return embed;
}

/** Splits a lesson's markdown body into prose and playground blocks, in order. */
export function splitBody(body: string, file: string, firstLine = 1): BodyPart[] {
  const lines = body.split(/\r?\n/);
  const parts: BodyPart[] = [];
  let prose: string[] = [];
  let fence: string | null = null;
  let embedStart = -1;
  let embedLines: string[] = [];
  const flush = () => {
    const text = prose.join('\n');
    if (text.trim() !== '') parts.push({ kind: 'markdown', text });
    prose = [];
  };
  lines.forEach((line, i) => {
    if (fence === null) {
      const open = OPEN.exec(line);
      if (open) {
        fence = open[1] ?? '```';
        if (open[2] === 'playground') {
          embedStart = i;
          embedLines = [];
          return;
        }
      }
      prose.push(line);
      return;
    }
    const closes = line.trim().startsWith(fence[0]!.repeat(fence.length)) && line.trim().replace(/[`~]/g, '') === '';
    if (embedStart >= 0) {
      if (closes) {
        flush();
        parts.push(parseEmbed(embedLines, firstLine + embedStart, file));
        embedStart = -1;
        fence = null;
      } else embedLines.push(line);
      return;
    }
    prose.push(line);
    if (closes) fence = null;
  });
  if (embedStart >= 0) {
    throw LessonError.of({ file, field: `line ${firstLine + embedStart}`, problem: 'the ```playground block is never closed', fix: 'end it with a line of three backticks: ```' });
  }
  flush();
  return parts;
}
