// A malformed lesson fails the build with the file, the field and the fix. These pin the
// texts an instructor reads.

import { afterEach, describe, expect, it } from 'vitest';
import type { Course } from '../../../src/components/course.ts';
import { checkAgainstCourse } from '../../../src/lessons/course-check.ts';
import { LessonError } from '../../../src/lessons/errors.ts';
import { readLesson, type LessonSource } from '../../../src/lessons/folder.ts';
import { GOOD_FRONTMATTER, lessonFixture, type FixtureOptions } from './fixture.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function read(options: FixtureOptions = {}): LessonSource {
  const f = lessonFixture(options);
  cleanups.push(f.cleanup);
  return readLesson(f.lessons, f.folder, f.root);
}

/** The error message readLesson throws for this fixture. */
function problem(options: FixtureOptions): string {
  try {
    read(options);
  } catch (error) {
    expect(error).toBeInstanceOf(LessonError);
    return (error as Error).message;
  }
  throw new Error('expected a LessonError');
}

const withFrontmatter = (edit: (text: string) => string): FixtureOptions => ({ frontmatter: edit(GOOD_FRONTMATTER) });

describe('a well-formed lesson', () => {
  it('reads the frontmatter, the programs in tab order and the body parts', () => {
    const lesson = read();
    expect(lesson.frontmatter).toMatchObject({ id: 'hello-world', order: 1, title: 'Hello World: your first queue' });
    expect(lesson.programs.map((p) => [p.name, p.args])).toEqual([
      ['send.ts', undefined],
      ['receive.ts', '--verbose'],
    ]);
    expect(lesson.parts.map((p) => p.kind)).toEqual(['markdown', 'playground']);
    expect(lesson.parts[1]).toEqual({ kind: 'playground', programs: ['send.ts', 'receive.ts'], line: 18 });
  });
});

describe('frontmatter errors name the file, the field and the fix', () => {
  it('a missing field', () => {
    expect(problem(withFrontmatter((t) => t.replace(/^title:.*\n/m, '')))).toBe(
      'A lesson is malformed:\n' +
        'lessons/01-hello-world/lesson.md → title: "title" is missing\n' +
        '  Fix: add "title": the title, the same as content/course.json gives, e.g. `title: "Hello World: your first queue"`.',
    );
  });

  it('a value of the wrong type', () => {
    expect(problem(withFrontmatter((t) => t.replace('order: 1', 'order: one')))).toBe(
      'A lesson is malformed:\n' +
        'lessons/01-hello-world/lesson.md → order: "order" must be a number, not the text "one"\n' +
        '  Fix: "order" is the position in the course counted from 1, e.g. `order: 2`: the number the folder starts with (02-work-queues) and the place in content/course.json.',
    );
  });

  it('a misspelt field, with a suggestion', () => {
    expect(problem(withFrontmatter((t) => t.replace('summary:', 'sumary:')))).toBe(
      'A lesson is malformed (2 problems):\n' +
        'lessons/01-hello-world/lesson.md → summary: "summary" is missing\n' +
        '  Fix: add "summary": one sentence on what the learner will do, the same as content/course.json gives; also the page description.\n' +
        'lessons/01-hello-world/lesson.md → sumary: "sumary" is not a field a lesson can have\n' +
        '  Fix: did you mean "summary"? Rename it.',
    );
  });

  it('an unknown field with nothing close lists the fields', () => {
    expect(problem(withFrontmatter((t) => `${t}\ndifficulty: easy`))).toContain(
      '→ difficulty: "difficulty" is not a field a lesson can have\n  Fix: remove it, or use one of: id, title, summary, order, programs, objectives, minutes.',
    );
  });

  it('an id that is not lowercase words joined by "-"', () => {
    expect(problem(withFrontmatter((t) => t.replace('id: hello-world', 'id: Hello World')))).toContain(
      'lessons/01-hello-world/lesson.md → id: "id" must be lowercase words joined by "-" (it is the text "Hello World")\n' +
        '  Fix: "id" is the lesson id, e.g. `id: hello-world`',
    );
  });

  it('a program that is not a .ts file, with its index in the list', () => {
    expect(problem(withFrontmatter((t) => t.replace('  - send.ts', '  - send.js')))).toContain(
      'lessons/01-hello-world/lesson.md → programs[0].name: "programs[0].name" must be a file name ending in .ts, like "send.ts" (it is the text "send.js")\n' +
        '  Fix: "programs[0].name" is the program file, e.g. `send.ts`; starter/send.ts and solution/send.ts must both exist.',
    );
  });

  it('an empty list', () => {
    expect(problem(withFrontmatter((t) => t.replace(/objectives:\n {2}- Send a message/, 'objectives: []')))).toContain(
      '→ objectives: "objectives" must list at least one objective\n  Fix: "objectives" is a list of what the learner can do',
    );
  });

  it('YAML that does not parse, with its line', () => {
    expect(problem(withFrontmatter((t) => t.replace('title: "Hello World: your first queue"', 'title: Hello World: your first queue')))).toBe(
      'A lesson is malformed:\n' +
        'lessons/01-hello-world/lesson.md → frontmatter, line 3: the frontmatter is not valid YAML (bad indentation of a mapping entry)\n' +
        '  Fix: check the quoting and indentation; put text containing ":" or "#" in quotes, e.g. `title: "Hello World: your first queue"`.',
    );
  });

  it('no frontmatter at all', () => {
    expect(problem({ frontmatter: null })).toBe(
      'A lesson is malformed:\n' +
        'lessons/01-hello-world/lesson.md: lesson.md has no frontmatter\n' +
        '  Fix: start the file with a block between two `---` lines giving id, title, summary, order, programs and objectives (see "Writing a lesson" in README.md).',
    );
  });
});

describe('folder errors', () => {
  it('an id that does not match the folder', () => {
    expect(problem({ folder: '01-hello' })).toBe(
      'A lesson is malformed:\n' +
        'lessons/01-hello/lesson.md → id: "id" is "hello-world" but the folder is named for "hello"\n' +
        '  Fix: make them the same: `id: hello`, or rename the folder to 01-hello-world.',
    );
  });

  it('an order that does not match the folder number', () => {
    expect(problem({ folder: '02-hello-world' })).toContain(
      'lessons/02-hello-world/lesson.md → order: "order" is 1 but the folder starts with 02\n  Fix: make them the same: `order: 2`, or rename the folder.',
    );
  });

  it('a folder name that is not <number>-<id>', () => {
    expect(problem({ folder: '1_hello' })).toBe(
      'A lesson is malformed:\n' +
        'lessons/1_hello: the folder name "1_hello" is not <number>-<id>\n' +
        '  Fix: rename the folder to its two-digit position and its id, e.g. lessons/03-publish-subscribe.',
    );
  });

  it('a program without its starter file', () => {
    expect(problem({ files: { 'starter/receive.ts': null } })).toBe(
      'A lesson is malformed:\n' +
        'lessons/01-hello-world/lesson.md → programs[1].name: lessons/01-hello-world/starter/receive.ts does not exist\n' +
        '  Fix: add the starter version of receive.ts, or correct the name in "programs".',
    );
  });

  it('a program file that "programs" does not list', () => {
    expect(problem({ files: { 'solution/extra.ts': '' } })).toContain(
      'lessons/01-hello-world/lesson.md → programs: lessons/01-hello-world/solution/extra.ts is not listed in "programs"\n' +
        '  Fix: add "extra.ts" to "programs", or delete the file.',
    );
  });

  it('no checks.ts', () => {
    expect(problem({ files: { 'checks.ts': null } })).toBe(
      'A lesson is malformed:\n' +
        'lessons/01-hello-world/checks.ts: checks.ts is missing\n' +
        '  Fix: add checks.ts exporting `checks` and `scenario` (see "Writing a lesson" in README.md).',
    );
  });
});

describe('playground block errors', () => {
  const body = (block: string) => ({ body: `\nProse.\n\n\`\`\`playground\n${block}\n\`\`\`\n` });

  it('a program the frontmatter does not list', () => {
    expect(problem(body('programs: send.ts recieve.ts'))).toBe(
      'A lesson is malformed:\n' +
        'lessons/01-hello-world/lesson.md → playground block, line 16: "recieve.ts" is not one of the lesson\'s programs\n' +
        '  Fix: use names from the frontmatter\'s "programs": send.ts, receive.ts.',
    );
  });

  it('an unknown setting', () => {
    expect(problem(body('programs: send.ts\nwidth: 20rem'))).toContain(
      '→ playground block, line 18: "width" is not a playground setting\n  Fix: use "programs" or "height".',
    );
  });

  it('a height that is not a CSS length', () => {
    expect(problem(body('height: tall'))).toContain('"height" must be a CSS length like 32rem, not "tall"');
  });

  it('a block that is never closed', () => {
    expect(problem({ body: '\n```playground\nprograms: send.ts\n' })).toContain(
      '→ line 14: the ```playground block is never closed\n  Fix: end it with a line of three backticks: ```',
    );
  });

  it('a lesson with no playground at all', () => {
    expect(problem({ body: '\nJust prose.\n' })).toBe(
      'A lesson is malformed:\n' +
        'lessons/01-hello-world/lesson.md: the lesson never shows the playground\n' +
        '  Fix: add a block where the editor should appear:\n\n    ```playground\n    programs: send.ts receive.ts\n    ```',
    );
  });
});

describe('the lesson and content/course.json agree', () => {
  const course = (status: 'published' | 'coming-soon', title = 'Hello World: your first queue'): Course => ({
    title: 'Warren',
    tagline: 't',
    lessons: [
      { id: 'hello-world', title, summary: 'Send one message.', status },
      { id: 'work-queues', title: 'Work queues', summary: 's', status: 'coming-soon' },
    ],
  });
  const message = (fn: () => void) => {
    try {
      fn();
    } catch (error) {
      return (error as Error).message;
    }
    return '';
  };

  it('passes when id, place, title, summary and status agree', () => {
    expect(() => checkAgainstCourse([read()], course('published'))).not.toThrow();
  });

  it('a written lesson still marked coming soon', () => {
    expect(message(() => checkAgainstCourse([read()], course('coming-soon')))).toBe(
      'A lesson is malformed:\n' +
        'content/course.json → lessons[0].status: "hello-world" is written (01-hello-world) but marked "coming-soon"\n' +
        '  Fix: set "status": "published" so the home page links it.',
    );
  });

  it('a title that differs', () => {
    expect(message(() => checkAgainstCourse([read()], course('published', 'Hello')))).toContain(
      'lessons/01-hello-world/lesson.md → title: "title" is "Hello World: your first queue" but content/course.json lessons[0].title is "Hello"',
    );
  });

  it('a published lesson without a folder', () => {
    const both = course('published');
    const published: Course = { ...both, lessons: both.lessons.map((l) => ({ ...l, status: 'published' as const })) };
    expect(message(() => checkAgainstCourse([read()], published))).toBe(
      'A lesson is malformed:\n' +
        'content/course.json → lessons[1].status: "work-queues" is marked "published" but no lessons/NN-work-queues folder exists\n' +
        '  Fix: set "status": "coming-soon", or add the lesson folder.',
    );
  });

  it('a lesson the syllabus does not list', () => {
    const lesson = read({ folder: '03-fanout', frontmatter: GOOD_FRONTMATTER.replace('id: hello-world', 'id: fanout').replace('order: 1', 'order: 3') });
    expect(message(() => checkAgainstCourse([lesson], course('coming-soon')))).toContain(
      'lessons/03-fanout/lesson.md → id: "fanout" is not a lesson in content/course.json',
    );
  });
});
