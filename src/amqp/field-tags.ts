// RabbitMQ's field-table type tags (not the 0-9-1 spec's: RabbitMQ reads 's' as a signed
// 16-bit integer, and has no short string in tables), and the limits both ways share.

/** Deeper nesting than this is refused both ways (it is also how a cycle shows up). */
export const MAX_TABLE_DEPTH = 64;

export const TWO_31 = 2147483648;
export const TWO_63 = 9223372036854775808;
export const MAX_DATE_SECONDS = 8.64e12; // Date's range is +-8.64e15 ms
export const I64_MIN = -(2n ** 63n);
export const I64_MAX = 2n ** 63n - 1n;
export const U64_MAX = 2n ** 64n - 1n;

export const T = {
  bool: 0x74, // t
  int8: 0x62, // b
  uint8: 0x42, // B
  int16: 0x73, // s
  uint16: 0x75, // u
  int32: 0x49, // I
  uint32: 0x69, // i
  int64: 0x6c, // l
  float: 0x66, // f
  double: 0x64, // d
  decimal: 0x44, // D
  longstr: 0x53, // S
  timestamp: 0x54, // T
  table: 0x46, // F
  array: 0x41, // A
  bytes: 0x78, // x
  void: 0x56, // V
} as const;
