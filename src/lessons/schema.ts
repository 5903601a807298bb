// The frontmatter of a lesson's lesson.md. Every field is described: the descriptions are
// the instructor's documentation, and errors.ts quotes them as the fix.

import { z } from 'astro/zod';
import { programEntry } from './program-schema.ts';

/** Lowercase words joined by "-": a lesson id, also the page's address. */
export const LESSON_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const lessonFrontmatterSchema = z
  .strictObject({
    id: z
      .string()
      .regex(LESSON_ID, 'must be lowercase words joined by "-"')
      .describe('The lesson id, e.g. `id: hello-world`: lowercase words joined by "-". It is the page address (/lessons/hello-world/), the folder name after its number (01-hello-world) and an id in content/course.json.'),
    title: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(80, 'must be at most 80 characters')
      .describe('The title, the same as content/course.json gives, e.g. `title: "Hello World: your first queue"`.'),
    summary: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(200, 'must be at most 200 characters')
      .describe('One sentence on what the learner will do, the same as content/course.json gives; also the page description.'),
    order: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be 1 or more')
      .describe('The position in the course counted from 1, e.g. `order: 2`: the number the folder starts with (02-work-queues) and the place in content/course.json.'),
    programs: z
      .array(programEntry)
      .min(1, 'must list at least one program')
      .describe('The list of programs the learner edits, in the order of the editor tabs, e.g. `programs: [send.ts, receive.ts]`.'),
    objectives: z
      .array(z.string().trim().min(1, 'must not be empty').describe('One objective, as a short sentence.'))
      .min(1, 'must list at least one objective')
      .describe('A list of what the learner can do after the lesson, one short sentence each, e.g. `objectives: ["Send a message to a named queue"]`.'),
    minutes: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be 1 or more')
      .max(120, 'must be at most 120')
      .optional()
      .describe('About how many minutes the lesson takes, e.g. `minutes: 15`; shown under the title.'),
  })
  .describe('The frontmatter of lesson.md, between the two `---` lines.');

export type LessonFrontmatter = z.output<typeof lessonFrontmatterSchema>;
