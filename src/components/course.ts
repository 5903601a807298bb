import raw from '../../content/course.json' with { type: 'json' };

/** `coming-soon` lessons are listed but not linked; `published` ones have a page. */
export type LessonStatus = 'coming-soon' | 'published';

export interface CourseLesson {
  /** Folder name under `lessons/` and the page slug: lowercase words joined by `-`. */
  readonly id: string;
  readonly title: string;
  /** One line, shown under the title in the lesson list. */
  readonly summary: string;
  readonly status: LessonStatus;
}

export interface Course {
  readonly title: string;
  readonly tagline: string;
  /** In the order a learner takes them. */
  readonly lessons: readonly CourseLesson[];
}

const FILE = 'content/course.json';
const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const STATUSES: readonly string[] = ['coming-soon', 'published'];

function text(value: unknown, where: string, fix: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Error(`${FILE}: ${where} must be a non-empty string. ${fix}`);
  }
  return value;
}

/** Checks the shape of course.json and names the file, field and fix when it is wrong. */
export function parseCourse(data: unknown): Course {
  const top = (data ?? {}) as Record<string, unknown>;
  const title = text(top['title'], '"title"', 'Give the course a name.');
  const tagline = text(top['tagline'], '"tagline"', 'Add a one-line tagline.');
  if (!Array.isArray(top['lessons'])) {
    throw new Error(`${FILE}: "lessons" must be an array of { id, title, summary, status }.`);
  }
  const seen = new Set<string>();
  const lessons = top['lessons'].map((entry: unknown, i): CourseLesson => {
    const at = `lessons[${i}]`;
    const l = (entry ?? {}) as Record<string, unknown>;
    const id = text(l['id'], `${at}.id`, 'Use the lesson folder name, e.g. "work-queues".');
    if (!ID.test(id)) {
      throw new Error(`${FILE}: ${at}.id "${id}" must be lowercase words joined by "-", e.g. "work-queues".`);
    }
    if (seen.has(id)) throw new Error(`${FILE}: ${at}.id "${id}" is listed twice; ids must be unique.`);
    seen.add(id);
    const status = l['status'] ?? 'coming-soon';
    if (typeof status !== 'string' || !STATUSES.includes(status)) {
      throw new Error(`${FILE}: ${at}.status must be one of ${STATUSES.map((s) => `"${s}"`).join(', ')}.`);
    }
    return {
      id,
      title: text(l['title'], `${at}.title`, 'Add the title shown in the lesson list.'),
      summary: text(l['summary'], `${at}.summary`, 'Add a one-line summary.'),
      status: status as LessonStatus,
    };
  });
  return { title, tagline, lessons };
}

export const course: Course = parseCourse(raw);
