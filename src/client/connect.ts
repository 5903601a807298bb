// connect(): parse the URL, open a transport with the chosen factory, run the handshake.

import { ChannelModel } from './channel-model.ts';
import { Connection } from './connection.ts';
import { credentials } from './handshake.ts';
import { getTransportFactory, type ByteTransport } from './transport.ts';
import type { Options, SocketOptions } from './types.ts';
import { parseConnectTarget } from './url.ts';

/**
 * Connects to a broker, e.g. `await amqp.connect('amqp://localhost')`; the URL may carry a
 * user, password, vhost and `?heartbeat=` / `?frameMax=` / `?channelMax=`.
 */
export async function connect(url?: string | Options.Connect, socketOptions: SocketOptions = {}): Promise<ChannelModel> {
  const params = parseConnectTarget(url);
  const factory = getTransportFactory();
  let transport: ByteTransport | undefined;
  let timedOut = false;
  const opening = (async () => {
    transport = await factory({ protocol: params.protocol, host: params.host, port: params.port, socketOptions });
    if (timedOut) {
      transport.close();
      throw new Error('connect ETIMEDOUT');
    }
    const connection = new Connection(transport);
    const login = socketOptions.credentials ?? credentials.plain(params.username, params.password);
    await connection.open(params, login, socketOptions.clientProperties);
    return new ChannelModel(connection);
  })();
  const timeout = socketOptions.timeout;
  if (typeof timeout !== 'number' || !(timeout > 0)) return opening;
  // Like amqplib's socket timeout: opening (transport and handshake) must finish in time.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      transport?.close();
      reject(new Error('connect ETIMEDOUT'));
    }, timeout);
  });
  try {
    return await Promise.race([opening, expiry]);
  } finally {
    clearTimeout(timer);
    opening.catch(() => undefined); // lost the race: its failure is already reported
  }
}
