// What `import amqp from 'amqplib'` gives learner code (the default export of index.ts).

export { connect } from './connect.ts';
export { credentials } from './handshake.ts';
export { IllegalOperationError } from './errors.ts';
export { setTransportFactory } from './transport.ts';
