import { Typed, type FieldValue } from './types.ts';

/**
 * RabbitMQ names field-table types in its error texts ("the value '5' of type 'signedint'").
 * A plain JS value gets the type pika would send it as; a Typed value keeps its own.
 */
const rabbitTypeNames: Record<string, string> = {
  bool: 'bool', int8: 'byte', uint8: 'unsignedbyte', int16: 'short', uint16: 'unsignedshort',
  int32: 'signedint', uint32: 'unsignedint', int64: 'long', float: 'float', double: 'double',
  decimal: 'decimal', shortstr: 'shortstr', longstr: 'longstr', timestamp: 'timestamp',
  table: 'table', array: 'array', bytes: 'binary', void: 'void',
};

export function rabbitTypeOf(value: FieldValue): string {
  if (value instanceof Typed) return rabbitTypeNames[value.type] ?? value.type;
  switch (typeof value) {
    case 'string': return 'longstr';
    case 'boolean': return 'bool';
    case 'bigint': return 'long';
    case 'number':
      if (!Number.isInteger(value)) return 'double';
      return value >= -0x8000_0000 && value < 0x8000_0000 ? 'signedint' : 'long';
    default:
      if (value === null) return 'void';
      if (value instanceof Uint8Array) return 'binary';
      if (value instanceof Date) return 'timestamp';
      return Array.isArray(value) ? 'array' : 'table';
  }
}

/** The JS value inside a field value (a Typed wrapper unwrapped). */
export function plain(value: FieldValue | undefined): FieldValue | undefined {
  return value instanceof Typed ? (value.value as FieldValue) : value;
}

export const isIntegerType = (type: string): boolean =>
  ['byte', 'unsignedbyte', 'short', 'unsignedshort', 'signedint', 'unsignedint', 'long'].includes(type);

/** How Erlang's ~p prints a value inside RabbitMQ's texts: binaries as <<"x">>. */
export function erlangTerm(value: FieldValue | undefined): string {
  const v = plain(value);
  if (typeof v === 'string') return `<<"${v}">>`;
  if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

/** How RabbitMQ prints a value in "received 'x' but current is 'y'". */
export function formatValue(value: FieldValue | undefined): string {
  const v = plain(value);
  if (v === undefined) return 'none';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}
