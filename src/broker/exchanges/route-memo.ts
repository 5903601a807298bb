/** Routes a memo reviews its hit rate over. */
const WINDOW = 1024;
/** Routes a memo sits out after a poor window, before it probes again. */
const REST = 16 * WINDOW;
/** Keys remembered at most; past that the memo starts over. */
const CAPACITY = 4096;

/**
 * Remembers which bindings recent routing keys matched, for an exchange whose matching
 * costs more than a map lookup (topic). Routing keys usually repeat (log levels, event
 * names), and then a route is one lookup whatever the number of bindings. When they do
 * not (an id in every key), remembering only costs, so the memo watches its hit rate: after
 * a window with fewer than half hits it rests (routes are matched as usual) and then
 * probes again. Whoever owns it must `clear` it on every bind and unbind.
 */
export class RouteMemo<B> {
  private readonly entries = new Map<string, B[]>();
  private lookups = 0;
  private hits = 0;
  private resting = 0;

  /** The bindings the key matched when last routed, if remembered (and not resting). */
  get(key: string): B[] | undefined {
    if (this.resting > 0) {
      this.resting--;
      return undefined;
    }
    const found = this.entries.get(key);
    if (found !== undefined) this.hits++;
    if (++this.lookups === WINDOW) this.review();
    return found;
  }

  /** False while resting: the caller should match without remembering. */
  get active(): boolean {
    return this.resting === 0;
  }

  remember(key: string, bindings: B[]): void {
    if (this.entries.size >= CAPACITY) this.entries.clear();
    this.entries.set(key, bindings);
  }

  /** The bindings changed: nothing remembered holds any more. */
  clear(): void {
    this.entries.clear();
  }

  private review(): void {
    // What was remembered stays valid while resting, so a workload that repeats keys
    // after a cold first window hits at once when the memo probes again.
    if (this.hits * 2 < this.lookups) this.resting = REST;
    this.hits = 0;
    this.lookups = 0;
  }
}
