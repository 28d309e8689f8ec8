import type pg from 'pg';

/** One statement as a service sent it to the pool (src/db/read.ts: `{ name, text, values }`). */
export interface SentStatement {
  text: string;
  values: unknown[];
}

/**
 * A pool that runs every statement on `pool` and keeps what was sent, so a test can EXPLAIN
 * exactly the statements a page runs.
 */
export function recordingPool(pool: pg.Pool): { pool: pg.Pool; sent: SentStatement[] } {
  const sent: SentStatement[] = [];
  const recording = {
    query: (q: { text: string; values?: unknown[] }) => {
      sent.push({ text: q.text, values: q.values ?? [] });
      return pool.query({ text: q.text, values: q.values ?? [] });
    },
  };
  return { pool: recording as unknown as pg.Pool, sent };
}

/** A node of EXPLAIN (ANALYZE, FORMAT JSON). */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Sort Method'?: string;
  'Sort Key'?: string[];
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

/** Every node of a plan, the root first. */
export const planNodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(planNodes)];

/** The rows a node gave over all its loops. */
const rowsOf = (n: PlanNode) => n['Actual Rows'] * n['Actual Loops'];
/** The rows a scan read over all its loops: those it gave and those its filters dropped (per loop in EXPLAIN). */
const readOf = (n: PlanNode) =>
  (n['Actual Rows'] + (n['Rows Removed by Filter'] ?? 0) + (n['Rows Removed by Index Recheck'] ?? 0)) *
  n['Actual Loops'];

/** What a test asserts on a plan: the largest sort's input, the rows read from a table's heap, its scans. */
export interface PlanFacts {
  ms: number;
  /** The most rows a Sort in the list's order took in (its input's rows over all loops). */
  largestSort: number;
  /** Rows read from `table` by scans that visit the heap, filtered out or not (index-only scans: the counts'). */
  heapRows: number;
  /** Node types that read `table` (Seq Scan, Index Scan, Index Only Scan, Bitmap Heap Scan). */
  scans: string[];
  text: string;
}

/**
 * EXPLAIN (ANALYZE) of a statement as the pool runs it: a named prepared statement, so after
 * five runs PostgreSQL may use its generic plan; `generic` forces that plan, otherwise the plan
 * for these values. `orderedBy`: a column of the list's order (a Sort by other keys, as the counts'
 * GROUP BY may do over index-only rows, is not a sort of the selection).
 */
export async function explainSent(
  pool: pg.Pool,
  s: SentStatement,
  on: { table: string; orderedBy: string },
  generic: boolean,
): Promise<PlanFacts> {
  const { table, orderedBy } = on;
  const c = await pool.connect();
  try {
    await c.query(`SET plan_cache_mode = ${generic ? 'force_generic_plan' : 'force_custom_plan'}`);
    await c.query(`PREPARE explained AS ${s.text}`);
    // EXECUTE's arguments as quoted literals: PostgreSQL casts each to its parameter's type.
    const literal = (v: unknown): string => {
      if (v === null || v === undefined) return 'NULL';
      if (v instanceof Date) return c.escapeLiteral(v.toISOString());
      if (Array.isArray(v)) return c.escapeLiteral(`{${v.join(',')}}`);
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return c.escapeLiteral(String(v));
      throw new Error(`no SQL literal for ${typeof v}`);
    };
    const args = s.values.map(literal).join(', ');
    const run = `EXECUTE explained${args ? `(${args})` : ''}`;
    const { rows } = await c.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${run}`);
    const { rows: textRows } = await c.query(`EXPLAIN (ANALYZE) ${run}`);
    const plan = (rows[0] as { 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }] })['QUERY PLAN'][0];
    const all = planNodes(plan.Plan);
    const onTable = all.filter((n) => n['Relation Name'] === table);
    return {
      ms: plan['Execution Time'],
      largestSort: Math.max(
        0,
        ...all
          .filter((n) => n['Node Type'] === 'Sort' && (n['Sort Key'] ?? []).some((k) => k.includes(orderedBy)))
          .map((n) => (n.Plans ?? []).reduce((a, p) => a + rowsOf(p), 0)),
      ),
      heapRows: onTable.filter((n) => n['Node Type'] !== 'Index Only Scan').reduce((a, n) => a + readOf(n), 0),
      scans: [...new Set(onTable.map((n) => n['Node Type']))],
      text: textRows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n'),
    };
  } finally {
    await c.query('DEALLOCATE explained').catch(() => {});
    await c.query('RESET plan_cache_mode').catch(() => {});
    c.release();
  }
}
