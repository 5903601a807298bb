// What the lessons collection stores per lesson (the loader fills it; pages read it):
// the frontmatter, the program files' text, and the body as rendered HTML parts with the
// playground blocks between them.

import { z } from 'astro/zod';
import { programSchema } from './program-schema.ts';
import { lessonFrontmatterSchema } from './schema.ts';

export const lessonEntrySchema = lessonFrontmatterSchema
  .extend({
    programs: z.array(programSchema).describe('The programs, in tab order, after the `- send.ts` shorthand is expanded.'),
    folder: z.string().describe('The folder under lessons/, e.g. "01-hello-world".'),
    files: z
      .array(
        z.object({
          name: z.string().describe('The program file name.'),
          args: z.string().optional().describe('Default arguments.'),
          starter: z.string().describe('The text of starter/<name>.'),
          solution: z.string().describe('The text of solution/<name>.'),
        }),
      )
      .describe('Every program with its starter and solution text, in tab order.'),
    parts: z
      .array(
        z.discriminatedUnion('kind', [
          z.object({ kind: z.literal('html'), html: z.string().describe('Rendered prose.') }),
          z.object({
            kind: z.literal('playground'),
            programs: z.array(z.string()).describe('The programs this playground shows, in tab order.'),
            height: z.string().optional().describe('A CSS length for the editor.'),
          }),
        ]),
      )
      .describe('The body in order: prose as HTML and the playground blocks between.'),
    headings: z
      .array(z.object({ depth: z.number(), slug: z.string(), text: z.string() }).describe('One heading of the prose.'))
      .describe('The headings of the prose, in order.'),
  })
  .describe('A lesson as the site stores it.');

export type LessonEntryData = z.output<typeof lessonEntrySchema>;
