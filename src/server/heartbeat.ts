// rabbit_heartbeat, over the injected clock: every half interval send a heartbeat frame
// if nothing else went out, and give up on a peer that sent nothing for two intervals.
// While the connection is blocked (not read) silence does not count, as in RabbitMQ.

import type { Clock } from '../broker/clock.ts';

export interface HeartbeatPeer {
  /** Bytes went out since the last tick. */
  sentSinceTick: boolean;
  /** Clock time of the last bytes in. */
  lastReceivedAt: number;
  /** Reading is paused (connection blocked): the peer cannot be heard. */
  readonly readingPaused: boolean;
  sendHeartbeat(): void;
  heartbeatTimeout(): void;
}

export class Heartbeat {
  readonly #clock: Clock;
  readonly #peer: HeartbeatPeer;
  readonly #tickMs: number;
  readonly #timeoutMs: number;
  #timer: unknown = null;

  /** `seconds` is the negotiated heartbeat (non-zero). */
  constructor(clock: Clock, peer: HeartbeatPeer, seconds: number) {
    this.#clock = clock;
    this.#peer = peer;
    this.#tickMs = (seconds * 1000) / 2;
    this.#timeoutMs = seconds * 2000;
    peer.lastReceivedAt = clock.now();
    this.#arm();
  }

  stop(): void {
    if (this.#timer !== null) this.#clock.clearTimer(this.#timer);
    this.#timer = null;
  }

  #arm(): void {
    this.#timer = this.#clock.setTimer(this.#tick, this.#tickMs);
  }

  readonly #tick = (): void => {
    this.#timer = null;
    const peer = this.#peer;
    const now = this.#clock.now();
    if (peer.readingPaused) peer.lastReceivedAt = now;
    else if (now - peer.lastReceivedAt >= this.#timeoutMs) {
      peer.heartbeatTimeout();
      return;
    }
    if (!peer.sentSinceTick) peer.sendHeartbeat();
    peer.sentSinceTick = false;
    this.#arm();
  };
}
