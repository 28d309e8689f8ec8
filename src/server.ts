import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { constants as osConstants } from 'node:os';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type http from 'node:http';
import express from 'express';
import pg from 'pg';
import { ConfigError, defaultBaseUrl, loadConfig, type Config } from './config.js';
import { forgetPortalUrl, recordPortalUrl } from './portal-url.js';
import { startEmbeddedPostgres, type EmbeddedServer } from './db/embedded.js';
import { migrate, MigrationError } from './db/migrator.js';
import { openDb } from './db/client.js';
import { seedDemo, DEMO_PASSWORD } from './demo/seed.js';
import { createStorage } from './storage/index.js';
import { createApp } from './app.js';
import { systemClock } from './clock.js';
import { fileTransport, smtpTransport, startOutboxWorker } from './mail/mailer.js';
import { log, setLogLevel } from './log.js';
import { startWebhookWorker } from './webhooks/worker.js';
import { startRetention } from './jobs/retention.js';
import { drainable, type Lifecycle } from './http/drain.js';
import { createMetrics, metricsOnlyApp, type Metrics } from './http/metrics.js';
import { createServices } from './services.js';

/** The signals that stop the portal (SIGHUP: the terminal of `npm start` closed). */
const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/** Boot: config -> database (embedded or DATABASE_URL) -> migrate -> demo data -> listen. */
async function main(): Promise<void> {
  const started = Date.now();
  // Until the portal is up, a signal ends the start at once, but through process.exit: the 'exit'
  // hooks run, so an embedded PostgreSQL already started is stopped, not left holding its data folder.
  const early = (signal: NodeJS.Signals) => process.exit(128 + osConstants.signals[signal]);
  for (const signal of STOP_SIGNALS) process.on(signal, early);
  const config = loadConfig();
  setLogLevel(config.logLevel);

  if (config.production && !config.secureCookies) {
    log.warn('BASE_URL is not https: cookies are not marked Secure. Use this only for a local trial.');
  }
  let embedded: EmbeddedServer | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({
      dir: path.join(config.dataDir, 'postgres'),
      port: config.embeddedPgPort,
      persistent: true,
    });
    await ensureDatabase(embedded.url('postgres'), 'pim');
    databaseUrl = embedded.url('pim');
    log.info(
      `embedded PostgreSQL on port ${config.embeddedPgPort}, data in ${path.resolve(config.dataDir, 'postgres')}`,
    );
  }
  const applied = await migrate(databaseUrl);
  if (applied.length) log.info(`applied migrations: ${applied.join(', ')}`);

  const db = openDb(databaseUrl, 20);
  const storage = createStorage(config.tickets.s3, db.prisma);
  const seeded = config.demoSeed ? await seedDemo(db.prisma, 'system', systemClock.now(), storage) : { loaded: false };
  if (seeded.loaded) log.info('loaded the demo data');

  const transport = config.smtpUrl ? smtpTransport(config.smtpUrl) : fileTransport(path.join(config.dataDir, 'mail'));
  const worker = startOutboxWorker(db.prisma, transport, config.mailFrom, {
    clock: systemClock,
    policy: config.mailRetry,
  });
  const webhooks = startWebhookWorker(db.prisma, config.api.webhookIntervalMs, {
    allowPrivate: config.api.webhookAllowPrivate,
  });
  // Every growing table keeps rows only for its retention (docs/retention.md): hourly, one instance at a time.
  const retention = startRetention({ prisma: db.prisma, pool: db.pool, storage, clock: systemClock });
  const lifecycle: Lifecycle = { draining: false };
  const metrics = config.metrics.enabled
    ? createMetrics({ prisma: db.prisma, pool: db.pool, process: true })
    : undefined;
  const metricsServer = metrics && config.metrics.port ? startMetricsServer(metrics, config) : undefined;
  // Listen first, so that without BASE_URL the links in mails name the port really in use (PORT=0 too).
  const server = createServer();
  const drain = drainable(server, lifecycle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = config.baseUrlConfigured ? config.baseUrl : defaultBaseUrl(config.host, port);
  const app = createApp({
    config: { ...config, baseUrl },
    lifecycle,
    metrics,
    prisma: db.prisma,
    pool: db.pool,
    storage,
    clock: systemClock,
    sessionSecret: sessionSecret(config),
    kickMail: () => void worker.kick(),
  });
  server.on('request', app);
  // Replies to ticket mails (docs/inbound-mail.md): the SMTP listener and/or the IMAP poller.
  const services = createServices({
    db: db.prisma,
    clock: systemClock,
    storage,
    config: { ...config, baseUrl },
    baseUrl,
    kickMail: () => void worker.kick(),
  });
  // The SMTP and IMAP libraries load only when configured: a portal without mail intake does not hold them.
  const inboundSmtp = config.inbound?.smtp
    ? await (
        await import('./mail/inbound-smtp.js')
      ).startInboundSmtp({
        ...config.inbound.smtp,
        tls: config.inbound.smtp.tls,
        domain: config.inbound.domain,
        maxBytes: config.inbound.maxBytes,
        receive: (raw, envelope) => services.tickets.inbound.receive(raw, envelope),
      })
    : undefined;
  const imapPoller = config.inbound?.imap
    ? (await import('./mail/inbound-imap.js')).startImapPoller(db.prisma, {
        ...config.inbound.imap,
        maxBytes: config.inbound.maxBytes,
        receive: (raw) => services.tickets.inbound.receive(raw),
      })
    : undefined;
  // What arrived is kept for the retention, then goes (rows and raw messages); hourly, like the sweeps.
  const pruneInbound = () => void services.tickets.inbound.prune().catch((e) => log.warn('pruning inbound mail', e));
  if (config.inbound) pruneInbound();
  const inboundPruner = config.inbound ? setInterval(pruneInbound, 3_600_000) : undefined;
  inboundPruner?.unref();
  if (!recordPortalUrl(config.dataDir, baseUrl))
    log.warn(`cannot write ${config.dataDir}: the staff tool's mails link to BASE_URL or PORT, not this instance`);
  const lines = [
    `PIM is running at ${baseUrl} (listening on ${config.host}:${port}, ready in ${Date.now() - started} ms)`,
  ];
  if (config.demoSeed) lines.push(`Demo login: j.jansen@vtel.nl / ${DEMO_PASSWORD}`);
  if (inboundSmtp)
    lines.push(`Replies to ticket mails are taken on ${config.inbound!.smtp!.host}:${inboundSmtp.port} (SMTP).`);
  if (imapPoller)
    lines.push(
      `Replies to ticket mails are fetched from ${new URL(config.inbound!.imap!.url).host} (IMAP, ${config.inbound!.imap!.auth.kind} login).`,
    );
  lines.push(
    config.smtpUrl
      ? 'Mail is sent through SMTP_URL.'
      : `Mail is written to ${path.resolve(config.dataDir, 'mail')} (set SMTP_URL to send it).`,
  );
  server.keepAliveTimeout = 65_000;

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: draining (readiness 503; requests running get up to ${config.shutdown.timeoutMs} ms)`);
    let code = 0;
    try {
      // Readiness first, then stop accepting, let open responses finish (idle keep-alive
      // connections closed), then close the pools and the database.
      await drain(config.shutdown);
      log.info('shutdown: last response done');
      metricsServer?.close();
      forgetPortalUrl(config.dataDir);
      await retention.stop();
      clearInterval(inboundPruner);
      await inboundSmtp?.close();
      await imapPoller?.stop();
      await worker.stop();
      await webhooks.stop();
      await db.close();
      if (embedded) await embedded.stop();
    } catch (err) {
      // Said, and the exit code says so; the 'exit' hook still stops an embedded PostgreSQL.
      log.error('shutdown', err);
      code = 1;
    }
    process.exit(code);
  };
  // The handlers are in place before the line that says the portal is up: a SIGTERM sent right
  // after it (by an orchestrator or a test) drains instead of killing the process outright.
  for (const signal of STOP_SIGNALS) {
    process.removeListener(signal, early);
    process.on(signal, () => void stop(signal));
  }
  console.log(lines.join('\n'));
}

/** The metrics listener of its own (METRICS_PORT), e.g. on an address only the monitoring network reaches. */
function startMetricsServer(metrics: Metrics, config: Config): http.Server {
  const app = express();
  app.disable('x-powered-by');
  app.use(metricsOnlyApp(metrics, config.metrics.token));
  // Express 5 hands a failed listen (the port taken) to this callback: said, not logged as up.
  return app.listen(config.metrics.port ?? 0, config.metrics.host, (err?: Error) =>
    err
      ? log.error(`metrics: cannot listen on ${config.metrics.host}:${config.metrics.port}`, err)
      : log.info(`metrics on http://${config.metrics.host}:${config.metrics.port}/metrics`),
  );
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    const { rowCount } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
}

/** SESSION_SECRET, or on a developer's machine one made once and kept in .data/. */
function sessionSecret(config: Config): string {
  if (config.sessionSecret) return config.sessionSecret;
  const file = path.join(config.dataDir, 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  // Written whole under a name of its own, then linked into place (which fails when the file is
  // there): two instances starting at once on a fresh folder both end up with the first one's.
  const mine = `${file}.${process.pid}`;
  writeFileSync(mine, secret, { mode: 0o600 });
  try {
    linkSync(mine, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readFileSync(file, 'utf8').trim();
  } finally {
    rmSync(mine, { force: true });
  }
  return secret;
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof MigrationError) {
    console.error(err.message);
  } else {
    console.error(err);
  }
  process.exit(1);
});
