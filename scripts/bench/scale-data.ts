/**
 * The benchmark's big data set, generated in set-based SQL (INSERT ... SELECT over
 * generate_series, never a row per statement) on top of the demo data. Scale 1 is 200
 * organisations, 20,000 contacts, 200,000 invoices (one line each), 50,000 tickets (a note per
 * ticket on average); `--scale 10` is ten times that. The demo organisation, where the demo
 * main contact logs in, is a large customer: 1% of every table's rows in its own organisation,
 * plus the average share in each of its subsidiaries (1.25% of all organisations).
 *
 * Secondary indexes of the filled tables are dropped first and rebuilt afterwards from their
 * own definitions (pg_indexes), which is how a bulk load is done: one sorted build per index
 * instead of two million random inserts into each.
 */
import type pg from 'pg';
import { DEMO_ORGANIZATION } from '../../src/demo/seed.js';

/** Rows per table at scale 1. */
export const PER_SCALE = { organizations: 200, contacts: 20_000, invoices: 200_000, tickets: 50_000 } as const;
/** The demo organisation's own share of each table. */
const DEMO_SHARE = 0.01;
/** Its subsidiaries, as a share of all organisations. */
const DEMO_SUBSIDIARY_SHARE = 0.0125;
const TABLES = ['organizations', 'contacts', 'contact_roles', 'invoices', 'invoice_lines', 'tickets', 'ticket_notes'];

/** One timed step of the load, for the report. */
export interface LoadStep {
  label: string;
  ms: number;
}

/** Row counts after the load. */
export type TableCounts = Record<string, number>;

/** A prime that does not divide n: i -> (i * p) mod n is then a permutation of 0..n-1. */
function coprimeStride(n: number): number {
  for (const p of [7919, 7927, 7933, 7937, 7949]) if (n % p !== 0) return p;
  throw new Error(`no stride for ${n}`);
}

/** Fills the migrated and demo-seeded database behind `c` to `scale` times PER_SCALE; returns each step's time. */
export async function loadScaleData(
  c: pg.Client,
  scale: number,
  log: (line: string) => void = () => {},
): Promise<LoadStep[]> {
  const steps: LoadStep[] = [];
  const step = async (label: string, sql: string, params: unknown[] = []) => {
    const t = Date.now();
    const res = await c.query(sql, params);
    const ms = Date.now() - t;
    steps.push({ label, ms });
    log(`  ${label}: ${(ms / 1000).toFixed(1)} s${res.rowCount ? ` (${res.rowCount.toLocaleString('en')} rows)` : ''}`);
  };
  const one = async <T>(sql: string, params: unknown[] = []): Promise<T> => (await c.query(sql, params)).rows[0] as T;

  const orgTotal = Math.round(PER_SCALE.organizations * scale);
  const contacts = Math.round(PER_SCALE.contacts * scale);
  const invoices = Math.round(PER_SCALE.invoices * scale);
  const tickets = Math.round(PER_SCALE.tickets * scale);

  await c.query(`SET maintenance_work_mem = '256MB'`);
  await c.query('SET synchronous_commit = off');
  const demo = await one<{ id: number } | undefined>(
    'SELECT id FROM organizations WHERE name = $1 AND parent_id IS NULL',
    [DEMO_ORGANIZATION],
  );
  if (!demo) throw new Error('the demo data is not there: load it first');
  const existing = await one<{ n: number; max: number }>(
    'SELECT count(*)::int AS n, max(id)::int AS max FROM organizations',
  );
  const newOrgs = Math.max(0, orgTotal - existing.n);
  const demoSubs = Math.max(0, Math.round(orgTotal * DEMO_SUBSIDIARY_SHARE) - 1); // the demo has one already

  const indexes = (
    await c.query<{ name: string; def: string }>(
      `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY($1)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass)`,
      [TABLES],
    )
  ).rows;
  await step(`drop ${indexes.length} secondary indexes`, indexes.map((i) => `DROP INDEX "${i.name}";`).join('\n'));

  // Organisations: the demo's new subsidiaries first, then groups of a main organisation and three subsidiaries.
  await step(
    `${newOrgs.toLocaleString('en')} organisations`,
    `INSERT INTO organizations (id, parent_id, name, active, postal_street, postal_postcode, postal_city, postal_country,
                                visit_city, visit_country, phone, email)
     SELECT $1::int + k,
            CASE WHEN k <= $3 THEN $4::int WHEN (k - $3) % 4 = 1 THEN NULL ELSE $1::int + k - ((k - $3 - 1) % 4) END,
            CASE WHEN k <= $3 THEN $5::text || ' vestiging ' || k
                 ELSE (ARRAY['Huisartsenpost','Apotheek','Zorggroep','Kliniek','Tandartspraktijk','Fysiotherapie','Gezondheidscentrum','Verloskundigen'])[1 + k % 8]
                      || ' ' || (ARRAY['Enschede','Hengelo','Almelo','Zwolle','Deventer','Utrecht','Amersfoort','Arnhem','Nijmegen','Groningen','Leeuwarden','Haarlem'])[1 + k % 12]
                      || ' ' || k END,
            k % 20 <> 0,
            'Hoofdstraat ' || (1 + k % 200), lpad((1000 + k % 8999)::text, 4, '0') || ' AB',
            (ARRAY['Enschede','Hengelo','Almelo','Zwolle','Deventer','Utrecht','Amersfoort','Arnhem','Nijmegen','Groningen','Leeuwarden','Haarlem'])[1 + k % 12],
            'Nederland', (ARRAY['Enschede','Hengelo','Almelo','Zwolle'])[1 + k % 4], 'Nederland',
            '088' || lpad(k::text, 7, '0'), 'info@org' || ($1::int + k) || '.example.nl'
       FROM generate_series(1, $2::int) k`,
    [existing.max, newOrgs, demoSubs, demo.id, DEMO_ORGANIZATION],
  );
  await c.query(`SELECT setval('organizations_id_seq', (SELECT max(id) FROM organizations))`);

  // How many rows of each table every organisation gets: the demo its fixed share, the others
  // a weight of 1 to 5 of the rest, rounded by cumulative sums so the totals are exact.
  await c.query('DROP TABLE IF EXISTS bench_plan');
  await c.query(
    `CREATE TEMP TABLE bench_plan AS
     WITH w AS (
       SELECT id AS org_id, name, row_number() OVER (ORDER BY id) AS ord,
              CASE WHEN id = $1 THEN 0 ELSE 1 + (id * 7) % 5 END::bigint AS w
         FROM organizations),
     cw AS (SELECT *, sum(w) OVER (ORDER BY ord) AS upto, sum(w) OVER () AS total FROM w),
     n AS (
       SELECT org_id, name, ord,
              CASE WHEN org_id = $1 THEN round($2 * $5::numeric)
                   ELSE floor(upto * ($2 - round($2 * $5::numeric)) / total) - floor((upto - w) * ($2 - round($2 * $5::numeric)) / total) END::int AS c_n,
              CASE WHEN org_id = $1 THEN round($3 * $5::numeric)
                   ELSE floor(upto * ($3 - round($3 * $5::numeric)) / total) - floor((upto - w) * ($3 - round($3 * $5::numeric)) / total) END::int AS i_n,
              CASE WHEN org_id = $1 THEN round($4 * $5::numeric)
                   ELSE floor(upto * ($4 - round($4 * $5::numeric)) / total) - floor((upto - w) * ($4 - round($4 * $5::numeric)) / total) END::int AS t_n
         FROM cw)
     SELECT *, (sum(c_n) OVER (ORDER BY ord) - c_n)::int AS c_start, (sum(i_n) OVER (ORDER BY ord) - i_n)::int AS i_start,
            (sum(t_n) OVER (ORDER BY ord) - t_n)::int AS t_start
       FROM n`,
    [demo.id, contacts, invoices, tickets, DEMO_SHARE],
  );
  // The plan as arrays: width_bucket(position, starts) finds a row's organisation by binary search.
  const PLAN = `(SELECT array_agg(org_id ORDER BY ord) AS org, array_agg(name ORDER BY ord) AS name,
                        array_agg(c_start ORDER BY ord) AS c_start, array_agg(c_n ORDER BY ord) AS c_n,
                        array_agg(i_start ORDER BY ord) AS i_start, array_agg(t_start ORDER BY ord) AS t_start
                   FROM bench_plan) p`;

  const contactBase = (await one<{ max: number }>('SELECT coalesce(max(id), 0)::int AS max FROM contacts')).max;
  // Contacts in organisation order, so each organisation's contacts have consecutive ids.
  await step(
    `${contacts.toLocaleString('en')} contacts`,
    `INSERT INTO contacts (id, organization_id, first_name, initials, infix, last_name, gender, email, phone, mobile,
                           private_city, private_country, active, web_access, deleted_at)
     SELECT $1::int + 1 + i, p.org[b], f.first, left(f.first, 1), (ARRAY[NULL,NULL,NULL,'de','van','van der','van den'])[1 + i % 7],
            l.last, f.gender::gender,
            lower(f.first || '.' || replace(l.last, ' ', '') || '.' || ($1::int + 1 + i) || '@org' || p.org[b] || '.example.nl'),
            '053' || lpad((i % 10000000)::text, 7, '0'), CASE WHEN i % 3 = 0 THEN '06' || lpad((i % 100000000)::text, 8, '0') END,
            (ARRAY['Enschede','Hengelo','Almelo','Zwolle','Deventer','Utrecht'])[1 + i % 6], 'Nederland',
            i % 10 <> 0, i % 3 = 0, CASE WHEN i % 100 = 0 THEN now() END
       FROM ${PLAN}, generate_series(0, $2::int - 1) i,
            LATERAL (SELECT width_bucket(i, p.c_start) AS b) bb,
            LATERAL (SELECT (ARRAY['Jan','Henk','Piet','Kees','Johan','Willem','Daan','Sem','Lucas','Bram','Anna','Emma','Sanne','Lisa','Fleur','Eva','Julia','Sophie','Tess','Maria'])[1 + (i * 7) % 20] AS first,
                            CASE WHEN (i * 7) % 20 < 10 THEN 'MALE' ELSE 'FEMALE' END AS gender) f,
            LATERAL (SELECT (ARRAY['Jansen','de Vries','Bakker','Visser','Smit','Meijer','Mulder','de Boer','Bos','Vos','Peters','Hendriks','Dekker','Brouwer','Dijkstra','Smits','de Graaf','van Dijk','Kok','Jacobs','Vermeulen','van den Berg','Willems','Hoekstra','Koster','Prins','Huisman','Kuipers','Wolters','Timmermans'])[1 + (i / 3) % 30] AS last) l`,
    [contactBase, contacts],
  );
  await c.query(`SELECT setval('contacts_id_seq', (SELECT max(id) FROM contacts))`);
  await step(
    'contact roles (people with web access)',
    `INSERT INTO contact_roles (contact_id, role)
     SELECT c.id, r.role::role FROM contacts c,
            unnest(ARRAY['PORTAL_ACCESS','MANAGE_PERSONAL_DATA','MANAGE_OWN_TICKETS','VIEW_MANUALS']) r(role)
      WHERE c.id > $1::int AND c.web_access
     UNION ALL
     SELECT c.id, 'VIEW_INVOICES'::role FROM contacts c WHERE c.id > $1::int AND c.web_access AND c.id % 9 = 0`,
    [contactBase],
  );
  await step(
    'main contacts of the new main organisations',
    `UPDATE organizations o SET main_contact_id = $1::int + 1 + p.c_start
       FROM bench_plan p WHERE o.id = p.org_id AND o.id > $2::int AND o.parent_id IS NULL AND p.c_n > 0`,
    [contactBase, existing.max],
  );

  // Invoices: numbers rise with the date, organisations interleave (a permutation spreads each
  // organisation's block over the whole period).
  const invoiceStride = coprimeStride(invoices);
  await step(
    `${invoices.toLocaleString('en')} invoices`,
    `INSERT INTO invoices (number, organization_id, title, invoice_date, payment_term_days, amount_excl_vat, vat_amount, organization_name)
     SELECT 1000000 + i, p.org[b],
            (ARRAY['Maandfactuur','Levering','Reparatie op locatie','Helpdesk','Abonnement Operator','Abonnement Recorder'])[1 + i % 6]
              || ' ' || to_char(d, 'TMMonth YYYY'),
            d, 30, a, round(a * 0.21, 2), p.name[b]
       FROM ${PLAN}, generate_series(0, $1::int - 1) i,
            LATERAL (SELECT width_bucket(((i::bigint * $2::int) % $1::int)::int, p.i_start) AS b,
                            DATE '2015-01-01' + (i::bigint * (current_date - DATE '2015-01-01') / $1::int)::int AS d,
                            ((i::bigint * 104729) % 500000) / 100.0 AS a) x`,
    [invoices, invoiceStride],
  );
  await step(
    'invoice lines (one per invoice)',
    `INSERT INTO invoice_lines (invoice_id, position, description, quantity, unit_price, vat_rate, amount_excl_vat)
     SELECT id, 1, title, 1, amount_excl_vat, 21, amount_excl_vat FROM invoices WHERE number >= 1000000`,
  );

  // Tickets: numbers rise with the report time; the last 3% are mostly still open, of the
  // older ones 1% waits for the customer and the rest is resolved.
  const ticketBase = (
    await one<{ max: number }>('SELECT greatest(coalesce(max(id), 0), 9999)::int AS max FROM tickets')
  ).max;
  const ticketStride = coprimeStride(tickets);
  await step(
    `${tickets.toLocaleString('en')} tickets`,
    `INSERT INTO tickets (id, organization_id, reporter_id, title, description, kind, status, application, module, helpdesk,
                          channel, reported_at, deadline, resolved_at)
     SELECT $1::int + 1 + i, p.org[b], CASE WHEN p.c_n[b] > 0 THEN $4::int + 1 + p.c_start[b] + i % p.c_n[b] END,
            (ARRAY['Storing telefonie','Internet verbinding valt weg','Snom instellen','Headset werkt niet','Nieuwe medewerker toevoegen',
                   'Wachtrij aanpassen','Opname terugzoeken','Doorschakeling wijzigen'])[1 + i % 8] || ' ' || i,
            'Omschrijving van melding ' || i,
            (ARRAY['INCIDENT','CHANGE','QUESTION','WISH','SERVICE_REQUEST'])[1 + i % 5]::ticket_kind, s.status::ticket_status,
            (ARRAY['Vcloud','Vtel Core netwerk','Hardware','Operator','Recorder'])[1 + i % 5], CASE WHEN i % 2 = 0 THEN 'Vcare' END,
            'Support Vtel', (ARRAY['PORTAL','PHONE','EMAIL','STAFF'])[1 + i % 4]::ticket_channel,
            t, (t + interval '3 days')::date, CASE WHEN s.status = 'RESOLVED' THEN t + interval '1 day' END
       FROM ${PLAN}, generate_series(0, $2::int - 1) i,
            LATERAL (SELECT width_bucket(((i::bigint * $3::int) % $2::int)::int, p.t_start) AS b,
                            TIMESTAMPTZ '2015-01-01 09:00+01' + (now() - TIMESTAMPTZ '2015-01-01 09:00+01') * (i::float8 / $2::int) AS t) x,
            LATERAL (SELECT CASE WHEN i >= $2::int - $2::int / 33
                                 THEN (ARRAY['NEW','IN_PROGRESS','WAITING_CUSTOMER','WAITING_SUPPLIER','SUPPORT_DESK_ACTION','PLANNED_INTERNAL','PLANNED_EXTERNAL','RESOLVED'])[1 + i % 8]
                                 WHEN i % 100 = 0 THEN 'WAITING_CUSTOMER' ELSE 'RESOLVED' END AS status) s`,
    [ticketBase, tickets, ticketStride, contactBase],
  );
  await c.query(`SELECT setval('tickets_id_seq', (SELECT max(id) FROM tickets))`);
  await step(
    'ticket notes (0 to 2 per ticket)',
    `INSERT INTO ticket_notes (ticket_id, author_id, staff_name, body, created_at)
     SELECT t.id, CASE WHEN g = 1 THEN t.reporter_id END, CASE WHEN g = 2 THEN 'Support Vtel' END,
            CASE WHEN g = 1 THEN 'Aanvulling van de melder' ELSE 'Antwoord van de helpdesk' END, t.reported_at + g * interval '2 hours'
       FROM tickets t, generate_series(1, t.id % 3) g WHERE t.id > $1::int`,
    [ticketBase],
  );

  for (const i of indexes) await step(`index ${i.name}`, i.def);
  await step('VACUUM ANALYZE', `VACUUM (ANALYZE) ${TABLES.join(', ')}`);
  await c.query('DROP TABLE bench_plan');
  return steps;
}

/** Rows per table, and the demo organisation's own share, for the report. */
export async function countRows(c: pg.Client): Promise<{ all: TableCounts; demo: TableCounts }> {
  const all: TableCounts = {};
  for (const t of TABLES) all[t] = Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${t}`)).rows[0]?.n);
  const demo: TableCounts = {};
  const org = `(SELECT id FROM organizations WHERE name = $1 AND parent_id IS NULL)`;
  demo.subsidiaries = Number(
    (
      await c.query<{ n: string }>(`SELECT count(*) AS n FROM organizations WHERE parent_id = ${org}`, [
        DEMO_ORGANIZATION,
      ])
    ).rows[0]?.n,
  );
  for (const t of ['contacts', 'invoices', 'tickets']) {
    demo[t] = Number(
      (
        await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${t} WHERE organization_id = ${org}`, [
          DEMO_ORGANIZATION,
        ])
      ).rows[0]?.n,
    );
  }
  return { all, demo };
}
