import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';

/** `npm start`'s entry point as its own process, as a user would run it. */
export interface ChildServer {
  proc: ChildProcess;
  output: () => string;
  /** The port, once the server says it is listening. */
  ready: Promise<number>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/** Starts src/server.ts on a free port against `databaseUrl`, with a clean environment plus `env`. */
export function startChildServer(databaseUrl: string, env: Record<string, string> = {}): ChildServer {
  let out = '';
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: '0',
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
      DATABASE_URL: databaseUrl,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const ready = new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on [\d.]+:(\d+)[\s\S]*Mail is /.exec(out);
      if (m) resolve(Number(m[1]));
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  ready.catch(() => {});
  return { proc, output: () => out, ready, exited };
}

/** One HTTP response, read to the end (or to where the connection broke). */
export interface Fetched {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  complete: boolean;
}

/** A GET or form POST over `agent` (keep-alive or not); `onResponse` may pause the body. */
export function httpRequest(
  port: number,
  path: string,
  opts: {
    agent?: http.Agent | false;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    onResponse?: (res: http.IncomingMessage) => void;
  } = {},
): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: opts.method ?? 'GET',
        agent: opts.agent ?? false,
        headers: opts.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        const done = () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            complete: res.complete,
          });
        res.on('end', done);
        res.on('aborted', done);
        res.on('error', done);
        opts.onResponse?.(res);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}
