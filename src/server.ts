import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { ConfigError, loadConfig, type Config } from './config.js';
import { startEmbeddedPostgres, type EmbeddedServer } from './db/embedded.js';
import { migrate, MigrationError } from './db/migrator.js';
import { openDb } from './db/client.js';
import { seedDemo, DEMO_PASSWORD } from './db/demo.js';
import { createApp } from './app.js';
import { systemClock } from './clock.js';
import { fileTransport, smtpTransport, startOutboxWorker } from './mail/mailer.js';
import { log, setLogLevel } from './log.js';
import { startThrottlePruning } from './auth/throttle.js';

/** Boot: config -> database (embedded or DATABASE_URL) -> migrate -> demo data -> listen. */
async function main(): Promise<void> {
  const started = Date.now();
  const config = loadConfig();
  setLogLevel(config.logLevel);

  if (config.production && !config.secureCookies) {
    log.warn('BASE_URL is not https: cookies are not marked Secure. Use this only for a local trial.');
  }
  let embedded: EmbeddedServer | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({ dir: path.join(config.dataDir, 'postgres'), port: config.embeddedPgPort, persistent: true });
    await ensureDatabase(embedded.url('postgres'), 'pim');
    databaseUrl = embedded.url('pim');
    log.info(`embedded PostgreSQL on port ${config.embeddedPgPort}, data in ${path.resolve(config.dataDir, 'postgres')}`);
  }
  const applied = await migrate(databaseUrl);
  if (applied.length) log.info(`applied migrations: ${applied.join(', ')}`);

  const db = openDb(databaseUrl, 20);
  const seeded = config.demoSeed ? await seedDemo(db.prisma) : { loaded: false };
  if (seeded.loaded) log.info('loaded the demo data');

  const transport = config.smtpUrl ? smtpTransport(config.smtpUrl) : fileTransport(path.join(config.dataDir, 'mail'));
  const worker = startOutboxWorker(db.prisma, transport, config.mailFrom);
  const pruning = startThrottlePruning(db.prisma, () => systemClock.now());
  const app = createApp({
    config,
    prisma: db.prisma,
    pool: db.pool,
    clock: systemClock,
    sessionSecret: sessionSecret(config),
    kickMail: () => void worker.kick(),
  });

  const server = app.listen(config.port, config.host, () => {
    const { port } = server.address() as AddressInfo;
    const url = config.baseUrl;
    const lines = [`PIM is running at ${url} (listening on ${config.host}:${port}, ready in ${Date.now() - started} ms)`];
    if (config.demoSeed) lines.push(`Demo login: j.jansen@vtel.nl / ${DEMO_PASSWORD}`);
    lines.push(config.smtpUrl ? 'Mail is sent through SMTP_URL.' : `Mail is written to ${path.resolve(config.dataDir, 'mail')} (set SMTP_URL to send it).`);
    console.log(lines.join('\n'));
  });
  server.keepAliveTimeout = 65_000;

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: draining`);
    // Stop accepting, let open requests finish, then close the pools and the database.
    server.close();
    server.closeIdleConnections();
    const force = setTimeout(() => server.closeAllConnections(), 10_000);
    await new Promise<void>((resolve) => server.on('close', () => resolve()));
    clearTimeout(force);
    pruning.stop();
    await worker.stop();
    await db.close();
    if (embedded) await embedded.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
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
  writeFileSync(file, secret, { mode: 0o600 });
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
