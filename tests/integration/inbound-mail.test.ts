import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { ParsedMail } from 'mailparser';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, logIn, submitForm, testApp, TestClock, visibleText } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { makeTicket } from '../support/tickets-factories.js';
import { FILES } from '../support/files.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { deliverDue, smtpTransport } from '../../src/mail/mailer.js';
import { createServices, type Services } from '../../src/services.js';
import { createStorage } from '../../src/storage/index.js';
import { startInboundSmtp, type InboundSmtp } from '../../src/mail/inbound-smtp.js';
import { replyAddress } from '../../src/mail/reply-address.js';
import { runCli } from '../../src/cli/program.js';
import type { Config } from '../../src/config.js';
import { KEEP_UNSIGNED_BYTES } from '../../src/features/tickets/inbound.js';

// Real mail both ways: the portal's mails go through the outbox to a test SMTP server, and the
// replies are sent with nodemailer to the portal's own SMTP listener on loopback.
let db: TestDb;
let app: Express;
let config: Config;
let services: Services;
let outgoing: TestSmtp;
let listener: InboundSmtp;
const clock = new TestClock(Date.parse('2026-03-02T10:00:00+01:00'));
const DOMAIN = 'reply.pim.test';
const FROM = 'PIM <noreply@pim.test>';

beforeAll(async () => {
  db = await createTestDb();
  outgoing = await startSmtp();
  const env = {
    HELPDESK_EMAIL: 'helpdesk@vcare.test',
    INBOUND_MAIL_DOMAIN: DOMAIN,
    INBOUND_SMTP_PORT: '0',
    INBOUND_NOTES_PER_HOUR: '3',
    INBOUND_MAX_MESSAGE_MB: '2',
  };
  ({ app, config } = testApp(db, { clock, env }));
  services = createServices({
    db: db.prisma,
    clock,
    storage: createStorage(undefined, db.prisma),
    config,
    baseUrl: config.baseUrl,
  });
  listener = await startInboundSmtp({
    host: '127.0.0.1',
    port: 0,
    domain: DOMAIN,
    maxBytes: config.inbound!.maxBytes,
    receive: (raw, envelope) => services.tickets.inbound.receive(raw, envelope),
  });
});
afterAll(async () => {
  await listener.close();
  await outgoing.close();
  await db.drop();
});

/** Runs the outbox once against the test SMTP server; returns the mails that arrived. */
async function deliver(expected: number): Promise<ParsedMail[]> {
  const before = outgoing.messages.length;
  expect(await deliverDue(db.prisma, smtpTransport(outgoing.url), FROM)).toBe(expected);
  return (await outgoing.waitFor(before + expected)).slice(before);
}
const to = (m: ParsedMail) => (m.to && !Array.isArray(m.to) ? m.to.text : '');
const replyTo = (m: ParsedMail) => m.replyTo?.value[0]?.address ?? '';

/** Sends a reply as a mail program would, to the portal's listener. */
async function send(mail: nodemailer.SendMailOptions & { envelopeFrom?: string }) {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port: listener.port, secure: false, ignoreTLS: true });
  try {
    return await t.sendMail({
      ...mail,
      ...(mail.envelopeFrom !== undefined ? { envelope: { from: mail.envelopeFrom, to: mail.to as string } } : {}),
    });
  } finally {
    t.close();
  }
}
const notesOf = (ticketId: number) =>
  db.prisma.ticketNote.findMany({ where: { ticketId }, orderBy: { id: 'asc' }, include: { attachments: true } });
const cli = (...argv: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  return runCli(argv, {
    prisma: db.prisma,
    config,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    now: () => clock.now(),
    baseUrl: 'http://pim.test',
  }).then((code) => ({ code, out, err }));
};

async function people() {
  const org = await makeOrg(db.prisma);
  const reporter = await makePerson(db.prisma, org.id, {
    roles: ['PORTAL_ACCESS', 'MANAGE_OWN_TICKETS'],
    firstName: 'Lisa',
    lastName: 'de Vries',
  });
  const colleague = await makePerson(db.prisma, org.id, {
    roles: ['PORTAL_ACCESS', 'MANAGE_ORG_TICKETS'],
    firstName: 'Henk',
    lastName: 'Bakker',
  });
  await db.prisma.contact.update({ where: { id: colleague.id }, data: { language: 'en' } });
  return { org, reporter, colleague };
}

describe('answering a ticket by answering its mail', () => {
  it('the mail says where to reply; a Dutch reply from Gmail becomes a note with its files, mailed on as a portal note is', async () => {
    const { org, reporter, colleague } = await people();
    const agent = client(app);
    await logIn(agent, reporter.email!, PASSWORD);
    const res = await submitForm(agent, '/tickets/new', '/tickets/new', {
      organizationId: String(org.id),
      title: 'Internet verbinding valt weg',
      description: 'De verbinding valt steeds weg.',
      kind: 'INCIDENT',
    });
    const id = Number(res.headers.location!.split('/').pop());
    await db.prisma.ticketWatcher.create({ data: { ticketId: id, contactId: colleague.id } });
    await db.prisma.ticket.update({ where: { id }, data: { status: 'WAITING_CUSTOMER' } });
    const filed = await deliver(2);
    const confirmation = filed.find((m) => to(m) === reporter.email)!;
    expect(replyTo(confirmation)).toBe(replyAddress(config.tickets.linkSecret, DOMAIN, id, reporter.id));
    expect(replyTo(confirmation)).toMatch(new RegExp(`^reply\\+${id}-${reporter.id}-[a-z2-7]{16}@${DOMAIN}$`));
    expect(confirmation.text!.split('\n')[0]).toBe('##- U kunt boven deze regel antwoorden -##');
    // The helpdesk's own notice is not a person's mail: no reply address.
    expect(replyTo(filed.find((m) => to(m) === 'helpdesk@vcare.test')!)).toBe('');

    const messageId = `<gmail-${id}@mail.gmail.com>`;
    const reply = {
      from: `Lisa de Vries <${reporter.email}>`,
      to: replyTo(confirmation),
      subject: `Re: ${confirmation.subject}`,
      messageId,
      text: [
        'Bedankt, het werkt weer.',
        'Groet, Lisa',
        '',
        `Op ma 2 mrt 2026 om 10:00 schreef PIM <noreply@pim.test>:`,
        '',
        ...confirmation.text!.split('\n').map((l) => `> ${l}`),
      ].join('\n'),
      attachments: [
        { filename: 'scherm.png', content: FILES.png() },
        { filename: 'tool.pdf', content: FILES.exe() },
      ],
    };
    const info = await send(reply);
    expect(info.rejected).toEqual([]);

    const notes = await notesOf(id);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toBe('Bedankt, het werkt weer.\nGroet, Lisa');
    expect(notes[0]!.viaMail).toBe(true);
    expect(notes[0]!.authorId).toBe(reporter.id);
    expect(notes[0]!.attachments.map((a) => [a.fileName, a.contentType])).toEqual([['scherm.png', 'image/png']]);
    // As a portal note: the ticket resumes, it is audited (webhook ticket.note_added), Vcare and the
    // Betrokkene hear of it.
    expect((await db.prisma.ticket.findUniqueOrThrow({ where: { id } })).status).toBe('IN_PROGRESS');
    const audit = await db.prisma.auditEvent.findFirst({ where: { subjectId: String(id), kind: 'ticket.note_added' } });
    expect(audit?.after).toMatchObject({ noteId: notes[0]!.id, via: 'mail', files: 1 });
    const after = await deliver(3);
    const files = after.find((m) => to(m) === reporter.email)!;
    expect(files.subject).toBe(`Niet alle bijlagen zijn toegevoegd aan ticket ${id}`);
    expect(files.text).toContain('- tool.pdf (dit soort bestand wordt niet aangenomen)');
    expect(files.text).not.toContain('scherm.png');
    expect(files.headers.get('auto-submitted')).toBe('auto-replied');
    expect(files.inReplyTo).toBe(messageId);
    const toColleague = after.find((m) => to(m) === colleague.email)!;
    expect(toColleague.text!.split('\n')[0]).toBe('##- Reply above this line -##');
    expect(toColleague.text).toContain('Bedankt, het werkt weer.');
    expect(replyTo(toColleague)).toBe(replyAddress(config.tickets.linkSecret, DOMAIN, id, colleague.id));
    expect(after.find((m) => to(m) === 'helpdesk@vcare.test')!.text).toContain('Bedankt, het werkt weer.');

    // The same message again (a relay's retry, a second instance): still one note, no mail.
    await send(reply);
    expect(await notesOf(id)).toHaveLength(1);
    expect(await deliverDue(db.prisma, smtpTransport(outgoing.url), FROM)).toBe(0);

    // On the ticket page the note says it came by mail.
    const reader = client(app);
    await logIn(reader, reporter.email!, PASSWORD);
    // A first login from this browser: its notice goes out now, so the next test counts only its own mails.
    expect((await deliver(1)).map(to)).toEqual([reporter.email]);
    const page = visibleText((await reader.get(`/tickets/${id}`)).text);
    expect(page).toMatch(/Lisa [^\n]*, \d{1,2}-\d{1,2}-\d{4} \d{2}:\d{2} per e-mail Bedankt, het werkt weer\./);

    // Staff see it: ticket:show names the note as by mail; mail:inbound lists it.
    const shown = await cli('ticket:show', String(id));
    expect(shown.out.find((l) => l.startsWith('note '))).toContain('(by mail)');
    const listed = await cli('mail:inbound');
    expect(listed.out.some((l) => l.includes('processed') && l.includes(messageId))).toBe(true);
  });

  it('an English reply from Outlook (HTML only) by a Betrokkene is cut at the quoted header block and sign-off', async () => {
    const { org, reporter, colleague } = await people();
    const t = await makeTicket(db.prisma, org.id, { reporterId: reporter.id, status: 'IN_PROGRESS' });
    await db.prisma.ticketWatcher.create({ data: { ticketId: t.id, contactId: colleague.id } });
    await services.tickets.changeStatus({ staff: 'test' }, t.id, 'WAITING_CUSTOMER');
    const mails = await deliver(2);
    const mine = mails.find((m) => to(m) === colleague.email)!;
    expect(mine.text!.split('\n')[0]).toBe('##- Reply above this line -##');
    await send({
      from: colleague.email!,
      to: replyTo(mine),
      subject: `RE: ${mine.subject}`,
      html: `<div><p>Yes, the line works again since this morning.</p><p>Kind regards,<br>Henk</p></div>
        <div style="border-top:solid #E1E1E1 1.0pt"><p><b>From:</b> PIM &lt;noreply@pim.test&gt;<br><b>Sent:</b> Monday, 2 March 2026 10:00<br><b>To:</b> Henk Bakker<br><b>Subject:</b> ${mine.subject}</p></div>
        <p>##- Reply above this line -##</p><p>Dear Henk Bakker,</p>`,
    });
    const notes = await notesOf(t.id);
    expect(notes.map((n) => [n.body, n.authorId, n.viaMail])).toEqual([
      // "Kind regards, Henk" is a sign-off email-reply-parser treats as the signature.
      ['Yes, the line works again since this morning.', colleague.id, true],
    ]);
    await deliver(2); // the reporter and Vcare hear of the note
  });

  it('an Apple Mail reply in Dutch and one with only a quote: the first a note, the second answered "empty"', async () => {
    const { org, reporter } = await people();
    const t = await makeTicket(db.prisma, org.id, { reporterId: reporter.id, status: 'IN_PROGRESS' });
    const address = replyAddress(config.tickets.linkSecret, DOMAIN, t.id, reporter.id);
    await send({
      from: reporter.email!,
      to: address,
      subject: 'Re: uw ticket',
      text: 'Klopt, het toestel staat op de 2e verdieping.\n\nVerstuurd vanaf mijn iPhone\n\nOp 2 mrt. 2026 om 10:00 heeft PIM <noreply@pim.test> het volgende geschreven:\n\n> ##- U kunt boven deze regel antwoorden -##\n> Beste Lisa',
    });
    expect((await notesOf(t.id)).map((n) => n.body)).toEqual(['Klopt, het toestel staat op de 2e verdieping.']);
    await deliver(1);
    await send({
      from: reporter.email!,
      to: address,
      subject: 'Re: uw ticket',
      text: '\n\nOn Mon, 2 Mar 2026 at 10:00, PIM <noreply@pim.test> wrote:\n> ##- U kunt boven deze regel antwoorden -##\n> Beste Lisa',
    });
    expect(await notesOf(t.id)).toHaveLength(1);
    const [answer] = await deliver(1);
    expect(to(answer!)).toBe(reporter.email);
    expect(answer!.subject).toBe(`Uw bericht is niet toegevoegd aan ticket ${t.id}`);
    expect(answer!.text).toContain('Wij vonden in uw e-mail geen tekst boven het geciteerde bericht.');
    expect(answer!.text).toContain(`http://pim.test/tickets/${t.id}`);
    const row = await db.prisma.inboundMail.findFirst({ where: { ticketId: t.id, status: 'refused' } });
    expect(row?.reason).toBe('empty');
  });

  it('auto-replies and bounces add nothing and are never answered (no mail loops)', async () => {
    const { org, reporter } = await people();
    const t = await makeTicket(db.prisma, org.id, { reporterId: reporter.id, status: 'IN_PROGRESS' });
    const address = replyAddress(config.tickets.linkSecret, DOMAIN, t.id, reporter.id);
    const base = { from: reporter.email!, to: address, subject: 'Afwezig', text: 'Ik ben afwezig tot maandag.' };
    await send({ ...base, headers: { 'Auto-Submitted': 'auto-replied' } });
    await send({ ...base, headers: { 'X-Autoreply': 'yes' } });
    await send({ ...base, headers: { Precedence: 'bulk' } });
    await send({ ...base, envelopeFrom: '' });
    await send({
      from: 'MAILER-DAEMON@mx.example.nl',
      to: address,
      subject: 'Undelivered Mail Returned to Sender',
      text: 'This is the mail system.',
    });
    expect(await notesOf(t.id)).toHaveLength(0);
    expect(await deliverDue(db.prisma, smtpTransport(outgoing.url), FROM)).toBe(0);
    const rows = await db.prisma.inboundMail.findMany({
      where: { status: 'ignored', sender: { in: [reporter.email!.toLowerCase(), 'mailer-daemon@mx.example.nl'] } },
    });
    expect(rows.map((r) => r.reason).sort()).toEqual(['auto_reply', 'auto_reply', 'bounce', 'bounce', 'bulk']);
  });

  it('a forged or altered address, a foreign sender, a person without access, a deleted ticket: nothing added, one answer each', async () => {
    const { org, reporter, colleague } = await people();
    const t = await makeTicket(db.prisma, org.id, { reporterId: reporter.id, status: 'IN_PROGRESS' });
    const good = replyAddress(config.tickets.linkSecret, DOMAIN, t.id, reporter.id);
    // Another ticket's signature on this ticket's number: forged.
    const other = replyAddress(config.tickets.linkSecret, DOMAIN, t.id + 1000, reporter.id);
    const altered = `reply+${t.id}-${reporter.id}-${other.split('-')[2]}`;
    await send({ from: reporter.email!, to: altered, subject: 'Re', text: 'Dit mag er niet bij.' });
    const [forged] = await deliver(1);
    expect(forged!.subject).toBe('Uw bericht is niet verwerkt');
    expect(forged!.text).toContain('Het adres waarnaar u schreef hoort niet bij een ticket in PIM.');
    expect(forged!.text).toContain('http://pim.test/tickets');

    // A stranger who got hold of the address (a forwarded mail): not the person, not on the ticket.
    await send({ from: 'someone@elsewhere.test', to: good, subject: 'Re', text: 'Ik ben niet van deze organisatie.' });
    const [foreign] = await deliver(1);
    expect(to(foreign!)).toBe('someone@elsewhere.test');
    expect(foreign!.text).toContain('Uw e-mailadres hoort niet bij dit ticket.');

    // The colleague is in the organisation but no Betrokkene, and writes with the reporter's address:
    // foreign, answered in the colleague's English.
    await send({ from: colleague.email!, to: good, subject: 'Re', text: 'Adding my two cents.' });
    const [notOnTicket] = await deliver(1);
    expect(notOnTicket!.subject).toBe(`Your message was not added to ticket ${t.id}`);
    expect(notOnTicket!.text).toContain('Your e-mail address does not belong to this ticket.');

    // The reporter lost access (web access off): refused.
    await db.prisma.contact.update({ where: { id: reporter.id }, data: { webAccess: false } });
    await send({ from: reporter.email!, to: good, subject: 'Re', text: 'Nog een vraag.' });
    const [noAccess] = await deliver(1);
    expect(noAccess!.text).toContain('U heeft geen toegang (meer) tot dit ticket in PIM.');
    await db.prisma.contact.update({ where: { id: reporter.id }, data: { webAccess: true } });

    // The ticket was deleted.
    const gone = await makeTicket(db.prisma, org.id, { reporterId: reporter.id });
    const goneAddress = replyAddress(config.tickets.linkSecret, DOMAIN, gone.id, reporter.id);
    await db.prisma.ticket.delete({ where: { id: gone.id } });
    await send({ from: reporter.email!, to: goneAddress, subject: 'Re', text: 'Hallo?' });
    const [deleted] = await deliver(1);
    expect(deleted!.text).toContain('Dit ticket bestaat niet meer in PIM.');

    // Resolved longer ago than the reopen period: refused as the portal refuses it, and said so.
    const old = await makeTicket(db.prisma, org.id, {
      reporterId: reporter.id,
      status: 'RESOLVED',
      resolvedAt: new Date(clock.now().getTime() - 30 * 86_400_000),
    });
    await send({
      from: reporter.email!,
      to: replyAddress(config.tickets.linkSecret, DOMAIN, old.id, reporter.id),
      subject: 'Re',
      text: 'Het probleem is terug.',
    });
    const [closed] = await deliver(1);
    expect(closed!.text).toContain('Dit ticket is afgehandeld en kan niet meer worden heropend.');
    expect(await notesOf(old.id)).toHaveLength(0);
    expect((await db.prisma.ticket.findUniqueOrThrow({ where: { id: old.id } })).status).toBe('RESOLVED');

    expect(await notesOf(t.id)).toHaveLength(0);
    const refused = await cli('mail:inbound', '--refused');
    for (const reason of ['forged', 'foreign_sender', 'no_access', 'ticket_gone', 'closed'])
      expect(refused.out.some((l) => l.includes(reason))).toBe(true);

    // Once the colleague is a Betrokkene, the same reply (from their own address, to the reporter's
    // reply address) is taken, as the colleague's note.
    await db.prisma.ticketWatcher.create({ data: { ticketId: t.id, contactId: colleague.id } });
    await send({ from: colleague.email!, to: good, subject: 'Re', text: 'Adding my two cents.' });
    expect((await notesOf(t.id)).map((n) => [n.body, n.authorId])).toEqual([['Adding my two cents.', colleague.id]]);
    await deliver(2); // the reporter and Vcare
  });

  it('a throttle caps notes by mail per person and ticket; other domains are refused at RCPT; too large is refused', async () => {
    const { org, reporter } = await people();
    const t = await makeTicket(db.prisma, org.id, { reporterId: reporter.id, status: 'IN_PROGRESS' });
    const address = replyAddress(config.tickets.linkSecret, DOMAIN, t.id, reporter.id);
    for (let i = 1; i <= 4; i++)
      await send({ from: reporter.email!, to: address, subject: 'Re', text: `Aanvulling ${i}` });
    expect((await notesOf(t.id)).map((n) => n.body)).toEqual(['Aanvulling 1', 'Aanvulling 2', 'Aanvulling 3']);
    const throttled = await db.prisma.inboundMail.findFirst({ where: { ticketId: t.id, reason: 'throttled' } });
    expect(throttled?.status).toBe('refused');
    await deliver(3); // Vcare hears of the three notes; the throttled one is not answered

    await expect(send({ from: reporter.email!, to: 'someone@pim.test', subject: 'x', text: 'x' })).rejects.toThrow(
      /550/,
    );
    await expect(
      send({
        from: reporter.email!,
        to: address,
        subject: 'Groot',
        text: 'x',
        attachments: [{ filename: 'groot.log', content: Buffer.alloc(3 * 1024 * 1024, 'a') }],
      }),
    ).rejects.toThrow(/552/);
  });

  it('hostile mails add nothing and hold nothing up: a wildcard sender, a NUL, a thousand parts, a flood of forged +tags', async () => {
    const { org, reporter } = await people();
    const t = await makeTicket(db.prisma, org.id, { reporterId: reporter.id, status: 'IN_PROGRESS' });
    const good = replyAddress(config.tickets.linkSecret, DOMAIN, t.id, reporter.id);
    const [local, domain] = reporter.email!.split('@') as [string, string];
    // LIKE's wildcards in the sender: "_" for the reporter's ".", "%" for anything. Not the reporter.
    for (const sender of [`${local}@${domain.replace('.', '_')}`, `%@${domain}`]) {
      // The envelope's sender must be well-formed at MAIL FROM; the header's is what is checked.
      await send({
        from: sender,
        envelopeFrom: 'someone@elsewhere.test',
        to: good,
        subject: 'Re',
        text: 'Ik ben de melder niet.',
      });
      expect(await db.prisma.inboundMail.findFirst({ where: { sender }, select: { reason: true } })).toEqual({
        reason: 'foreign_sender',
      });
    }
    // A NUL in the subject (=?UTF-8?Q?...=00...?=): the reply is taken, the subject kept without it (the edge's rule).
    await send({
      from: reporter.email!,
      to: good,
      subject: 'Re: nul\u0000hier',
      text: 'Met een NUL in het onderwerp.',
    });
    expect(
      await db.prisma.inboundMail.findFirst({
        where: { ticketId: t.id, status: 'processed' },
        select: { subject: true },
      }),
    ).toEqual({ subject: 'Re: nulhier' });
    // A thousand MIME parts (on which the parser would never finish): answered at once, ignored as unreadable.
    const parts = Array.from(
      { length: 1000 },
      (_, i) =>
        `--BB\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename="f${i}.txt"\r\n\r\nx\r\n`,
    ).join('');
    const raw = `From: ${reporter.email}\r\nTo: ${good}\r\nSubject: Veel delen\r\nMessage-ID: <parts-${t.id}@example.nl>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="BB"\r\n\r\n${parts}--BB--\r\n`;
    await send({ envelopeFrom: reporter.email!, to: good, raw });
    expect(await db.prisma.inboundMail.findFirst({ where: { size: raw.length }, select: { status: true } })).toEqual({
      status: 'ignored',
    });
    // Hundreds of lines starting with "--" in a person's text (a pasted log) are no MIME parts: taken.
    await send({
      from: reporter.email!,
      to: good,
      subject: 'Re: log',
      messageId: `<log-${t.id}@example.nl>`,
      text: `De log staat hieronder.\n${'--------\nregel\n'.repeat(600)}`,
    });
    expect(
      await db.prisma.inboundMail.findFirst({
        where: { messageId: `<log-${t.id}@example.nl>` },
        select: { status: true },
      }),
    ).toEqual({ status: 'processed' });
    expect((await notesOf(t.id)).map((n) => n.body.split('\n')[0])).toEqual([
      'Met een NUL in het onderwerp.',
      'De log staat hieronder.',
    ]);
    // Seven forged mails "from" one mailbox with seven +tags: five refusals, not seven.
    const forged = `reply+${t.id}-${reporter.id}-aaaaaaaaaaaaaaaa@${DOMAIN}`;
    for (let i = 0; i < 7; i++)
      await send({ from: `victim+${i}@elsewhere.test`, to: forged, subject: 'Hi', text: 'x' });
    expect(await db.prisma.mailOutbox.count({ where: { recipient: { startsWith: 'victim+' } } })).toBe(5);
    // Sent on (the reporter's note to Vcare, the refusals), so the tests after this one start empty.
    await deliverDue(db.prisma, smtpTransport(outgoing.url), FROM);
  });

  it('without the inbound settings nothing changes: no Reply-To, no line at the top', async () => {
    const { org, reporter } = await people();
    const t = await makeTicket(db.prisma, org.id, { reporterId: reporter.id, status: 'IN_PROGRESS' });
    const { config: plain } = testApp(db, { clock });
    expect(plain.inbound).toBeUndefined();
    const off = createServices({
      db: db.prisma,
      clock,
      storage: createStorage(undefined, db.prisma),
      config: plain,
      baseUrl: plain.baseUrl,
    });
    await off.tickets.changeStatus({ staff: 'test' }, t.id, 'WAITING_CUSTOMER');
    const [mail] = await deliver(1);
    expect(to(mail!)).toBe(reporter.email);
    expect(mail!.replyTo).toBeUndefined();
    expect(mail!.text).not.toContain('##-');
    expect(mail!.text!.startsWith('Beste ')).toBe(true);
  });

  it('keeps the raw message for the retention, then removes it with its row', async () => {
    const { org, reporter } = await people();
    const t = await makeTicket(db.prisma, org.id, { reporterId: reporter.id, status: 'IN_PROGRESS' });
    await send({
      from: reporter.email!,
      to: replyAddress(config.tickets.linkSecret, DOMAIN, t.id, reporter.id),
      subject: 'Re: bewaard',
      messageId: `<kept-${t.id}@example.nl>`,
      text: 'Dit bericht wordt bewaard.',
    });
    await deliver(1);
    const row = await db.prisma.inboundMail.findUniqueOrThrow({ where: { messageId: `<kept-${t.id}@example.nl>` } });
    const storage = createStorage(undefined, db.prisma);
    const chunks: Buffer[] = [];
    for await (const c of (await storage.get(row.rawKey!))!) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toContain('Dit bericht wordt bewaard.');
    expect(row.size).toBe(Buffer.concat(chunks).length);
    // A forged one (anyone can send it) is kept only in its first 64 kB: its headers say where it came from.
    await send({
      from: 'someone@elsewhere.test',
      to: `reply+${t.id}-${reporter.id}-aaaaaaaaaaaaaaaa@${DOMAIN}`,
      subject: 'Groot en vals',
      messageId: `<forged-big-${t.id}@example.nl>`,
      text: 'x',
      attachments: [{ filename: 'groot.bin', content: Buffer.alloc(300_000, 7) }],
    });
    await deliver(1); // its refusal
    const forged = await db.prisma.inboundMail.findUniqueOrThrow({
      where: { messageId: `<forged-big-${t.id}@example.nl>` },
    });
    const kept: Buffer[] = [];
    for await (const c of (await storage.get(forged.rawKey!))!) kept.push(c as Buffer);
    expect(forged.size).toBeGreaterThan(300_000);
    expect(Buffer.concat(kept).length).toBe(KEEP_UNSIGNED_BYTES);
    expect(Buffer.concat(kept).toString()).toContain('Subject: Groot en vals');

    clock.advance(89 * 86_400_000);
    await services.tickets.inbound.prune();
    expect(await db.prisma.inboundMail.count({ where: { id: row.id } })).toBe(1);
    clock.advance(2 * 86_400_000);
    expect(await services.tickets.inbound.prune()).toBeGreaterThan(0);
    expect(await db.prisma.inboundMail.count({ where: { id: row.id } })).toBe(0);
    expect(await storage.get(row.rawKey!)).toBeNull();
    // The note itself stays: only the raw message and its row go.
    expect(await db.prisma.ticketNote.count({ where: { ticketId: t.id, viaMail: true } })).toBe(1);
  });

  it('with INBOUND_SMTP_TLS_KEY/CERT the listener offers STARTTLS, and a reply over TLS is taken', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pim-tls-'));
    const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${DOMAIN}`].concat([
        '-keyout',
        key,
        '-out',
        cert,
      ]),
      { stdio: 'ignore' },
    );
    const tlsConfig = testApp(db, {
      clock,
      env: {
        INBOUND_MAIL_DOMAIN: DOMAIN,
        INBOUND_SMTP_PORT: '0',
        INBOUND_SMTP_TLS_KEY: key,
        INBOUND_SMTP_TLS_CERT: cert,
      },
    }).config;
    expect(tlsConfig.inbound!.smtp!.tls!.cert).toBe(readFileSync(cert, 'utf8'));
    const secure = await startInboundSmtp({
      host: '127.0.0.1',
      port: 0,
      domain: DOMAIN,
      maxBytes: tlsConfig.inbound!.maxBytes,
      tls: tlsConfig.inbound!.smtp!.tls,
      receive: (raw, envelope) => services.tickets.inbound.receive(raw, envelope),
    });
    try {
      const { org, reporter } = await people();
      const t = await makeTicket(db.prisma, org.id, { reporterId: reporter.id, status: 'IN_PROGRESS' });
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port: secure.port,
        secure: false,
        requireTLS: true,
        tls: { rejectUnauthorized: false },
      });
      await transport.sendMail({
        from: reporter.email!,
        to: replyAddress(config.tickets.linkSecret, DOMAIN, t.id, reporter.id),
        subject: 'Re: over TLS',
        text: 'Versleuteld verstuurd.',
      });
      transport.close();
      expect((await notesOf(t.id)).map((n) => n.body)).toEqual(['Versleuteld verstuurd.']);
      await deliver(1);
    } finally {
      await secure.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
