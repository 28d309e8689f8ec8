import { describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { automaticReason, PARSE_OPTIONS, replyText, senderOf } from '../../src/features/tickets/inbound-reply.js';
import { readReplyAddress, replyAddress } from '../../src/mail/reply-address.js';
import { loadConfig, ConfigError } from '../../src/config.js';

const SECRET = 'a mail-link key of at least thirty-two characters';
const mail = (headers: string, body: string) => simpleParser(Buffer.from(`${headers}\r\n\r\n${body}`), PARSE_OPTIONS);
const text = (body: string) => mail('From: lisa@example.nl\r\nTo: x@reply.test\r\nSubject: Re', body);

describe('the reply address', () => {
  it('is short, case-insensitive, bound to the ticket and person, and refuses any change', () => {
    const a = replyAddress(SECRET, 'reply.test', 1234, 56);
    expect(a).toMatch(/^reply\+1234-56-[a-z2-7]{16}@reply\.test$/);
    expect(a.split('@')[0]!.length).toBeLessThanOrEqual(64);
    expect(readReplyAddress(SECRET, 'reply.test', a)).toEqual({ ticketId: 1234, contactId: 56 });
    expect(readReplyAddress(SECRET, 'REPLY.test', a.toUpperCase())).toEqual({ ticketId: 1234, contactId: 56 });
    expect(readReplyAddress(SECRET, 'reply.test', a.replace('-56-', '-57-'))).toBe('forged');
    expect(readReplyAddress(SECRET, 'reply.test', a.replace('1234', '1235'))).toBe('forged');
    expect(readReplyAddress('another key of at least thirty-two characters!!', 'reply.test', a)).toBe('forged');
    expect(readReplyAddress(SECRET, 'reply.test', 'noreply@reply.test')).toBe('forged');
    expect(readReplyAddress(SECRET, 'reply.test', 'reply+1-2-aaaa@elsewhere.test')).toBeNull();
  });
});

describe('the text of a reply', () => {
  it('Outlook in Dutch: cut at the quoted header block', async () => {
    const m = await text(
      'Prima, dank u.\r\n\r\nMet vriendelijke groet,\r\nLisa\r\n\r\nVan: PIM <noreply@pim.test>\r\nVerzonden: maandag 2 maart 2026 10:00\r\nAan: Lisa\r\nOnderwerp: Ticket 5\r\n\r\nBeste Lisa,',
    );
    expect(replyText(m)).toBe('Prima, dank u.\n\nMet vriendelijke groet,\nLisa');
  });

  it('Gmail in English, with a wrapped "On … wrote:" line and a signature', async () => {
    const m = await text(
      'Works for me.\r\n-- \r\nHenk Bakker\r\nICT\r\n\r\nOn Mon, Mar 2, 2026 at 10:00 AM PIM <noreply@pim.test>\r\nwrote:\r\n\r\n> ##- Reply above this line -##\r\n> Dear Henk',
    );
    expect(replyText(m)).toBe('Works for me.');
  });

  it('a reply with only our marker quoted is empty', async () => {
    expect(replyText(await text('> ##- U kunt boven deze regel antwoorden -##\r\n> Beste Lisa'))).toBe('');
  });

  it('HTML only: converted to text, the quote removed', async () => {
    const m = await mail(
      'From: lisa@example.nl\r\nTo: x@reply.test\r\nContent-Type: text/html; charset=utf-8',
      '<p>Het werkt weer &amp; de lijn is stabiel.</p><div class="gmail_quote">Op ma 2 mrt 2026 om 10:00 schreef PIM &lt;noreply@pim.test&gt;:<blockquote><p>Beste Lisa</p></blockquote></div>',
    );
    expect(replyText(m)).toBe('Het werkt weer & de lijn is stabiel.');
  });
});

describe('automatic messages', () => {
  it("are told by their headers; a person's mail (Auto-Submitted: no) is not", async () => {
    const h = (extra: string) => mail(`From: a@example.nl\r\nTo: x@reply.test\r\n${extra}`, 'x');
    expect(automaticReason(await h('Auto-Submitted: auto-generated'), 'a@example.nl')).toBe('auto_reply');
    expect(automaticReason(await h('Auto-Submitted: no'), 'a@example.nl')).toBeNull();
    expect(automaticReason(await h('Precedence: junk'), 'a@example.nl')).toBe('bulk');
    expect(
      automaticReason(await h('Content-Type: multipart/report; report-type=delivery-status; boundary=x'), 'a@x.nl'),
    ).toBe('bounce');
    expect(automaticReason(await h('Return-Path: <>'), undefined)).toBe('bounce');
    expect(automaticReason(await h('X-Mailer: Outlook'), '')).toBe('bounce');
    expect(automaticReason(await h('X-Mailer: Outlook'), 'a@example.nl')).toBeNull();
  });
});

describe('configuration', () => {
  const base = { NODE_ENV: 'test' };
  it('is off without the domain; needs a way in with it; a way in without it is an error', () => {
    expect(loadConfig(base).inbound).toBeUndefined();
    expect(loadConfig(base).tickets.replyDomain).toBeUndefined();
    expect(() => loadConfig({ ...base, INBOUND_MAIL_DOMAIN: 'reply.pim.test' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, INBOUND_SMTP_PORT: '2525' })).toThrow(/INBOUND_MAIL_DOMAIN/);
    expect(() =>
      loadConfig({ ...base, INBOUND_MAIL_DOMAIN: 'reply.pim.test', INBOUND_IMAP_URL: 'imaps://mail.example.nl' }),
    ).toThrow(/mailbox user/);
    const c = loadConfig({ ...base, INBOUND_MAIL_DOMAIN: 'Reply.PIM.test', INBOUND_SMTP_PORT: '2525' });
    expect(c.inbound).toMatchObject({
      domain: 'reply.pim.test',
      smtp: { host: '127.0.0.1', port: 2525 },
      imap: undefined,
    });
    expect(c.tickets.replyDomain).toBe('reply.pim.test');
  });
});

describe('the sender of a reply', () => {
  const from = async (header: string) =>
    senderOf(await mail(`From: ${header}\r\nTo: x@reply.test\r\nSubject: Re`, 'x'));

  it('is the one From address, lower-cased, the display name ignored', async () => {
    expect(await from('"Lisa de Vries" <L.deVries@Example.NL>')).toBe('l.devries@example.nl');
  });

  it('is none for several From addresses or an address outside ASCII (look-alikes such as the Kelvin sign)', async () => {
    expect(await from('lisa@example.nl, henk@example.nl')).toBe('');
    expect(await from('kees@\u212Apn.nl')).toBe('');
    expect(await from('=?UTF-8?Q?kees=40=E2=84=AApn=2Enl?= <kees@\u212Apn.nl>')).toBe('');
  });
});

describe('the text of a hostile reply', () => {
  it('a long run of spaces (a quarter of a million) gives the words around it, without lingering over it', async () => {
    const m = await text(`Hallo,${' '.repeat(250_000)}x\r\n\r\nGroet`);
    expect(replyText(m)).toBe('Hallo,');
    const lines = await text(`Hallo${' \r\n'.repeat(5_000)}${' '.repeat(30_000)}\r\n> quote`);
    expect(replyText(lines)).toBe('Hallo');
  });
});
