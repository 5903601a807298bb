// Field tables: the codec's encoder and decoder, and whole tables on their own, outside
// any frame (tests, the frame inspector, storage).

import type { FieldTable } from '../broker/types.ts';
import { ByteReader } from './byte-reader.ts';
import { ByteWriter } from './byte-writer.ts';
import { readTable } from './field-table-decode.ts';
import { writeTable } from './field-table-encode.ts';

export { readTable } from './field-table-decode.ts';
export { writeTable } from './field-table-encode.ts';
export { MAX_TABLE_DEPTH } from './field-tags.ts';

/** The table with its 4-byte length prefix, as it appears in a method or header. */
export function encodeFieldTable(table: FieldTable): Uint8Array {
  const w = new ByteWriter(256);
  writeTable(w, table, 'table');
  return w.buf.slice(0, w.pos);
}

/** Decodes what `encodeFieldTable` gives; throws FrameError if malformed or followed by extra bytes. */
export function decodeFieldTable(bytes: Uint8Array): FieldTable {
  const r = new ByteReader().reset(bytes);
  const table = readTable(r);
  r.done();
  return table;
}
