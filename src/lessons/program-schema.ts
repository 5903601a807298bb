// One program of a lesson, as the frontmatter's `programs` lists it.

import { z } from 'astro/zod';

/** A program file the learner edits: a TypeScript file name without folders. */
export const PROGRAM_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*\.ts$/;

export const programSchema = z
  .strictObject({
    name: z
      .string()
      .regex(PROGRAM_NAME, 'must be a file name ending in .ts, like "send.ts"')
      .describe('The program file, e.g. `send.ts`; starter/send.ts and solution/send.ts must both exist.'),
    args: z
      .string()
      .optional()
      .describe('The default command-line arguments as one string, e.g. `args: "First task."`; the program reads them from process.argv.'),
  })
  .describe('A program: its file name (`- send.ts`) or `- { name: new_task.ts, args: "Hello..." }`.');

/** `- send.ts` is short for `- { name: send.ts }`. */
export const programEntry = z.preprocess((value) => (typeof value === 'string' ? { name: value } : value), programSchema);

export type LessonProgram = z.output<typeof programSchema>;
