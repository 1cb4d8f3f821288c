// A TCP pass-through in front of the local queue server that can be cut, so that a queue outage can be rehearsed
// (`kill -USR2 <pid>` toggles it) without losing the queue's in-memory messages.
import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface FaultProxy {
  endpoint: string;
  setDown: (down: boolean) => void;
  isDown: () => boolean;
  stop: () => Promise<void>;
}

export async function startFaultProxy(target: URL): Promise<FaultProxy> {
  let down = false;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    if (down) return void client.destroy();
    const upstream = connect(Number(target.port), target.hostname);
    open.add(client);
    open.add(upstream);
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setDown: (value) => {
      down = value;
      if (down) for (const socket of open) socket.destroy();
    },
    isDown: () => down,
    stop: () =>
      new Promise<void>((ok) => {
        for (const socket of open) socket.destroy();
        server.close(() => ok());
      }),
  };
}
