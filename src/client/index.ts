// The amqplib-compatible client, for any platform: `connect()` reaches a broker through
// the transport factory set with `setTransportFactory()` (Node: use ./node.ts for TCP).

export * from './api.ts';
export * as default from './api.ts';
export { Channel, ConfirmChannel } from './channel.ts';
export { ChannelModel } from './channel-model.ts';
export { Connection } from './connection.ts';
export { getTransportFactory, type ByteTransport, type TransportFactory, type TransportTarget } from './transport.ts';
export { transportPair } from './memory.ts';
export { messagePortTransport } from './message-port.ts';
export type { ConfirmCallback } from './confirms.ts';
export type { ServerError } from './errors.ts';
export type * from './types.ts';
