// content/course.json is the syllabus (every planned lesson, in order); lesson folders are
// the lessons written so far. This keeps the two in step: a written lesson sits at its
// place in the syllabus, under the same title and summary, marked "published".

import type { Course } from '../components/course.ts';
import { LessonError, type LessonProblem } from './errors.ts';
import type { LessonSource } from './folder.ts';

const COURSE = 'content/course.json';

export function checkAgainstCourse(lessons: readonly LessonSource[], course: Course): void {
  const problems: LessonProblem[] = [];
  const written = new Map(lessons.map((l) => [l.frontmatter.id, l]));
  for (const lesson of lessons) {
    const { id, order, title, summary } = lesson.frontmatter;
    const index = course.lessons.findIndex((l) => l.id === id);
    const planned = course.lessons[index];
    if (planned === undefined) {
      problems.push({ file: lesson.file, field: 'id', problem: `"${id}" is not a lesson in ${COURSE}`, fix: `add { "id": "${id}", "title": ..., "summary": ..., "status": "published" } to "lessons" in ${COURSE} at position ${order}, or correct the id.` });
      continue;
    }
    const at = `lessons[${index}]`;
    if (index + 1 !== order) {
      problems.push({ file: lesson.file, field: 'order', problem: `"order" is ${order} but "${id}" is lesson ${index + 1} in ${COURSE}`, fix: `move it in ${COURSE} or renumber the folder and "order" to ${index + 1}.` });
    }
    if (planned.title !== title) {
      problems.push({ file: lesson.file, field: 'title', problem: `"title" is "${title}" but ${COURSE} ${at}.title is "${planned.title}"`, fix: 'make them the same (the home page lists the course.json title).' });
    }
    if (planned.summary !== summary) {
      problems.push({ file: lesson.file, field: 'summary', problem: `"summary" differs from ${COURSE} ${at}.summary`, fix: 'make them the same (the home page lists the course.json summary).' });
    }
    if (planned.status !== 'published') {
      problems.push({ file: COURSE, field: `${at}.status`, problem: `"${id}" is written (${lesson.folder}) but marked "${planned.status}"`, fix: 'set "status": "published" so the home page links it.' });
    }
  }
  course.lessons.forEach((planned, i) => {
    if (planned.status === 'published' && !written.has(planned.id)) {
      problems.push({ file: COURSE, field: `lessons[${i}].status`, problem: `"${planned.id}" is marked "published" but no lessons/NN-${planned.id} folder exists`, fix: 'set "status": "coming-soon", or add the lesson folder.' });
    }
  });
  if (problems.length > 0) throw new LessonError(problems);
}
