import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import request from 'supertest';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, logIn, testApp, visibleText } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';

let db: TestDb;
let app: Express;

beforeAll(async () => {
  db = await createTestDb();
  ({ app } = testApp(db));
});
afterAll(() => db.drop());

async function agent() {
  const org = await makeOrg(db.prisma);
  const p = await makePerson(db.prisma, org.id, { roles: ['PORTAL_ACCESS', 'MANAGE_OWN_TICKETS'] });
  const a = client(app);
  await logIn(a, p.email!, PASSWORD);
  return a;
}

describe('FAQ full-text search (Dutch dictionary)', () => {
  it('the FAQ page finds "factuur" when asked for "facturen" (stemming), and text as typed still matches', async () => {
    const a = await agent();
    const stemmed = visibleText((await a.get('/faq?q=facturen')).text);
    expect(stemmed).toContain('Ik heb een vraag over mijn factuur, waar kan ik terecht?');
    expect(stemmed).not.toContain('Hoe kan ik inloggen');
    expect(visibleText((await a.get('/faq?q=088 4 800')).text)).toContain('Ik heb een vraag over mijn factuur');
  });

  it('suggests up to five questions while a title is typed; any word may match; nothing for fewer than 3 characters', async () => {
    const a = await agent();
    const res = await a.get('/faq/suggest?q=' + encodeURIComponent('Vraag over de facturen van maart'));
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const questions = (res.body as { entries: { question: string }[] }).entries.map((e) => e.question);
    expect(questions[0]).toBe('Ik heb een vraag over mijn factuur, waar kan ik terecht?');
    expect(questions.length).toBeLessThanOrEqual(5);
    expect((await a.get('/faq/suggest?q=inlog')).body.entries.map((e: { question: string }) => e.question)).toEqual([
      'Hoe kan ik inloggen in het klantportaal PIM?',
    ]);
    expect((await a.get('/faq/suggest?q=fa')).body).toEqual({ entries: [] });
    expect((await a.get('/faq/suggest?q=' + encodeURIComponent("'); DROP TABLE x; --"))).status).toBe(200);
    expect((await request(app).get('/faq/suggest?q=factuur')).status).toBe(302);
  });

  it('the search can use the GIN index on the Dutch text', async () => {
    // Four rows: a scan is cheaper; forbidding it shows the index matches the query's expression.
    const plan = await db.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('SET LOCAL enable_seqscan = off');
      return tx.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(
        `EXPLAIN SELECT id FROM faq_entries WHERE to_tsvector('dutch', question_nl || ' ' || answer_nl) @@ to_tsquery('dutch', 'factuur:*')`,
      );
    });
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain('faq_entries_search_nl_idx');
  });
});
