// RabbitMQ prints binaries in error texts the way Erlang's ~p does; so do we, so that
// reply texts can be compared side by side.

const isPrintable = (b: number): boolean => b >= 0x20 && b < 0x7f;

/** `<<>>`, `<<"AMQP">>` or `<<1,0,0,0>>`. */
export function erlangBinary(bytes: Uint8Array): string {
  if (bytes.length === 0) return '<<>>';
  if (bytes.every(isPrintable)) {
    let s = '';
    for (const b of bytes) s += b === 0x22 || b === 0x5c ? `\\${String.fromCharCode(b)}` : String.fromCharCode(b);
    return `<<"${s}">>`;
  }
  return `<<${bytes.join(',')}>>`;
}

/** RabbitMQ quotes at most 16 octets of a bad frame: "all octets = ..." or "first 16 octets = ...". */
export function payloadSnippet(payload: Uint8Array): string {
  return payload.length <= 16
    ? `all octets = ${erlangBinary(payload)}`
    : `first 16 octets = ${erlangBinary(payload.subarray(0, 16))}`;
}
