// The client for Node: the same API as index.ts, with TCP as connect()'s transport.

import './register-tcp.ts';

export * from './index.ts';
export { default } from './index.ts';
export { socketTransport, tcpTransportFactory } from './tcp.ts';
