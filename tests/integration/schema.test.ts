import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.js';

// @prisma/internals is CommonJS; getDMMF parses schema.prisma with Prisma's own parser (wasm, no engine).
const { getDMMF } = createRequire(import.meta.url)('@prisma/internals') as {
  getDMMF: (o: { datamodel: string }) => Promise<Dmmf>;
};

interface DmmfField {
  name: string;
  dbName: string | null;
  kind: 'scalar' | 'enum' | 'object';
  type: string;
  isRequired: boolean;
  isList: boolean;
  isUnique: boolean;
  isId: boolean;
  nativeType: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
  primaryKey: { fields: string[] } | null;
  uniqueFields: string[][];
}
interface Dmmf {
  datamodel: {
    models: DmmfModel[];
    enums: { name: string; dbName: string | null; values: { name: string }[] }[];
    indexes: {
      model: string;
      type: 'id' | 'normal' | 'unique' | 'fulltext';
      fields: { name: string }[];
      dbName?: string | null;
    }[];
  };
}

interface Column {
  table_name: string;
  column_name: string;
  data_type: string;
  udt_name: string;
  is_nullable: 'YES' | 'NO';
  numeric_precision: number | null;
  numeric_scale: number | null;
  datetime_precision: number | null;
}

let db: TestDb;
let dmmf: Dmmf;
let columns: Column[];
let indexes: { table: string; name: string; unique: boolean; primary: boolean; columns: string[] }[];
let fks: { table: string; columns: string[]; ref_table: string; ref_columns: string[]; on_delete: string }[];

beforeAll(async () => {
  db = await createTestDb();
  dmmf = await getDMMF({ datamodel: readFileSync('prisma/schema.prisma', 'utf8') });
  columns = await db.prisma.$queryRaw<Column[]>`
    SELECT table_name, column_name, data_type, udt_name, is_nullable, numeric_precision, numeric_scale, datetime_precision
    FROM information_schema.columns WHERE table_schema = 'public'`;
  indexes = await db.prisma.$queryRaw`
    SELECT t.relname AS table, i.relname AS name, ix.indisunique AS unique, ix.indisprimary AS primary,
           ARRAY(SELECT a.attname::text FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, n)
                 JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n) AS columns
    FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_class i ON i.oid = ix.indexrelid
    JOIN pg_namespace ns ON ns.oid = t.relnamespace WHERE ns.nspname = 'public'`;
  fks = await db.prisma.$queryRaw`
    SELECT c.conrelid::regclass::text AS table, c.confrelid::regclass::text AS ref_table,
           ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n)
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.n) AS columns,
           ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(attnum, n)
                 JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.n) AS ref_columns,
           c.confdeltype::text AS on_delete
    FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace`;
});
afterAll(() => db.drop());

const tableOf = (m: DmmfModel) => m.dbName ?? m.name;
const columnOf = (f: DmmfField) => f.dbName ?? f.name;
const scalarFields = (m: DmmfModel) => m.fields.filter((f) => f.kind !== 'object');

/** The PostgreSQL type Prisma creates for a field (what `prisma migrate` would write). */
function expectedType(f: DmmfField, enums: Dmmf['datamodel']['enums']): string {
  const native = f.nativeType?.[0];
  const args = f.nativeType?.[1] ?? [];
  if (f.kind === 'enum') return enums.find((e) => e.name === f.type)!.dbName ?? f.type;
  switch (f.type) {
    case 'String':
      return native === 'VarChar' ? 'varchar' : 'text';
    case 'Int':
      return 'int4';
    case 'BigInt':
      return 'int8';
    case 'Boolean':
      return 'bool';
    case 'Bytes':
      return 'bytea';
    case 'Json':
      return native === 'Json' ? 'json' : 'jsonb';
    case 'Decimal':
      return `numeric(${args.join(',') || '65,30'})`;
    case 'DateTime':
      if (native === 'Date') return 'date';
      if (native === 'Timestamptz') return `timestamptz(${args[0] ?? 3})`;
      return `timestamp(${args[0] ?? 3})`;
    default:
      throw new Error(`no mapping for ${f.type}`);
  }
}

function actualType(c: Column): string {
  if (c.udt_name === 'numeric') return `numeric(${c.numeric_precision},${c.numeric_scale})`;
  if (c.udt_name === 'timestamptz' || c.udt_name === 'timestamp') return `${c.udt_name}(${c.datetime_precision})`;
  return c.udt_name;
}

describe('schema.prisma and the migrated database', () => {
  it('has a table for every model and a model for every table', () => {
    const modelTables = dmmf.datamodel.models.map(tableOf).sort();
    const dbTables = [...new Set(columns.map((c) => c.table_name))].filter((t) => t !== '_prisma_migrations').sort();
    expect(dbTables).toEqual(modelTables);
  });

  it('has every field as a column of the right type and nullability, and no column without a field', () => {
    const problems: string[] = [];
    for (const m of dmmf.datamodel.models) {
      const cols = columns.filter((c) => c.table_name === tableOf(m));
      for (const f of scalarFields(m)) {
        const col = cols.find((c) => c.column_name === columnOf(f));
        if (!col) {
          problems.push(`${m.name}.${f.name}: no column ${tableOf(m)}.${columnOf(f)}`);
          continue;
        }
        // A scalar list (String[]) is a PostgreSQL array: its type is the element's with a leading _.
        const want = (f.isList ? '_' : '') + expectedType(f, dmmf.datamodel.enums);
        if (actualType(col) !== want)
          problems.push(`${m.name}.${f.name}: type ${actualType(col)}, schema says ${want}`);
        if ((col.is_nullable === 'NO') !== f.isRequired)
          problems.push(`${m.name}.${f.name}: nullable ${col.is_nullable}`);
      }
      for (const col of cols) {
        if (!scalarFields(m).some((f) => columnOf(f) === col.column_name))
          problems.push(`${tableOf(m)}.${col.column_name}: not in schema.prisma`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('has the enums with the same values', async () => {
    const rows = await db.prisma.$queryRaw<{ name: string; values: string[] }[]>`
      SELECT t.typname AS name, ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS values
      FROM pg_type t WHERE t.typtype = 'e' AND t.typnamespace = 'public'::regnamespace`;
    const want = dmmf.datamodel.enums.map((e) => ({ name: e.dbName ?? e.name, values: e.values.map((v) => v.name) }));
    expect(rows.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      want.sort((a, b) => a.name.localeCompare(b.name)),
    );
  });

  it('has the primary keys, unique indexes and indexes of the schema', () => {
    expect(dmmf.datamodel.indexes.filter((i) => i.type === 'id').length).toBe(dmmf.datamodel.models.length);
    expect(dmmf.datamodel.indexes.filter((i) => i.type !== 'id').length).toBeGreaterThan(20);
    const problems: string[] = [];
    const colsOf = (m: DmmfModel, names: string[]) => names.map((n) => columnOf(m.fields.find((f) => f.name === n)!));
    for (const ix of dmmf.datamodel.indexes) {
      const m = dmmf.datamodel.models.find((x) => x.name === ix.model)!;
      const want = colsOf(
        m,
        ix.fields.map((f) => f.name),
      );
      const found = indexes.find(
        (i) =>
          i.table === tableOf(m) &&
          JSON.stringify(i.columns) === JSON.stringify(want) &&
          (ix.type === 'id' ? i.primary : ix.type === 'unique' ? i.unique : true),
      );
      if (!found) problems.push(`${ix.model} ${ix.type} (${want.join(', ')})`);
    }
    expect(problems).toEqual([]);
  });

  it('has every relation as a foreign key with the same delete rule', () => {
    const rule: Record<string, string> = { Cascade: 'c', Restrict: 'r', SetNull: 'n', NoAction: 'a', SetDefault: 'd' };
    const problems: string[] = [];
    for (const m of dmmf.datamodel.models) {
      for (const f of m.fields.filter((x) => x.kind === 'object' && x.relationFromFields?.length)) {
        const target = dmmf.datamodel.models.find((x) => x.name === f.type)!;
        const cols = f.relationFromFields!.map((n) => columnOf(m.fields.find((x) => x.name === n)!));
        const refCols = f.relationToFields!.map((n) => columnOf(target.fields.find((x) => x.name === n)!));
        const fk = fks.find((k) => k.table === tableOf(m) && JSON.stringify(k.columns) === JSON.stringify(cols));
        if (!fk) problems.push(`${m.name}.${f.name}: no foreign key`);
        else if (fk.ref_table !== tableOf(target) || JSON.stringify(fk.ref_columns) !== JSON.stringify(refCols))
          problems.push(`${m.name}.${f.name}: points elsewhere`);
        else if (fk.on_delete !== rule[f.relationOnDelete ?? (f.isRequired ? 'Restrict' : 'SetNull')])
          problems.push(`${m.name}.${f.name}: on delete ${fk.on_delete}`);
      }
    }
    const modelled = dmmf.datamodel.models.flatMap((m) =>
      m.fields.filter((f) => f.relationFromFields?.length).map(() => 1),
    ).length;
    expect(problems).toEqual([]);
    expect(fks.length).toBe(modelled);
  });

  it('continues ticket numbers after the imported history', async () => {
    const [row] = await db.prisma.$queryRaw<
      { start: bigint }[]
    >`SELECT start_value AS start FROM pg_sequences WHERE sequencename = 'tickets_id_seq'`;
    expect(Number(row!.start)).toBeGreaterThan(9969);
  });
});
