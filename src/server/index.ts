// The AMQP 0-9-1 server, transport-agnostic, and its browser adapter. Node-only entry
// points live beside this file and are imported directly: tcp.ts (startServer) and
// cli.ts (npm run broker), so a browser bundle never pulls in node:net.

export { AmqpSession, type SessionOptions, type SessionState, type SessionTransport } from './session.ts';
export { serveMessagePort, PORT_CLOSED, type PortLike, type PortSessionOptions } from './message-port.ts';
export { MemoryGuard, queuedBytes, type MemoryGuardOptions } from './memory-guard.ts';
export { closeFor, type Close } from './close.ts';
export { DEFAULT_USERS, isLoopbackAddress, type Peer, type Users } from './auth.ts';
export { SERVER_CAPABILITIES, TUNE, serverProperties, type ServerIdentity } from './server-properties.ts';
