// A malformed lesson stops `npm run build` and `npm run dev` with one of these: every
// problem names the file, the field and the fix. The texts are pinned in
// tests/unit/lessons/errors.test.ts.

export interface LessonProblem {
  /** Relative to the project root, e.g. "lessons/01-hello-world/lesson.md". */
  file: string;
  /** Where in the file: a frontmatter field (`programs[1].name`), a line, or absent. */
  field?: string;
  /** What is wrong, as a sentence fragment: `"order" must be a number, not the text "one"`. */
  problem: string;
  /** What to do about it. */
  fix: string;
}

export function formatProblem(p: LessonProblem): string {
  const where = p.field === undefined ? p.file : `${p.file} → ${p.field}`;
  return `${where}: ${p.problem}\n  Fix: ${p.fix}`;
}

export class LessonError extends Error {
  readonly problems: readonly LessonProblem[];

  constructor(problems: readonly LessonProblem[]) {
    const heading = problems.length > 1 ? `A lesson is malformed (${problems.length} problems):` : 'A lesson is malformed:';
    super(`${heading}\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'LessonError';
    this.problems = problems;
  }

  static of(problem: LessonProblem): LessonError {
    return new LessonError([problem]);
  }
}
