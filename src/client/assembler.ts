// A message arrives as a method (basic.deliver, basic.return or basic.get-ok), then a
// content header, then body frames until the header's body size is reached; frames of
// one message are never interleaved with others on the same channel.

import { decodeContentHeader } from '../amqp/index.ts';
import type { BasicProperties } from '../broker/types.ts';
import { joinChunks, toContent } from './content.ts';
import { amqplibTable } from './fields.ts';
import type { MessageContent, MessageProperties } from './types.ts';

/** A frame out of order: the channel closes with UNEXPECTED_FRAME (505) and this message. */
export class UnexpectedFrame extends Error {
  override name = 'UnexpectedFrame';
}

export interface Assembled {
  properties: MessageProperties;
  content: MessageContent;
}

/** Every property, undefined when absent, as amqplib hands them over. */
function allProperties(p: BasicProperties): MessageProperties {
  return {
    contentType: p.contentType,
    contentEncoding: p.contentEncoding,
    headers: p.headers === undefined ? undefined : amqplibTable(p.headers),
    deliveryMode: p.deliveryMode,
    priority: p.priority,
    correlationId: p.correlationId,
    replyTo: p.replyTo,
    expiration: p.expiration,
    messageId: p.messageId,
    timestamp: p.timestamp,
    type: p.type,
    userId: p.userId,
    appId: p.appId,
    clusterId: p.clusterId,
  };
}

export class ContentAssembler {
  #done: ((message: Assembled) => void) | undefined;
  #properties: MessageProperties | undefined;
  #chunks: Uint8Array[] = [];
  #size = 0;
  #remaining = 0;

  /** True while a message is part-way in. */
  get busy(): boolean {
    return this.#done !== undefined;
  }

  /** A method announced content; `done` gets the whole message. */
  begin(done: (message: Assembled) => void): void {
    if (this.#done !== undefined) throw new UnexpectedFrame('Expected headers frame after delivery');
    this.#done = done;
  }

  header(payload: Uint8Array): void {
    if (this.#done === undefined || this.#properties !== undefined) {
      throw new UnexpectedFrame('Expected BasicDeliver or BasicReturn; got <Content header>');
    }
    const header = decodeContentHeader(payload);
    this.#properties = allProperties(header.properties);
    this.#size = this.#remaining = header.bodySize;
    if (this.#size === 0) this.#finish();
  }

  body(payload: Uint8Array): void {
    if (this.#properties === undefined) throw new UnexpectedFrame('Expected content frame after headers');
    this.#remaining -= payload.length;
    if (this.#remaining < 0) throw new UnexpectedFrame(`Too much content sent! Expected ${this.#size} bytes`);
    this.#chunks.push(payload);
    if (this.#remaining === 0) this.#finish();
  }

  #finish(): void {
    const done = this.#done!;
    const message = { properties: this.#properties!, content: toContent(joinChunks(this.#chunks, this.#size)) };
    this.#done = undefined;
    this.#properties = undefined;
    this.#chunks = [];
    done(message);
  }
}
