// The channel API learners call, with amqplib's names, arguments, defaults and replies
// (lib/channel_model.js). Each method is one line of plain words in the editor's hover.

import type { FieldTable } from '../broker/types.ts';
import * as Args from './args.ts';
import { ChannelBase } from './channel-base.ts';
import type { ConfirmCallback } from './confirms.ts';
import { toBody } from './content.ts';
import type { ConsumeMessage, GetMessage, GetMessageFields, Message, Options, PublishContent, Replies } from './types.ts';

export class Channel extends ChannelBase {
  /** Declares a queue, creating it if it does not exist; pass '' (or nothing) to get a server-named queue. */
  assertQueue(queue?: string, options?: Options.AssertQueue): Promise<Replies.AssertQueue> {
    return this.rpc({ name: 'queue.declare', args: Args.assertQueue(queue, options) }, ['queue.declare-ok']) as Promise<Replies.AssertQueue>;
  }

  /** Checks that a queue exists; if it does not, the channel closes with a 404 error. */
  checkQueue(queue: string): Promise<Replies.AssertQueue> {
    return this.rpc({ name: 'queue.declare', args: Args.checkQueue(queue) }, ['queue.declare-ok']) as Promise<Replies.AssertQueue>;
  }

  /** Deletes a queue and the messages in it. */
  deleteQueue(queue: string, options?: Options.DeleteQueue): Promise<Replies.DeleteQueue> {
    return this.rpc({ name: 'queue.delete', args: Args.deleteQueue(queue, options) }, ['queue.delete-ok']) as Promise<Replies.DeleteQueue>;
  }

  /** Removes every ready message from a queue (unacknowledged ones stay). */
  purgeQueue(queue: string): Promise<Replies.PurgeQueue> {
    return this.rpc({ name: 'queue.purge', args: { queue } }, ['queue.purge-ok']) as Promise<Replies.PurgeQueue>;
  }

  /** Routes messages from an exchange to a queue when their routing key matches `pattern`. */
  bindQueue(queue: string, source: string, pattern: string, args?: FieldTable): Promise<Replies.Empty> {
    return this.rpc({ name: 'queue.bind', args: Args.bindQueue(queue, source, pattern, args) }, ['queue.bind-ok']) as Promise<Replies.Empty>;
  }

  /** Removes a binding made with bindQueue. */
  unbindQueue(queue: string, source: string, pattern: string, args?: FieldTable): Promise<Replies.Empty> {
    return this.rpc({ name: 'queue.unbind', args: Args.bindQueue(queue, source, pattern, args) }, ['queue.unbind-ok']) as Promise<Replies.Empty>;
  }

  /** Declares an exchange ('direct', 'fanout', 'topic' or 'headers'), creating it if it does not exist. */
  async assertExchange(exchange: string, type: 'direct' | 'fanout' | 'topic' | 'headers' | (string & {}), options?: Options.AssertExchange): Promise<Replies.AssertExchange> {
    await this.rpc({ name: 'exchange.declare', args: Args.assertExchange(exchange, type, options) }, ['exchange.declare-ok']);
    return { exchange };
  }

  /** Checks that an exchange exists; if it does not, the channel closes with a 404 error. */
  checkExchange(exchange: string): Promise<Replies.Empty> {
    return this.rpc({ name: 'exchange.declare', args: Args.checkExchange(exchange) }, ['exchange.declare-ok']) as Promise<Replies.Empty>;
  }

  /** Deletes an exchange (its bindings go with it). */
  deleteExchange(exchange: string, options?: Options.DeleteExchange): Promise<Replies.Empty> {
    return this.rpc({ name: 'exchange.delete', args: { exchange, ifUnused: !!options?.ifUnused } }, ['exchange.delete-ok']) as Promise<Replies.Empty>;
  }

  /** Routes messages from the `source` exchange to the `destination` exchange when their routing key matches `pattern`. */
  bindExchange(destination: string, source: string, pattern: string, args?: FieldTable): Promise<Replies.Empty> {
    return this.rpc({ name: 'exchange.bind', args: Args.bindExchange(destination, source, pattern, args) }, ['exchange.bind-ok']) as Promise<Replies.Empty>;
  }

  /** Removes a binding made with bindExchange. */
  unbindExchange(destination: string, source: string, pattern: string, args?: FieldTable): Promise<Replies.Empty> {
    return this.rpc({ name: 'exchange.unbind', args: Args.bindExchange(destination, source, pattern, args) }, ['exchange.unbind-ok']) as Promise<Replies.Empty>;
  }

  /** Publishes a message to an exchange with a routing key; returns false when you should wait for 'drain' before publishing more. */
  publish(exchange: string, routingKey: string, content: PublishContent, options?: Options.Publish): boolean {
    const { method, properties } = Args.publish(exchange, routingKey, options);
    return this.sendMessage({ name: 'basic.publish', args: method }, properties, toBody(content));
  }

  /** Sends a message straight to a queue (through the default exchange); returns false when you should wait for 'drain'. */
  sendToQueue(queue: string, content: PublishContent, options?: Options.Publish): boolean {
    return this.publish('', queue, content, options);
  }

  /** Starts a consumer: `onMessage` is called with each message from the queue, and with null if the server cancels the consumer. */
  consume(queue: string, onMessage: (msg: ConsumeMessage | null) => void, options?: Options.Consume): Promise<Replies.Consume> {
    return new Promise((resolve, reject) => {
      this.call({ name: 'basic.consume', args: Args.consume(queue, options) }, ['basic.consume-ok'], (err, reply) => {
        if (err !== null) return reject(err);
        const { consumerTag } = reply!.args as Replies.Consume;
        // Registered as the reply is read, so no delivery can arrive before its consumer.
        this.consumers.set(consumerTag, onMessage);
        resolve({ consumerTag });
      });
    });
  }

  /** Stops a consumer; messages already delivered to it still need acknowledging. */
  cancel(consumerTag: string): Promise<Replies.Cancel> {
    return new Promise((resolve, reject) => {
      this.call({ name: 'basic.cancel', args: { consumerTag } }, ['basic.cancel-ok'], (err, reply) => {
        if (err !== null) return reject(err);
        this.consumers.delete(consumerTag);
        resolve(reply!.args as Replies.Cancel);
      });
    });
  }

  /** Fetches one message from a queue, or false if it is empty. */
  get(queue: string, options?: Options.Get): Promise<GetMessage | false> {
    return new Promise((resolve, reject) => {
      this.call({ name: 'basic.get', args: { queue, noAck: !!options?.noAck } }, ['basic.get-ok', 'basic.get-empty'], (err, reply) => {
        if (err !== null) return reject(err);
        if (reply!.name === 'basic.get-empty') return resolve(false);
        const fields = reply!.args as GetMessageFields;
        this.expectContent((m) => resolve({ fields: { ...fields }, ...m }));
      });
    });
  }

  /** Acknowledges a message: the server can forget it. With allUpTo, also every earlier unacknowledged message. */
  ack(message: Message, allUpTo?: boolean): void {
    this.sendImmediately({ name: 'basic.ack', args: { deliveryTag: message.fields.deliveryTag, multiple: !!allUpTo } });
  }

  /** Acknowledges every message delivered on this channel so far. */
  ackAll(): void {
    this.sendImmediately({ name: 'basic.ack', args: { deliveryTag: 0, multiple: true } });
  }

  /** Rejects a message: requeued (the default) or, with requeue false, dropped or dead-lettered. With allUpTo, also every earlier one. */
  nack(message: Message, allUpTo?: boolean, requeue?: boolean): void {
    this.sendImmediately({ name: 'basic.nack', args: Args.nack(message.fields.deliveryTag, allUpTo, requeue) });
  }

  /** Rejects every message delivered on this channel so far (requeued unless requeue is false). */
  nackAll(requeue?: boolean): void {
    this.sendImmediately({ name: 'basic.nack', args: Args.nack(0, true, requeue) });
  }

  /** Rejects one message: requeued (the default) or, with requeue false, dropped or dead-lettered. */
  reject(message: Message, requeue?: boolean): void {
    this.sendImmediately({ name: 'basic.reject', args: { deliveryTag: message.fields.deliveryTag, requeue: requeue ?? true } });
  }

  /** Limits how many unacknowledged messages each consumer (or, with global, the whole channel) may hold at once. */
  prefetch(count: number, global?: boolean): Promise<Replies.Empty> {
    return this.rpc({ name: 'basic.qos', args: Args.prefetch(count, global) }, ['basic.qos-ok']) as Promise<Replies.Empty>;
  }

  /** Same as prefetch. */
  qos(count: number, global?: boolean): Promise<Replies.Empty> {
    return this.prefetch(count, global);
  }

  /** Asks the server to redeliver every unacknowledged message on this channel. */
  recover(): Promise<Replies.Empty> {
    return this.rpc({ name: 'basic.recover', args: { requeue: true } }, ['basic.recover-ok']) as Promise<Replies.Empty>;
  }

  /** Closes the channel; unacknowledged messages go back to their queues. */
  close(): Promise<void> {
    return this.closeChannel();
  }
}

/** A channel in confirm mode: the server confirms every message you publish. */
export class ConfirmChannel extends Channel {
  /** Publishes a message; `callback(err)` runs once the server confirms it (err null) or refuses it. */
  override publish(exchange: string, routingKey: string, content: PublishContent, options?: Options.Publish, callback?: ConfirmCallback): boolean {
    const written = super.publish(exchange, routingKey, content, options);
    this.confirms.push(callback);
    return written;
  }

  /** Sends a message straight to a queue; `callback(err)` runs once the server confirms it (err null) or refuses it. */
  override sendToQueue(queue: string, content: PublishContent, options?: Options.Publish, callback?: ConfirmCallback): boolean {
    return this.publish('', queue, content, options, callback);
  }

  /** Resolves once the server has confirmed every message published so far; rejects if one was refused. */
  waitForConfirms(): Promise<void> {
    return this.confirms.wait();
  }

  /** @internal Opens the channel and turns confirms on. */
  override async open(): Promise<void> {
    await super.open();
    await this.rpc({ name: 'confirm.select' }, ['confirm.select-ok']);
  }
}
