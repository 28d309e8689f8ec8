/**
 * The staff tool: `npm run pim -- <command>` (see `npm run pim -- --help`).
 * Uses DATABASE_URL when set; otherwise the embedded PostgreSQL in <DATA_DIR>/postgres: the
 * running one (e.g. the one `npm start` started), or one started just for this command.
 */
import path from 'node:path';
import pg from 'pg';
import { loadConfig, ConfigError } from '../config.js';
import { openDb } from '../db/client.js';
import { embeddedUrl, runningEmbeddedPort, startEmbeddedPostgres, type EmbeddedServer } from '../db/embedded.js';
import { migrate } from '../db/migrator.js';
import { runCli } from './program.js';
import { runningPortalUrl } from '../portal-url.js';
import { createStorage } from '../storage/index.js';

const DATABASE = 'pim';

/** Creates the `pim` database on the embedded server when it is not there yet. */
async function ensureDatabase(port: number): Promise<void> {
  const client = new pg.Client({ connectionString: embeddedUrl(port, 'postgres') });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE ${DATABASE}`).catch((e: { code?: string }) => {
        if (e.code !== '42P04') throw e; // created meanwhile by the server: fine
      });
    }
  } finally {
    await client.end();
  }
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const out = (line: string) => process.stdout.write(line + '\n');
  const err = (line: string) => process.stderr.write(line + '\n');

  // Help needs no database.
  const isHelp = (a: string | undefined) => a === '--help' || a === '-h';
  if (argv.length === 0 || isHelp(argv[0]) || argv[0] === 'help' || (argv.length === 2 && isHelp(argv[1]))) {
    return runCli(argv, { prisma: undefined as never, out, err, now: () => new Date(), baseUrl: '' });
  }

  const config = loadConfig();
  let server: EmbeddedServer | undefined;
  let url = config.databaseUrl;
  try {
    if (!url) {
      const dir = path.join(config.dataDir, 'postgres');
      let port = runningEmbeddedPort(dir);
      if (port === undefined) {
        server = await startEmbeddedPostgres({ dir, port: config.embeddedPgPort, persistent: true });
        port = config.embeddedPgPort;
      }
      await ensureDatabase(port);
      url = embeddedUrl(port, DATABASE);
    }
    await migrate(url);
    const db = openDb(url, 2);
    try {
      // Links in mails: BASE_URL, else the portal running with this DATA_DIR, else what `npm start` would use.
      const baseUrl = config.baseUrlConfigured ? config.baseUrl : (runningPortalUrl(config.dataDir) ?? config.baseUrl);
      return await runCli(argv, {
        prisma: db.prisma,
        out,
        err,
        now: () => new Date(),
        baseUrl,
        config,
        storage: createStorage(config.tickets.s3, db.prisma),
      });
    } finally {
      await db.close();
    }
  } finally {
    if (server) await server.stop().catch(() => {});
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof ConfigError) process.stderr.write(e.message + '\n');
    else process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
