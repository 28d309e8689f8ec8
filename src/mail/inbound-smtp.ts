import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import { log } from '../log.js';

/** What the listener hands each accepted message to (the tickets' inbound service). */
export type ReceiveMail = (
  raw: Buffer,
  envelope: { mailFrom: string | null; recipients: string[] },
) => Promise<unknown>;

/** A running listener. */
export interface InboundSmtp {
  port: number;
  close(): Promise<void>;
}

type SmtpError = Error & { responseCode: number };
const smtpError = (code: number, message: string): SmtpError =>
  Object.assign(new Error(message), { responseCode: code });

/**
 * The SMTP listener for replies (INBOUND_SMTP_PORT): it sits behind the organisation's relay as the
 * MX of the reply domain. Only recipients at that domain are taken (others: 550 at RCPT), a
 * message over `maxBytes` is refused (552), and a message is acknowledged only after it was
 * received (a failure there is 451, so the relay tries again; the Message-ID keeps it one note).
 */
export async function startInboundSmtp(opts: {
  host: string;
  port: number;
  domain: string;
  maxBytes: number;
  tls?: { key: string; cert: string };
  receive: ReceiveMail;
}): Promise<InboundSmtp> {
  const domain = opts.domain.toLowerCase();
  const server = new SMTPServer({
    name: domain,
    banner: 'PIM replies',
    size: opts.maxBytes,
    authOptional: true,
    disabledCommands: opts.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(opts.tls ? { key: opts.tls.key, cert: opts.tls.cert } : {}),
    logger: false,
    // Each message is held in memory up to maxBytes while it is handled: a relay needs few connections.
    maxClients: 10,
    socketTimeout: 60_000,
    onRcptTo(address, _session, callback) {
      const at = address.address.lastIndexOf('@');
      if (at < 0 || address.address.slice(at + 1).toLowerCase() !== domain)
        return callback(smtpError(550, `5.1.1 <${address.address}>: this server takes mail for ${domain} only`));
      callback();
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      let bytes = 0;
      stream.on('data', (c: Buffer) => {
        bytes += c.length;
        // Past the limit nothing more is kept: the message is refused once it has been read.
        if (bytes <= opts.maxBytes) chunks.push(c);
      });
      stream.on('error', (err) => callback(err));
      stream.on('end', () => {
        if (stream.sizeExceeded || bytes > opts.maxBytes)
          return callback(smtpError(552, `5.3.4 message larger than ${opts.maxBytes} bytes`));
        const from = session.envelope.mailFrom;
        const envelope = {
          mailFrom: from === false ? '' : from.address,
          recipients: session.envelope.rcptTo.map((r) => r.address),
        };
        opts.receive(Buffer.concat(chunks), envelope).then(
          () => callback(),
          (err: unknown) => {
            log.error('inbound mail: could not take a message; the relay will try again', err);
            callback(smtpError(451, '4.3.0 temporary failure, try again later'));
          },
        );
      });
    },
  });
  server.on('error', (err) => log.warn('inbound SMTP', err));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
