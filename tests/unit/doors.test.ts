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

/** Files not yet moved onto the services (issue 18); the list only shrinks. */
const NOT_YET: readonly string[] = [];

describe('the three doors', () => {
  it('find the files of the pages, the API and the staff tool', () => {
    const files = doorFiles();
    expect(files).toContain(path.join('features', 'contacts', 'routes.ts'));
    expect(files).toContain(path.join('api', 'resources', 'contacts.ts'));
    expect(files).toContain(path.join('cli', 'commands', 'tickets.ts'));
    expect(files.length).toBeGreaterThan(40);
  });

  it('never touch the database themselves: they call services', () => {
    const offences = doorFiles()
      .filter((f) => !NOT_YET.includes(f))
      .flatMap((f) => {
        const text = readFileSync(path.join(SRC, f), 'utf8');
        return DATABASE.filter((d) => d.re.test(text)).map((d) => `${f} ${d.what}`);
      });
    expect(offences).toEqual([]);
  });

  it('keep no file on the not-yet list that already calls services only', () => {
    expect(NOT_YET.filter((f) => !doorFiles().includes(f))).toEqual([]);
    const clean = NOT_YET.filter((f) => !DATABASE.some((d) => d.re.test(readFileSync(path.join(SRC, f), 'utf8'))));
    expect(clean).toEqual([]);
  });
});
