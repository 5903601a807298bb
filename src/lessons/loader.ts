// The Astro content loader for lessons/: reads every lesson folder (folder.ts), checks the
// set against content/course.json, renders the prose parts with Astro's markdown pipeline
// and stores one entry per lesson. In `astro dev` it watches lessons/ and course.json and
// reloads on save; a malformed lesson is reported with the file, the field and the fix.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AstroError } from 'astro/errors';
import type { Loader, LoaderContext } from 'astro/loaders';
import { parseCourse } from '../components/course.ts';
import { checkAgainstCourse } from './course-check.ts';
import type { LessonEntryData } from './entry-schema.ts';
import { LessonError, type LessonProblem } from './errors.ts';
import { lessonFolders, readLesson, type LessonSource } from './folder.ts';

const HINT = 'Fix the lesson and run the command again. While `npm run dev` runs, saving a lesson reloads it (or reports what is wrong). The format is in README.md, "Writing a lesson".';

export interface LessonLoaderOptions {
  /** The lessons folder, relative to the project root; default "lessons". */
  dir?: string;
  /** The syllabus, relative to the project root; default "content/course.json". */
  course?: string;
}

/** Reads every lesson folder; throws one LessonError with the problems of all of them. */
export function readAllLessons(root: string, dir: string, coursePath: string): LessonSource[] {
  const lessonsDir = join(root, dir);
  const problems: LessonProblem[] = [];
  const lessons: LessonSource[] = [];
  for (const folder of lessonFolders(lessonsDir)) {
    try {
      lessons.push(readLesson(lessonsDir, folder, root));
    } catch (error) {
      if (!(error instanceof LessonError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new LessonError(problems);
  checkAgainstCourse(lessons, parseCourse(JSON.parse(readFileSync(join(root, coursePath), 'utf8'))));
  return lessons;
}

async function toEntry(lesson: LessonSource, render: LoaderContext['renderMarkdown']): Promise<LessonEntryData> {
  const parts: LessonEntryData['parts'] = [];
  const headings: LessonEntryData['headings'] = [];
  const all = lesson.frontmatter.programs.map((p) => p.name);
  for (const part of lesson.parts) {
    if (part.kind === 'playground') {
      parts.push({ kind: 'playground', programs: part.programs ?? all, ...(part.height === undefined ? {} : { height: part.height }) });
      continue;
    }
    const rendered = await render(part.text);
    parts.push({ kind: 'html', html: rendered.html });
    const found = (rendered.metadata?.['headings'] ?? []) as LessonEntryData['headings'];
    headings.push(...found.map(({ depth, slug, text }) => ({ depth, slug, text })));
  }
  return { ...lesson.frontmatter, folder: lesson.folder, files: lesson.programs, parts, headings };
}

export function lessonLoader(options: LessonLoaderOptions = {}): Loader {
  const dir = options.dir ?? 'lessons';
  const coursePath = options.course ?? 'content/course.json';
  return {
    name: 'warren-lessons',
    load: async (context) => {
      const { config, store, logger, watcher, generateDigest, renderMarkdown } = context;
      const root = fileURLToPath(config.root).replace(/[\\/]$/, '');
      const sync = async () => {
        const lessons = readAllLessons(root, dir, coursePath);
        const entries = await Promise.all(lessons.map((l) => toEntry(l, renderMarkdown)));
        store.clear();
        for (const data of entries) {
          store.set({ id: data.id, data, digest: generateDigest(data), filePath: `${dir}/${data.folder}/lesson.md` });
        }
      };
      try {
        await sync();
      } catch (error) {
        // Astro reports an AstroError as its message plus a hint: the build (or dev start) stops.
        if (error instanceof LessonError) throw new AstroError(error.message, HINT);
        throw error;
      }
      if (!watcher) return;
      const lessonsDir = join(root, dir);
      const course = join(root, coursePath);
      watcher.add([lessonsDir, course]);
      const onChange = async (path: string) => {
        if (!path.startsWith(lessonsDir) && path !== course) return;
        try {
          await sync();
          logger.info(`Reloaded lessons after a change to ${path.slice(root.length + 1)}`);
        } catch (error) {
          logger.error(error instanceof Error ? error.message : String(error));
        }
      };
      for (const event of ['change', 'add', 'unlink', 'addDir', 'unlinkDir'] as const) watcher.on(event, onChange);
    },
  };
}
