// What the server says about itself in connection.start and connection.tune: RabbitMQ's
// capabilities and limits, Warren's name. Values from tests/fixtures/RABBITMQ-BEHAVIOUR.md.

import type { FieldTable } from '../broker/types.ts';

/** RabbitMQ's connection.tune offer. */
export const TUNE = { channelMax: 2047, frameMax: 131072, heartbeat: 60 } as const;

/** Offered in connection.start, in RabbitMQ's order. */
export const MECHANISMS = 'PLAIN AMQPLAIN';
export const LOCALES = 'en_US';

export const WARREN_VERSION = '0.1.0';

/** Exactly RabbitMQ's 0-9-1 capabilities: clients switch features on by these. */
export const SERVER_CAPABILITIES: FieldTable = {
  publisher_confirms: true,
  exchange_exchange_bindings: true,
  'basic.nack': true,
  consumer_cancel_notify: true,
  'connection.blocked': true,
  consumer_priorities: true,
  authentication_failure_close: true,
  per_consumer_qos: true,
  direct_reply_to: true,
};

export interface ServerIdentity {
  product?: string;
  version?: string;
  /** RabbitMQ sends its node name here (rabbit@host); the CLI passes warren@host. */
  clusterName?: string;
  platform?: string;
}

function defaultPlatform(): string {
  const version = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;
  return version === undefined ? 'JavaScript' : `Node.js ${version}`;
}

export function serverProperties(identity: ServerIdentity = {}): FieldTable {
  return {
    capabilities: SERVER_CAPABILITIES,
    cluster_name: identity.clusterName ?? 'warren',
    copyright: 'Warren: a RabbitMQ-compatible broker for learning.',
    information: 'Speaks AMQP 0-9-1 as RabbitMQ does. Licensed for learning; see the course for details.',
    platform: identity.platform ?? defaultPlatform(),
    product: identity.product ?? 'Warren',
    version: identity.version ?? WARREN_VERSION,
  };
}
