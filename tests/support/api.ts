import type { PrismaClient } from '../../src/db/client.js';
import { runCli } from '../../src/cli/program.js';

/** Runs the staff tool in-process against `prisma`; returns exit code and lines. */
export async function runPim(prisma: PrismaClient, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    prisma,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    now: () => new Date(),
    baseUrl: 'http://pim.test',
  });
  return { code, out, err };
}

/** Creates an API token with the staff tool (as staff would) and returns the token shown once. */
export async function makeToken(
  prisma: PrismaClient,
  scopes: string,
  name = 'test system',
): Promise<{ token: string; id: number }> {
  const r = await runPim(prisma, 'api-token:create', '--name', name, '--scopes', scopes);
  if (r.code !== 0) throw new Error(r.err.join('\n'));
  const token = /token \(shown only now[^:]*\): (\S+)/.exec(r.out.join('\n'))?.[1];
  const id = Number(/api token (\d+) created/.exec(r.out[0] ?? '')?.[1]);
  if (!token) throw new Error(`no token in ${r.out.join('\n')}`);
  return { token, id };
}

/** An invoice body as the ERP would PUT it. */
export function invoiceBody(organizationId: number, over: Record<string, unknown> = {}) {
  return {
    organizationId,
    title: 'Helpdesk juni',
    date: '2026-06-30',
    lines: [
      { description: 'Helpdesk uren', quantity: '2', unitPrice: '62.75', vatRate: '21' },
      { description: 'Licentie', quantity: 1, unitPrice: '10.00', vatRate: '9' },
    ],
    ...over,
  };
}
