// Values the core shares with the codec, the server and the client.

/**
 * A field-table value. Plain JS values map to AMQP types the way amqplib and pika do
 * (string -> longstr, integer -> signed 32 or 64 bit, other number -> double, boolean,
 * Uint8Array -> byte array, array -> field array, object -> nested table, Date -> timestamp,
 * null -> void). `Typed` forces a wire type where it matters (RabbitMQ writes x-death
 * `count` as a long, for instance).
 */
export type FieldValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | Uint8Array
  | Date
  | Typed
  | FieldValue[]
  | FieldTable;

export interface FieldTable {
  [key: string]: FieldValue;
}

export type FieldType =
  | 'bool' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64'
  | 'float' | 'double' | 'decimal' | 'shortstr' | 'longstr' | 'timestamp' | 'table'
  | 'array' | 'bytes' | 'void';

/** A value with an explicit wire type. `decimal` values are `{ scale, value }`. */
export class Typed {
  readonly type: FieldType;
  readonly value: unknown;

  constructor(type: FieldType, value: unknown) {
    this.type = type;
    this.value = value;
  }
}

/** basic.* content-header properties, camelCased as amqplib names them. */
export interface BasicProperties {
  contentType?: string;
  contentEncoding?: string;
  headers?: FieldTable;
  deliveryMode?: number;
  priority?: number;
  correlationId?: string;
  replyTo?: string;
  expiration?: string;
  messageId?: string;
  /** Seconds since the epoch, as on the wire. */
  timestamp?: number;
  type?: string;
  userId?: string;
  appId?: string;
  clusterId?: string;
}
