import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got: headers as Node gives them (lower-case) and the raw body. */
export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver: a real HTTP server on 127.0.0.1 that records every POST and answers 204. */
export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  close(): Promise<void>;
}

/** Starts a receiver (on `port`, or any free port). */
export async function startReceiver(port = 0): Promise<Receiver> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}/hooks/pim`,
    port: actual,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
