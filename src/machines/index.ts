export * from './compile.ts';
export * from './shared.ts';
export * from './connection.ts';
export * from './channel.ts';
export * from './consumer.ts';
export * from './message.ts';
