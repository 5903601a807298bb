// The playground's contract with the page: Playground.astro's props, serialised as JSON
// into the page for mount.ts. Lesson pages build these from a lesson folder.

/** One program the learner can edit and run, e.g. send.ts. */
export interface PlaygroundProgram {
  /** The file name shown on its tab; its extension picks TypeScript (.ts) or JavaScript (.js). */
  name: string;
  /** The code the learner starts from (and gets back with Reset code). */
  starter: string;
  /** A reference solution, shown read-only on request. */
  solution?: string;
  /** What the Run box holds at first: the command-line arguments, e.g. "First message." */
  args?: string;
}

export interface PlaygroundProps {
  /** Unique on the page, stable across visits: code is saved under it, e.g. "hello-world". */
  id: string;
  programs: PlaygroundProgram[];
  /** The editor's height, a CSS length; default "22rem". */
  height?: string;
  /**
   * The id of the lesson whose checks.ts grades this playground, e.g. "hello-world": adds
   * "Check my work". The checks load only when the learner presses it.
   */
  checks?: string;
}

export const DEFAULT_HEIGHT = '22rem';
