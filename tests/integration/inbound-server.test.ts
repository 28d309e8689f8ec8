import { connect } from 'node:net';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyDb } from '../support/db.js';
import { startChildServer, type ChildServer } from '../support/child-server.js';

// The server as `npm start` runs it: with INBOUND_* set it listens for replies, and stops doing so on SIGTERM.
let db: { url: string; drop(): Promise<void> };
let server: ChildServer | undefined;

beforeAll(async () => {
  db = await createEmptyDb();
});
afterAll(async () => {
  if (server && server.proc.exitCode === null) server.proc.kill('SIGKILL');
  await db.drop();
});

const refusedConnection = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.end();
      resolve(false);
    });
    s.on('error', () => resolve(true));
  });

describe('the SMTP listener in the server', () => {
  it('starts with INBOUND_SMTP_PORT, takes only the reply domain, and closes on SIGTERM', async () => {
    server = startChildServer(db.url, {
      DEMO_SEED: 'false',
      INBOUND_MAIL_DOMAIN: 'reply.pim.test',
      INBOUND_SMTP_PORT: '0',
    });
    await server.ready;
    const m = /Replies to ticket mails are taken on 127\.0\.0\.1:(\d+) \(SMTP\)/.exec(server.output());
    expect(m).not.toBeNull();
    const port = Number(m![1]);
    const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    await expect(t.sendMail({ from: 'a@example.nl', to: 'b@elsewhere.test', subject: 'x', text: 'x' })).rejects.toThrow(
      /550/,
    );
    // A reply address with a forged token is taken (and answered), not refused at RCPT.
    const info = await t.sendMail({
      from: 'a@example.nl',
      to: 'reply+1-1-aaaaaaaaaaaaaaaa@reply.pim.test',
      subject: 'x',
      text: 'x',
    });
    expect(info.accepted).toEqual(['reply+1-1-aaaaaaaaaaaaaaaa@reply.pim.test']);
    t.close();
    server.proc.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(await refusedConnection(port)).toBe(true);
  });
});
