import type { Binding, BindingTarget, ExchangeRouter } from './exchange.ts';
import { BindingSet, removeItem } from './fanout.ts';
import { RouteMemo } from './route-memo.ts';

// A trie over the dot-separated words of the binding keys, walked the way RabbitMQ's
// rabbit_db_topic_exchange does: at each word try the literal child, then `*` (exactly one
// word), then `#` (zero or more words). Splitting follows RabbitMQ too: "" has no words,
// "a..b" has three ("a", "", "b"), and only a whole word "*" or "#" is a wildcard.
//
// Matching allocates nothing: it scans the routing key in place, recording where each word
// starts and a hash of it in reused typed arrays, and finds literal children through
// per-node open-addressed tables keyed by that hash, so no substring is ever made. On top,
// a RouteMemo remembers what recent routing keys matched, while keys keep repeating.

const DOT = 46;
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** Spreads FNV's weak low bits, which pick the slot (murmur3's finaliser). */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Must equal what `scan` computes for the same characters. */
function hashWord(word: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), FNV_PRIME);
  return mix(h);
}

const splitKey = (key: string): string[] => (key === '' ? [] : key.split('.'));

class TopicNode<T extends BindingTarget> {
  /** Literal children, linear probing, power-of-two length; null while there are none. */
  slots: (TopicNode<T> | undefined)[] | null = null;
  literalCount = 0;
  star: TopicNode<T> | null = null;
  hash: TopicNode<T> | null = null;
  /** Bindings whose key ends here. */
  readonly bindings: Binding<T>[] = [];
  /**
   * For a `#` node: during route number `loopEpoch`, the positions loopFrom..n have been
   * walked already. Walking a node at a position always does the same, so this makes
   * "#.#.#" patterns cost O(words) per node instead of growing combinatorially.
   */
  loopEpoch = 0;
  loopFrom = 0;

  readonly word: string;
  readonly wordHash: number;
  readonly parent: TopicNode<T> | null;

  constructor(word: string, wordHash: number, parent: TopicNode<T> | null) {
    this.word = word;
    this.wordHash = wordHash;
    this.parent = parent;
  }

  get isEmpty(): boolean {
    return this.bindings.length === 0 && this.literalCount === 0 && this.star === null && this.hash === null;
  }

  findLiteral(word: string, h: number): TopicNode<T> | undefined {
    const slots = this.slots;
    if (slots === null) return undefined;
    const mask = slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const c = slots[i];
      if (c === undefined || (c.wordHash === h && c.word === word)) return c;
    }
  }

  addLiteral(child: TopicNode<T>): void {
    // Keep the load at most 1/2 so probe runs stay short.
    if (this.slots === null || (this.literalCount + 1) * 2 > this.slots.length) {
      const old = this.slots ?? [];
      this.slots = new Array<TopicNode<T> | undefined>(Math.max(4, old.length * 2)).fill(undefined);
      for (const c of old) if (c !== undefined) this.place(c);
    }
    this.place(child);
    this.literalCount++;
  }

  private place(child: TopicNode<T>): void {
    const slots = this.slots!;
    const mask = slots.length - 1;
    let i = child.wordHash & mask;
    while (slots[i] !== undefined) i = (i + 1) & mask;
    slots[i] = child;
  }

  removeLiteral(child: TopicNode<T>): void {
    const slots = this.slots!;
    const mask = slots.length - 1;
    let i = child.wordHash & mask;
    while (slots[i] !== child) {
      if (slots[i] === undefined) return;
      i = (i + 1) & mask;
    }
    if (--this.literalCount === 0) {
      this.slots = null;
      return;
    }
    // Backward-shift deletion: pull later members of the probe run into the hole unless
    // their home slot lies cyclically in (hole, j], so every lookup still finds them.
    slots[i] = undefined;
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const c = slots[j];
      if (c === undefined) return;
      const home = c.wordHash & mask;
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (stays) continue;
      slots[i] = c;
      slots[j] = undefined;
      i = j;
    }
  }
}

export class TopicRouter<T extends BindingTarget = BindingTarget> implements ExchangeRouter<T> {
  readonly type = 'topic';
  private readonly set = new BindingSet<T>();
  private readonly root = new TopicNode<T>('', 0, null);

  // Scratch state of the route in progress (route is synchronous and not re-entrant).
  private key = '';
  /** Word count of `key`; word i is key[starts[i], starts[i+1] - 1). */
  private n = 0;
  private starts = new Int32Array(32);
  private hashes = new Int32Array(32);
  private epoch = 0;
  private readonly memo = new RouteMemo<Binding<T>>();

  get bindingCount(): number {
    return this.set.size;
  }

  bind(binding: Binding<T>): boolean {
    if (!this.set.add(binding)) return false;
    this.memo.clear();
    let node = this.root;
    for (const word of splitKey(binding.routingKey)) {
      if (word === '*') node = node.star ??= new TopicNode(word, 0, node);
      else if (word === '#') node = node.hash ??= new TopicNode(word, 0, node);
      else {
        const h = hashWord(word);
        let child = node.findLiteral(word, h);
        if (child === undefined) node.addLiteral((child = new TopicNode(word, h, node)));
        node = child;
      }
    }
    node.bindings.push(binding);
    return true;
  }

  unbind(binding: Binding<T>): boolean {
    const stored = this.set.remove(binding);
    if (!stored) return false;
    this.memo.clear();
    let node: TopicNode<T> | null | undefined = this.root;
    for (const word of splitKey(stored.routingKey)) {
      if (!node) break;
      node = word === '*' ? node.star : word === '#' ? node.hash : node.findLiteral(word, hashWord(word));
    }
    if (!node) return true; // unreachable while the trie and the set agree
    removeItem(node.bindings, stored);
    // Prune the path that no longer leads to any binding.
    while (node.parent !== null && node.isEmpty) {
      const parent: TopicNode<T> = node.parent;
      if (parent.star === node) parent.star = null;
      else if (parent.hash === node) parent.hash = null;
      else parent.removeLiteral(node);
      node = parent;
    }
    return true;
  }

  unbindDestination(destination: T): Binding<T>[] {
    const removed = this.set.ofDestination(destination);
    for (const b of removed) this.unbind(b);
    return removed;
  }

  route(routingKey: string, _headers: unknown, out: Binding<T>[]): void {
    if (this.set.size === 0) return;
    const memo = this.memo;
    let matched = memo.get(routingKey);
    if (matched === undefined) {
      if (!memo.active) {
        this.match(routingKey, out);
        return;
      }
      matched = [];
      this.match(routingKey, matched);
      memo.remember(routingKey, matched);
    }
    for (let i = 0; i < matched.length; i++) out.push(matched[i]!);
  }

  private match(routingKey: string, out: Binding<T>[]): void {
    this.scan(routingKey);
    this.epoch++;
    this.walk(this.root, 0, out);
  }

  bindings(): Iterable<Binding<T>> {
    return this.set.values();
  }

  /** Records word starts and hashes of `key` (no words for ""). */
  private scan(key: string): void {
    this.key = key;
    const len = key.length;
    if (len === 0) {
      this.n = 0;
      return;
    }
    let n = 0;
    let start = 0;
    let h = FNV_OFFSET;
    for (let i = 0; i <= len; i++) {
      const c = i < len ? key.charCodeAt(i) : DOT;
      if (c !== DOT) {
        h = Math.imul(h ^ c, FNV_PRIME);
        continue;
      }
      if (n + 2 > this.starts.length) this.grow();
      this.starts[n] = start;
      this.hashes[n] = mix(h);
      n++;
      start = i + 1;
      h = FNV_OFFSET;
    }
    this.starts[n] = len + 1; // sentinel: the end of the last word is starts[n] - 1
    this.n = n;
  }

  private grow(): void {
    const starts = new Int32Array(this.starts.length * 2);
    starts.set(this.starts);
    this.starts = starts;
    const hashes = new Int32Array(this.hashes.length * 2);
    hashes.set(this.hashes);
    this.hashes = hashes;
  }

  /** Walks `node` with words i.. of the key still to match. */
  private walk(node: TopicNode<T>, i: number, out: Binding<T>[]): void {
    if (i === this.n) {
      const bindings = node.bindings;
      for (let b = 0; b < bindings.length; b++) out.push(bindings[b]!);
      if (node.hash !== null) this.walkHash(node.hash, i, out);
      return;
    }
    const slots = node.slots;
    if (slots !== null) {
      const h = this.hashes[i]!;
      const mask = slots.length - 1;
      for (let s = h & mask; ; s = (s + 1) & mask) {
        const c = slots[s];
        if (c === undefined) break;
        if (c.wordHash === h && this.wordIs(c.word, i)) {
          this.walk(c, i + 1, out);
          break;
        }
      }
    }
    if (node.star !== null) this.walk(node.star, i + 1, out);
    if (node.hash !== null) this.walkHash(node.hash, i, out);
  }

  /** `#` takes words i..j-1 for every j from i to n, each position walked once per route. */
  private walkHash(node: TopicNode<T>, i: number, out: Binding<T>[]): void {
    let last = this.n;
    if (node.loopEpoch === this.epoch) {
      if (i >= node.loopFrom) return;
      last = node.loopFrom - 1;
    } else if (node.literalCount === 0 && node.star === null && node.hash === null) {
      // A trailing `#` ("lazy.#"): only the walk at n can match, so skip the others.
      node.loopEpoch = this.epoch;
      node.loopFrom = 0;
      this.walk(node, this.n, out);
      return;
    }
    node.loopEpoch = this.epoch;
    node.loopFrom = i;
    for (let j = i; j <= last; j++) this.walk(node, j, out);
  }

  private wordIs(word: string, i: number): boolean {
    const start = this.starts[i]!;
    if (this.starts[i + 1]! - 1 - start !== word.length) return false;
    const key = this.key;
    for (let k = 0; k < word.length; k++) if (key.charCodeAt(start + k) !== word.charCodeAt(k)) return false;
    return true;
  }
}
