// Reads one lesson folder from disk and checks everything that can be checked without
// running it: the folder name, the frontmatter, the program files, the checks file and
// the playground blocks. Node only (node:fs); the site's loader and the tests share it.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFrontmatter } from 'astro/markdown';
import { splitBody, type BodyPart } from './embed.ts';
import { LessonError, type LessonProblem } from './errors.ts';
import { lessonFrontmatterSchema, type LessonFrontmatter } from './schema.ts';
import { zodProblems } from './zod-problems.ts';

/** `01-hello-world` → number 1, id `hello-world`. */
export const FOLDER = /^(\d{2,})-([a-z0-9]+(?:-[a-z0-9]+)*)$/;

export interface ProgramFiles {
  name: string;
  args?: string;
  starter: string;
  solution: string;
}

export interface LessonSource {
  /** The folder name, e.g. "01-hello-world". */
  folder: string;
  /** Absolute path of the folder. */
  dir: string;
  /** lesson.md relative to the project root, for messages. */
  file: string;
  frontmatter: LessonFrontmatter;
  programs: ProgramFiles[];
  parts: BodyPart[];
  /** Absolute path of checks.ts. */
  checks: string;
}

/** The lesson folders under `lessonsDir` (folders whose name starts with a digit), sorted. */
export function lessonFolders(lessonsDir: string): string[] {
  if (!existsSync(lessonsDir)) return [];
  return readdirSync(lessonsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^\d/.test(d.name))
    .map((d) => d.name)
    .sort();
}

function readFrontmatter(text: string, file: string): { data: unknown; body: string; firstLine: number } {
  let parsed: ReturnType<typeof parseFrontmatter>;
  try {
    parsed = parseFrontmatter(text);
  } catch (error) {
    // js-yaml counts lines from 0, from the end of the opening `---` line.
    const mark = (error as { mark?: { line?: number } }).mark;
    const reason = (error as { reason?: string }).reason ?? (error as Error).message;
    throw LessonError.of({
      file,
      field: mark?.line === undefined ? 'frontmatter' : `frontmatter, line ${mark.line + 1}`,
      problem: `the frontmatter is not valid YAML (${reason})`,
      fix: 'check the quoting and indentation; put text containing ":" or "#" in quotes, e.g. `title: "Hello World: your first queue"`.',
    });
  }
  if (parsed.rawFrontmatter === '') {
    throw LessonError.of({
      file,
      problem: 'lesson.md has no frontmatter',
      fix: 'start the file with a block between two `---` lines giving id, title, summary, order, programs and objectives (see "Writing a lesson" in README.md).',
    });
  }
  const firstLine = 1 + (parsed.rawFrontmatter.match(/\n/g)?.length ?? 0);
  return { data: parsed.frontmatter, body: parsed.content, firstLine };
}

/** Reads and checks `lessonsDir/folder`; throws a LessonError listing every problem found. */
export function readLesson(lessonsDir: string, folder: string, root = join(lessonsDir, '..')): LessonSource {
  const dir = join(lessonsDir, folder);
  const rel = (path: string) => path.slice(root.length + 1).replaceAll('\\', '/');
  const file = rel(join(dir, 'lesson.md'));
  const name = FOLDER.exec(folder);
  if (!name) {
    throw LessonError.of({
      file: rel(dir),
      problem: `the folder name "${folder}" is not <number>-<id>`,
      fix: 'rename the folder to its two-digit position and its id, e.g. lessons/03-publish-subscribe.',
    });
  }
  if (!existsSync(join(dir, 'lesson.md'))) {
    throw LessonError.of({ file, problem: 'lesson.md is missing', fix: 'add lesson.md with the frontmatter and the prose (see "Writing a lesson" in README.md).' });
  }
  const { data, body, firstLine } = readFrontmatter(readFileSync(join(dir, 'lesson.md'), 'utf8'), file);
  const result = lessonFrontmatterSchema.safeParse(data, { reportInput: true });
  if (!result.success) throw new LessonError(zodProblems(file, lessonFrontmatterSchema, data, result.error.issues));
  const frontmatter = result.data;

  const problems: LessonProblem[] = [];
  const [, number = '', folderId = ''] = name;
  if (frontmatter.id !== folderId) {
    problems.push({ file, field: 'id', problem: `"id" is "${frontmatter.id}" but the folder is named for "${folderId}"`, fix: `make them the same: \`id: ${folderId}\`, or rename the folder to ${number}-${frontmatter.id}.` });
  }
  if (frontmatter.order !== Number(number)) {
    problems.push({ file, field: 'order', problem: `"order" is ${frontmatter.order} but the folder starts with ${number}`, fix: `make them the same: \`order: ${Number(number)}\`, or rename the folder.` });
  }

  const programs: ProgramFiles[] = [];
  const listed = new Set<string>();
  frontmatter.programs.forEach((program, i) => {
    if (listed.has(program.name)) {
      problems.push({ file, field: `programs[${i}]`, problem: `"${program.name}" is listed twice`, fix: 'list each program once.' });
    }
    listed.add(program.name);
    const missing = (['starter', 'solution'] as const).filter((kind) => !existsSync(join(dir, kind, program.name)));
    for (const kind of missing) {
      problems.push({ file, field: `programs[${i}].name`, problem: `${rel(join(dir, kind, program.name))} does not exist`, fix: `add the ${kind} version of ${program.name}, or correct the name in "programs".` });
    }
    if (missing.length === 0) {
      programs.push({
        name: program.name,
        ...(program.args === undefined ? {} : { args: program.args }),
        starter: readFileSync(join(dir, 'starter', program.name), 'utf8'),
        solution: readFileSync(join(dir, 'solution', program.name), 'utf8'),
      });
    }
  });
  for (const kind of ['starter', 'solution']) {
    const kindDir = join(dir, kind);
    if (!existsSync(kindDir)) continue;
    for (const extra of readdirSync(kindDir).filter((f) => f.endsWith('.ts') && !listed.has(f))) {
      problems.push({ file, field: 'programs', problem: `${rel(join(kindDir, extra))} is not listed in "programs"`, fix: `add "${extra}" to "programs", or delete the file.` });
    }
  }
  const checks = join(dir, 'checks.ts');
  if (!existsSync(checks)) {
    problems.push({ file: rel(checks), problem: 'checks.ts is missing', fix: 'add checks.ts exporting `checks` and `scenario` (see "Writing a lesson" in README.md).' });
  }

  let parts: BodyPart[] = [];
  try {
    parts = splitBody(body, file, firstLine);
  } catch (error) {
    if (!(error instanceof LessonError)) throw error;
    problems.push(...error.problems);
  }
  const embeds = parts.filter((p) => p.kind === 'playground');
  if (embeds.length === 0 && problems.length === 0) {
    problems.push({ file, problem: 'the lesson never shows the playground', fix: 'add a block where the editor should appear:\n\n    ```playground\n    programs: ' + frontmatter.programs.map((p) => p.name).join(' ') + '\n    ```' });
  }
  for (const embed of embeds) {
    for (const program of embed.programs ?? []) {
      if (!listed.has(program)) {
        problems.push({ file, field: `playground block, line ${embed.line}`, problem: `"${program}" is not one of the lesson's programs`, fix: `use names from the frontmatter's "programs": ${[...listed].join(', ')}.` });
      }
    }
  }
  if (problems.length > 0) throw new LessonError(problems);
  return { folder, dir, file, frontmatter, programs, parts, checks };
}
