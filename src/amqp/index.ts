// The AMQP 0-9-1 codec: frames, methods, content headers and field tables.

export * from './constants.ts';
export { CodecError, EncodeError, FrameError, ProtocolError, ProtocolHeaderError, UnknownMethodError } from './errors.ts';
export { FrameParser, type BodyFrame, type Frame, type FrameParserOptions, type HeaderFrame, type HeartbeatFrame, type MethodFrame } from './frame-parser.ts';
export { checkProtocolHeader, protocolHeaderBytes, type ProtocolHeader } from './protocol-header.ts';
export { decodeMethod } from './methods.ts';
export { FrameWriter, encodeContent, encodeHeartbeat, encodeMethodFrame } from './writer.ts';
export { decodeContentHeader, decodeProperties, encodeProperties, rawProperties, PROPERTIES_OFFSET, type ContentHeader } from './content-header.ts';
export { decodeFieldTable, encodeFieldTable, MAX_TABLE_DEPTH } from './field-table.ts';
export { CLASS_NAMES, METHODS, methodInfo, type FieldInfo, type MethodInfo, type WireType } from './generated/method-info.ts';
export { BASIC_PROPERTIES, type PropertyInfo } from './generated/properties.ts';
export type * from './generated/method-types.ts';
