// Builds throwaway lesson folders for the error tests: a valid lesson by default, with
// any file replaced or removed.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const GOOD_FRONTMATTER = `id: hello-world
title: "Hello World: your first queue"
summary: Send one message.
order: 1
programs:
  - send.ts
  - name: receive.ts
    args: --verbose
objectives:
  - Send a message`;

export const GOOD_BODY = `
## Sending

Some prose.

\`\`\`playground
programs: send.ts receive.ts
\`\`\`
`;

const PROGRAM = "import amqp from 'amqplib';\n";

export interface FixtureOptions {
  folder?: string;
  /** Text between the --- lines; null for no frontmatter at all. */
  frontmatter?: string | null;
  body?: string;
  /** Extra or replacement files (path → text), or null to delete one. */
  files?: Record<string, string | null>;
}

/** Makes `<root>/lessons/<folder>` and returns root and the lessons dir; `cleanup()` removes it. */
export function lessonFixture(options: FixtureOptions = {}): { root: string; lessons: string; folder: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'warren-lesson-'));
  const lessons = join(root, 'lessons');
  const folder = options.folder ?? '01-hello-world';
  const frontmatter = options.frontmatter === undefined ? GOOD_FRONTMATTER : options.frontmatter;
  const files: Record<string, string | null> = {
    'lesson.md': `${frontmatter === null ? '' : `---\n${frontmatter}\n---\n`}${options.body ?? GOOD_BODY}`,
    'starter/send.ts': PROGRAM,
    'starter/receive.ts': PROGRAM,
    'solution/send.ts': PROGRAM,
    'solution/receive.ts': PROGRAM,
    'checks.ts': 'export const checks = [];\n',
    ...options.files,
  };
  for (const [path, text] of Object.entries(files)) {
    if (text === null) continue;
    const full = join(lessons, folder, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return { root, lessons, folder, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
