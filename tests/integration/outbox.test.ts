import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.js';
import { startSmtp } from '../support/smtp.js';
import { enqueueMail } from '../../src/mail/outbox.js';
import { deliverDue, fileTransport, smtpTransport } from '../../src/mail/mailer.js';

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(() => db.drop());

const FROM = 'PIM <noreply@pim.test>';

describe('the mail outbox', () => {
  it('keeps a mail while SMTP is down and sends it once SMTP is back', async () => {
    const smtp = await startSmtp();
    const port = smtp.port;
    await smtp.close(); // nothing listens on this port now
    await enqueueMail(db.prisma, { to: 'h.bakker@vtel.nl', subject: 'Onderwerp', text: 'Tekst met é' });
    expect(await deliverDue(db.prisma, smtpTransport(`smtp://127.0.0.1:${port}`), FROM)).toBe(0);
    const failed = await db.prisma.mailOutbox.findFirstOrThrow({ where: { recipient: 'h.bakker@vtel.nl' } });
    expect(failed.sentAt).toBeNull();
    expect(failed.attempts).toBe(1);
    expect(failed.lastError).toBeTruthy();
    expect(failed.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());

    // Back-off: not retried before its time, even with SMTP up again.
    const back = await startSmtp(port);
    expect(await deliverDue(db.prisma, smtpTransport(back.url), FROM)).toBe(0);
    await db.prisma.$executeRaw`UPDATE mail_outbox SET next_attempt_at = now() WHERE id = ${failed.id}`;
    expect(await deliverDue(db.prisma, smtpTransport(back.url), FROM)).toBe(1);
    const [mail] = await back.waitFor(1);
    expect(mail!.subject).toBe('Onderwerp');
    expect(mail!.text?.trim()).toBe('Tekst met é');
    expect((await db.prisma.mailOutbox.findUniqueOrThrow({ where: { id: failed.id } })).sentAt).not.toBeNull();
    // Sent once: a second run sends nothing.
    expect(await deliverDue(db.prisma, smtpTransport(back.url), FROM)).toBe(0);
    await back.close();
  });

  it('two workers at once send each mail exactly once', async () => {
    const smtp = await startSmtp();
    for (let i = 0; i < 30; i++)
      await enqueueMail(db.prisma, { to: `bulk${i}@example.nl`, subject: `Nr ${i}`, text: 'x' });
    const [a, b] = await Promise.all([
      deliverDue(db.prisma, smtpTransport(smtp.url), FROM),
      deliverDue(db.prisma, smtpTransport(smtp.url), FROM),
    ]);
    expect(a + b).toBe(30);
    await smtp.waitFor(30);
    await new Promise((r) => setTimeout(r, 200));
    expect(smtp.messages.filter((m) => m.subject?.startsWith('Nr ')).length).toBe(30);
    await smtp.close();
  });

  it('asked to stop (SIGTERM) during a backlog, it finishes the batch in hand and leaves the rest queued', async () => {
    const smtp = await startSmtp();
    const stop = new AbortController();
    const real = smtpTransport(smtp.url);
    // The stop arrives while the first mail is being sent.
    const stopping = { ...real, send: (m: Parameters<typeof real.send>[0]) => (stop.abort(), real.send(m)) };
    for (let i = 0; i < 45; i++)
      await enqueueMail(db.prisma, { to: `achterstand${i}@example.nl`, subject: `Achterstand ${i}`, text: 'x' });
    const queued = { recipient: { startsWith: 'achterstand' } };
    expect(await deliverDue(db.prisma, stopping, FROM, { signal: stop.signal })).toBe(20);
    expect(await db.prisma.mailOutbox.count({ where: { ...queued, sentAt: null } })).toBe(25);
    // The next run (another instance, or this one restarted) sends the rest, once.
    expect(await deliverDue(db.prisma, real, FROM)).toBe(25);
    expect(await db.prisma.mailOutbox.count({ where: { ...queued, sentAt: null } })).toBe(0);
    await smtp.waitFor(45);
    expect(smtp.messages.filter((m) => m.subject?.startsWith('Achterstand ')).length).toBe(45);
    await smtp.close();
  });

  it('without SMTP, writes .eml files a developer can open', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pim-mail-'));
    await enqueueMail(db.prisma, {
      to: 'k.sanders@vtel.nl',
      subject: 'Link',
      text: 'http://localhost:3000/password/reset/abc',
    });
    expect(await deliverDue(db.prisma, fileTransport(dir), FROM)).toBe(1);
    const files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(1);
    const eml = readFileSync(path.join(dir, files[0]!), 'utf8');
    expect(eml).toContain('To: k.sanders@vtel.nl');
    expect(eml).toContain('/password/reset/abc');
    rmSync(dir, { recursive: true, force: true });
  });
});
