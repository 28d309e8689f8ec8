import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, csrfFrom, logIn, testApp } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { FILES } from '../support/files.js';
import { UPLOAD_LIMITS } from '../../src/http/uploads.js';

// A form with files is not read by the edge (its 200 kB limit is for plain forms); these are the
// upload's own bounds, over a real socket: a request too large in all, and a client that leaves.

let db: TestDb;
let app: Express;
let server: http.Server;
let cookie: string;
let csrf: string;
let orgId: number;

const BOUNDARY = 'pimtestboundary';
const part = (name: string, value: string) =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
const fileHead = (name: string) =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="${name}"\r\nContent-Type: text/plain\r\n\r\n`;
const chunks = async () =>
  Number((await db.prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM stored_file_chunks`)[0]!.n);

/** Starts a POST to /tickets/new with the given declared length; the caller writes the body. */
function startPost(contentLength: number) {
  const { port } = server.address() as AddressInfo;
  const req = http.request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/tickets/new',
    headers: {
      cookie,
      'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
      'content-length': String(contentLength),
    },
  });
  const answered = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
  answered.catch(() => {});
  return { req, answered };
}

/** Waits (at most 20 s) until `check` holds; false when it never did. */
async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

beforeAll(async () => {
  db = await createTestDb();
  ({ app } = testApp(db));
  orgId = (await makeOrg(db.prisma)).id;
  const person = await makePerson(db.prisma, orgId, { roles: ['PORTAL_ACCESS', 'MANAGE_OWN_TICKETS'] });
  const agent = client(app);
  const login = await logIn(agent, person.email!, PASSWORD);
  expect(login.status).toBe(302);
  cookie = ([] as string[])
    .concat(login.headers['set-cookie'] ?? [])
    .map((c) => c.split(';')[0])
    .join('; ');
  csrf = csrfFrom((await agent.get('/tickets/new')).text);
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await db.drop();
});

describe('a form with files, over a socket', () => {
  it('a request declared larger than the upload limit is a 413 before anything is stored', async () => {
    const [tickets, before] = [await db.prisma.ticket.count(), await chunks()];
    const { req, answered } = startPost(UPLOAD_LIMITS.requestBytes + 1);
    req.write(
      part('_csrf', csrf) + part('organizationId', String(orgId)) + part('title', 'Te groot') + fileHead('log.txt'),
    );
    expect(await answered).toBe(413);
    req.destroy();
    expect([await db.prisma.ticket.count(), await chunks()]).toEqual([tickets, before]);
  });

  it('a client that goes away in the middle of a file leaves no stored bytes and no ticket', async () => {
    const [tickets, before] = [await db.prisma.ticket.count(), await chunks()];
    const { req } = startPost(5 * 1024 * 1024);
    req.write(
      part('_csrf', csrf) + part('organizationId', String(orgId)) + part('title', 'Half') + fileHead('log.txt'),
    );
    // A few storage chunks' worth (256 kB each), so storing has begun when the client leaves.
    req.write(FILES.log(12_000));
    expect(await eventually(async () => (await chunks()) > before)).toBe(true);
    req.destroy();
    expect(await eventually(async () => (await chunks()) === before)).toBe(true);
    expect(await db.prisma.ticket.count()).toBe(tickets);
  });
});
