// Content collections. `lessons` is every folder under lessons/ (see src/lessons/loader.ts).

import { defineCollection } from 'astro:content';
import { lessonEntrySchema } from './lessons/entry-schema.ts';
import { lessonLoader } from './lessons/loader.ts';

export const collections = {
  lessons: defineCollection({ loader: lessonLoader(), schema: lessonEntrySchema }),
};
