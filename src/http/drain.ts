import type { Server } from 'node:http';
import net, { type Socket } from 'node:net';
import type { RequestHandler } from 'express';
import { log } from '../log.js';

/** Whether the process is shutting down: /readyz answers 503 from the first moment. */
export interface Lifecycle {
  draining: boolean;
}

/**
 * While draining, every response says `Connection: close`, so a keep-alive client (a browser,
 * a proxy) does not send its next request down a connection that is about to go.
 */
export function closeWhileDraining(lifecycle: Lifecycle): RequestHandler {
  return (_req, res, next) => {
    if (lifecycle.draining) res.setHeader('Connection', 'close');
    next();
  };
}

/**
 * Tracks the server's connections and which of them are answering a request, and returns the
 * drain: readiness 503 at once, after `delayMs` (time for a load balancer to notice) stop
 * accepting and close every idle keep-alive connection, and each busy one as soon as its
 * response is done. It resolves when the last connection is gone; only a response still
 * running after `timeoutMs` (a slow download) is cut. Call when the server is created.
 *
 * Node's own closeIdleConnections() is not used: it counts a response as done once `end()`
 * is called, and so destroys a large download whose bytes are still queued for the client.
 */
export function drainable(
  server: Server,
  lifecycle: Lifecycle,
): (opts: { delayMs: number; timeoutMs: number }) => Promise<void> {
  const sockets = new Set<Socket>();
  const busy = new Set<Socket>();
  const closeIfIdle = (socket: Socket) => {
    if (lifecycle.draining && !busy.has(socket)) socket.destroy();
  };
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      busy.delete(socket);
    });
  });
  server.on('request', (req, res) => {
    const socket = req.socket;
    busy.add(socket);
    // 'finish' comes when the response has handed its last byte to the socket, which may
    // still hold megabytes for a slow client: done is when the socket has written them.
    const done = () => {
      if (socket.writableLength > 0 && !socket.destroyed) {
        socket.once('drain', done);
        return;
      }
      busy.delete(socket);
      setImmediate(() => closeIfIdle(socket));
    };
    res.once('finish', done);
    res.once('close', done);
  });
  return async (opts) => {
    lifecycle.draining = true;
    const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
    if (opts.delayMs > 0) await new Promise((r) => setTimeout(r, opts.delayMs));
    // net's close, not http's: since Node 19 http.Server#close() also runs
    // closeIdleConnections(), with the flaw above.
    net.Server.prototype.close.call(server);
    for (const socket of sockets) closeIfIdle(socket);
    const force = setTimeout(() => {
      log.warn(`shutdown: responses still running after ${opts.timeoutMs} ms are cut`);
      for (const socket of sockets) socket.destroy();
    }, opts.timeoutMs);
    await closed;
    clearTimeout(force);
  };
}
