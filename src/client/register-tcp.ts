// Side effect: TCP becomes connect()'s transport unless one was already chosen.

import { getTransportFactory, setTransportFactory } from './transport.ts';
import { tcpTransportFactory } from './tcp.ts';

try {
  getTransportFactory();
} catch {
  setTransportFactory(tcpTransportFactory);
}
