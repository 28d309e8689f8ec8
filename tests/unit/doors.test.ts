import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// "One domain, three doors": the pages, the API and the staff tool parse, call a service and
// render. Only services touch the database; a door that reaches it writes a rule a second time.

const SRC = path.resolve(import.meta.dirname, '../../src');

function filesUnder(dir: string): string[] {
  return readdirSync(path.join(SRC, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.relative(SRC, path.join(e.parentPath, e.name)));
}

/**
 * Every file of the three doors: the feature files that serve pages (they import express), the
 * API's resources and its route declaration, the staff tool's commands. Their wiring (src/app.ts,
 * src/api/router.ts, src/cli/program.ts and index.ts) builds the services from the database, as
 * src/server.ts opens it, and is not a door.
 */
function doorFiles(): string[] {
  const pages = filesUnder('features').filter((f) => /from 'express'/.test(readFileSync(path.join(SRC, f), 'utf8')));
  const api = [...filesUnder(path.join('api', 'resources')), path.join('api', 'define.ts')];
  const cli = filesUnder(path.join('cli', 'commands'));
  return [...pages, ...api, ...cli].sort();
}

const DATABASE = [
  { what: 'imports the database client', re: /from '[./]*\/?db\/client\.js'/ },
  { what: 'holds the Prisma client', re: /\bprisma\b/ },
  {
    what: 'runs its own SQL or transaction',
    re: /\$(queryRaw|executeRaw|queryRawUnsafe|executeRawUnsafe|transaction)\b/,
  },
  { what: "uses the API context's database", re: /\bctx\.db\b/ },
];

/** A sample of what each pattern must catch, so the check cannot pass by matching nothing. */
const CAUGHT = [
  "import { prisma } from '../../db/client.js';",
  'const rows = await deps.prisma.contact.findMany();',
  'await tx.$queryRaw`SELECT 1`;',
  'const c = await ctx.db.contact.findFirst();',
];

describe('the three doors', () => {
  it('find the files of the pages, the API and the staff tool', () => {
    const files = doorFiles();
    expect(files).toContain(path.join('features', 'contacts', 'routes.ts'));
    expect(files).toContain(path.join('api', 'resources', 'contacts.ts'));
    expect(files).toContain(path.join('cli', 'commands', 'tickets.ts'));
    expect(files.length).toBeGreaterThan(40);
  });

  it('never touch the database themselves: they call services', () => {
    for (const sample of CAUGHT) expect([sample, DATABASE.some((d) => d.re.test(sample))]).toEqual([sample, true]);
    const offences = doorFiles().flatMap((f) => {
      const text = readFileSync(path.join(SRC, f), 'utf8');
      return DATABASE.filter((d) => d.re.test(text)).map((d) => `${f} ${d.what}`);
    });
    expect(offences).toEqual([]);
  });

  it('reach another feature only through its services, never its files', () => {
    const offences = filesUnder('features').flatMap((f) => {
      const own = f.split(path.sep)[1]!;
      const text = readFileSync(path.join(SRC, f), 'utf8');
      return [...text.matchAll(/^import (type )?[^;]*? from '\.\.\/([a-z-]+)\/([a-z-]+)\.js';/gm)]
        .filter((m) => m[2] !== own && !(m[1] && m[3] === 'services'))
        .map((m) => `${f} imports ${m[2]}/${m[3]}`);
    });
    expect(offences).toEqual([]);
    // Nothing outside the features reaches into one either, but the doors and the wiring.
    const outside = ['auth', 'mail', 'webhooks', 'storage', 'http', 'jobs', 'demo', 'db'].flatMap((dir) =>
      filesUnder(dir).filter((f) => /from '(\.\.\/)+features\//.test(readFileSync(path.join(SRC, f), 'utf8'))),
    );
    expect(outside).toEqual([]);
  });
});
