// Heartbeats, as amqplib (and RabbitMQ's rabbit_heartbeat) does them: every half interval
// send a heartbeat frame if nothing else went out; every interval check that something came
// in, and give up after two silent intervals in a row.

export interface HeartbeatHooks {
  /** True if anything was sent since the last call (then forgets it). */
  sentSinceLastCheck(): boolean;
  /** True if anything was received since the last call (then forgets it). */
  receivedSinceLastCheck(): boolean;
  beat(): void;
  timeout(): void;
}

/** Starts heartbeating every `seconds`; returns the function that stops it. */
export function startHeartbeat(seconds: number, hooks: HeartbeatHooks): () => void {
  const ms = seconds * 1000;
  const send = setInterval(() => {
    if (!hooks.sentSinceLastCheck()) hooks.beat();
  }, ms / 2);
  let missed = 0;
  const recv = setInterval(() => {
    if (hooks.receivedSinceLastCheck()) missed = 0;
    else if (++missed >= 2) hooks.timeout();
  }, ms);
  return () => {
    clearInterval(send);
    clearInterval(recv);
  };
}
