// The lessons before and after one lesson, in the syllabus order of content/course.json.
// A neighbour that is not written yet is still named, so the page can say what comes next.

import type { CourseLesson } from '../components/course.ts';

export interface Neighbour {
  id: string;
  title: string;
  /** False for a lesson that is only planned ("coming soon"): name it, do not link it. */
  published: boolean;
}

export function neighbours(syllabus: readonly CourseLesson[], id: string): { prev?: Neighbour; next?: Neighbour } {
  const i = syllabus.findIndex((l) => l.id === id);
  const at = (j: number): Neighbour | undefined => {
    const l = syllabus[j];
    return l === undefined ? undefined : { id: l.id, title: l.title, published: l.status === 'published' };
  };
  if (i < 0) return {};
  const prev = at(i - 1);
  const next = at(i + 1);
  return { ...(prev ? { prev } : {}), ...(next ? { next } : {}) };
}
