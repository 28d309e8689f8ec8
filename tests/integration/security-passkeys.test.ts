import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createTestDb, type TestDb } from '../support/db.js';
import { client, csrfFrom, logIn, testApp, visibleText } from '../support/app.js';
import { makeOrg, makePerson, PASSWORD } from '../support/factories.js';
import { loadActor } from '../../src/auth/actor.js';
import { disableTotp } from '../../src/features/security/service.js';
import { removePasskey } from '../../src/features/security/passkey-service.js';

let db: TestDb;
let app: Express;
let orgId: number;

beforeAll(async () => {
  db = await createTestDb();
  ({ app } = testApp(db));
  orgId = (await makeOrg(db.prisma)).id;
});
afterAll(() => db.drop());

const ROLES = ['PORTAL_ACCESS', 'MANAGE_PERSONAL_DATA'] as const;

async function passkeyOf(contactId: number, name = 'Sleutel') {
  return db.prisma.passkey.create({
    data: {
      contactId,
      credentialId: `cred-${contactId}-${name}`,
      userHandle: 'aGFuZGxl',
      publicKey: Buffer.from([1, 2, 3]),
      name,
    },
  });
}

describe('passkeys without a browser that makes them', () => {
  it('the add form without a credential (no JavaScript) says what is needed and adds nothing', async () => {
    const p = await makePerson(db.prisma, orgId, { roles: [...ROLES] });
    const a = client(app);
    await logIn(a, p.email!, PASSWORD);
    const page = await a.get('/profile/security');
    expect(visibleText(page.text)).toContain(
      'Passkeys werken in een browser met JavaScript en ondersteuning voor passkeys.',
    );
    const res = await a
      .post('/profile/security/passkeys')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'Laptop', credential: '' });
    expect(res.status).toBe(302);
    expect(visibleText((await a.get('/profile/security')).text)).toContain(
      'Passkeys werken in een browser met JavaScript',
    );
    expect(await db.prisma.passkey.count({ where: { contactId: p.id } })).toBe(0);
  });

  it('a forged credential is refused, for the second step and for the passkey login', async () => {
    const p = await makePerson(db.prisma, orgId, { roles: [...ROLES] });
    const key = await passkeyOf(p.id);
    const forged = JSON.stringify({
      id: key.credentialId,
      rawId: key.credentialId,
      type: 'public-key',
      clientExtensionResults: {},
      response: { clientDataJSON: 'e30', authenticatorData: 'AA', signature: 'AA', userHandle: key.userHandle },
    });

    const anon = client(app);
    const login = await anon.get('/login');
    const options = await anon.post('/login/passkey/options').set('x-csrf-token', csrfFrom(login.text));
    expect(options.status).toBe(200);
    expect(options.body.challenge).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(options.body.allowCredentials ?? []).toEqual([]);
    const res = await anon
      .post('/login/passkey')
      .type('form')
      .send({ _csrf: csrfFrom(login.text), credential: forged });
    expect(res.headers.location).toBe('/login');
    expect(visibleText((await anon.get('/login')).text)).toContain('Inloggen met de passkey is niet gelukt.');
    expect((await anon.get('/')).status).toBe(302);

    // After the password the second step offers the passkey; a forged one does not pass.
    const b = client(app);
    await logIn(b, p.email!, PASSWORD);
    const step = await b.get('/login/second-step');
    expect(visibleText(step.text)).toContain('Gebruik een passkey');
    const opts = await b.post('/login/second-step/passkey/options').set('x-csrf-token', csrfFrom(step.text));
    expect(opts.body.allowCredentials.map((c: { id: string }) => c.id)).toEqual([key.credentialId]);
    const second = await b
      .post('/login/second-step/passkey')
      .type('form')
      .send({ _csrf: csrfFrom(step.text), credential: forged });
    expect(second.headers.location).toBe('/login/second-step');
    expect((await b.get('/')).status).toBe(302);
    expect((await db.prisma.passkey.findUniqueOrThrow({ where: { id: key.id } })).lastUsedAt).toBeNull();
  });

  it("another person's passkey cannot be renamed or removed (404, unchanged); the last one is kept when the organisation requires two-step login", async () => {
    const p = await makePerson(db.prisma, orgId, { roles: [...ROLES] });
    const q = await makePerson(db.prisma, orgId, { roles: [...ROLES] });
    const theirs = await passkeyOf(q.id, 'Van q');
    const a = client(app);
    await logIn(a, p.email!, PASSWORD);
    const page = await a.get('/profile/security');
    for (const action of ['rename', 'remove']) {
      const res = await a
        .post(`/profile/security/passkeys/${theirs.id}/${action}`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), name: 'Overgenomen' });
      expect(res.status, action).toBe(404);
    }
    expect(await db.prisma.passkey.findUniqueOrThrow({ where: { id: theirs.id } })).toMatchObject({ name: 'Van q' });

    const required = await makeOrg(db.prisma);
    const r = await makePerson(db.prisma, required.id, { roles: [...ROLES] });
    const c = client(app);
    await logIn(c, r.email!, PASSWORD);
    const own = await passkeyOf(r.id, 'Enige');
    await db.prisma.organization.update({ where: { id: required.id }, data: { twoFactorRequired: true } });
    const rPage = await c.get('/profile/security');
    // The requirement's sentence fits the person: a passkey and no app.
    expect(visibleText(rPage.text)).toContain(
      'U logt in met een passkey; uw laatste passkey kunt u pas verwijderen als de authenticator-app aan staat.',
    );
    expect(visibleText(rPage.text)).not.toContain('als u een passkey heeft');
    // With the app on as well: either may go, one must stay.
    await db.prisma.totpSecret.create({
      data: { contactId: r.id, secretEncrypted: 'v1.x.y.z', confirmedAt: new Date('2026-01-05T09:00:00Z') },
    });
    const both = visibleText((await c.get('/profile/security')).text);
    expect(both).toContain('U heeft de authenticator-app en een passkey; één van beide moet blijven.');
    expect(both).not.toContain('als u een passkey heeft');
    await db.prisma.totpSecret.delete({ where: { contactId: r.id } });
    const rename = await c
      .post(`/profile/security/passkeys/${own.id}/rename`)
      .type('form')
      .send({ _csrf: csrfFrom(rPage.text), name: 'Telefoon' });
    expect(rename.status).toBe(302);
    const res = await c
      .post(`/profile/security/passkeys/${own.id}/remove`)
      .type('form')
      .send({ _csrf: csrfFrom(rPage.text) });
    expect(res.status).toBe(302);
    expect(visibleText((await c.get('/profile/security')).text)).toContain(
      'Stel eerst een authenticator-app in of voeg een andere passkey toe.',
    );
    expect(await db.prisma.passkey.findUniqueOrThrow({ where: { id: own.id } })).toMatchObject({ name: 'Telefoon' });
  });
});

describe('removing second steps where the organisation requires one', () => {
  it('the app off and the last passkey removed at the same moment: one goes, the other is refused', async () => {
    const org = await db.prisma.organization.create({
      data: { name: 'Twee stappen verplicht', twoFactorRequired: true },
    });
    for (let round = 0; round < 5; round++) {
      const p = await makePerson(db.prisma, org.id, { roles: [...ROLES] });
      await db.prisma.totpSecret.create({
        data: { contactId: p.id, secretEncrypted: 'v1.x', confirmedAt: new Date(0) },
      });
      const key = await passkeyOf(p.id);
      const c = await db.prisma.contact.findUniqueOrThrow({ where: { id: p.id }, select: { sessionEpoch: true } });
      const actor = (await loadActor(db.prisma, p.id, c.sessionEpoch))!;
      const ctx = { now: new Date(0), ip: '127.0.0.1', lang: 'nl' as const, baseUrl: 'http://pim.test', keepSid: null };
      const [off, removed] = await Promise.all([
        disableTotp(db.prisma, actor, ctx),
        removePasskey(db.prisma, actor, key.id, ctx),
      ]);
      const left =
        (await db.prisma.totpSecret.count({ where: { contactId: p.id } })) +
        (await db.prisma.passkey.count({ where: { contactId: p.id } }));
      expect([round, left]).toEqual([round, 1]);
      expect([off === null, removed !== 'required'].filter(Boolean)).toHaveLength(1);
    }
  });
});
