import { z } from 'zod';
import type { Tx } from '../../db/client.js';
import { scope } from '../../auth/scope.js';
import { contactApplications, setApplication } from '../../features/contacts/applications.js';
import { appCode, FieldRefusal } from '../../http/fields.js';
import { ApiProblem } from '../problem.js';
import { checkIfMatch, defineRoute, etagOf, idParam, type ApiContext } from '../define.js';

/** The application tiles on a contact's dashboard. */
export const ContactApplications = z
  .object({
    contactId: z.number().int(),
    applications: z.array(z.object({ code: z.string(), name: z.string(), activatedAt: z.iso.datetime() })).describe("In the vendor's order"),
  })
  .meta({ id: 'ContactApplications' });

const ContactParam = z.object({ id: idParam });
const AppParam = z.object({ id: idParam, code: appCode.describe('The application code, e.g. OPERATOR, RECORDER, PHARMA_REPEAT') });

/** The contact's tiles, answered with the contact's ETag: an activation is part of the contact. */
async function answer(ctx: ApiContext, id: number, status: number) {
  const c = await ctx.db.contact.findFirst({ where: { id, ...scope.api.contacts() }, select: { id: true, version: true, updatedAt: true } });
  if (!c) throw new ApiProblem(404, `No contact ${id}`);
  const apps = await contactApplications(ctx.db, id);
  return {
    status,
    body: { contactId: id, applications: apps.map((a) => ({ code: a.code, name: a.name, activatedAt: a.activatedAt.toISOString() })) },
    etag: etagOf(c),
    location: `/api/v1/contacts/${id}/applications`,
  };
}

/** Locks the live contact and checks If-Match against it. */
async function lockAndMatch(ctx: ApiContext, id: number): Promise<void> {
  const rows = await (ctx.db as Tx).$queryRaw<{ version: number; updated_at: Date }[]>`SELECT version, updated_at FROM contacts WHERE id = ${id} AND deleted_at IS NULL FOR UPDATE`;
  if (!rows[0]) throw new ApiProblem(404, `No contact ${id}`);
  checkIfMatch(ctx, etagOf({ version: rows[0].version, updatedAt: rows[0].updated_at }));
}

/** An unknown contact or application in the path is not found. */
const refused = (e: unknown): never => {
  if (e instanceof FieldRefusal) throw new ApiProblem(404, e.message);
  throw e;
};

const NOTE = "An activation is part of the contact: it moves the contact's ETag and updatedAt (so GET /contacts?updated_since= sees it); with If-Match the contact must still have that ETag.";

/** Application activations: which tiles a contact has on the dashboard (activated by Vcare, never by the customer). */
export const applicationRoutes = [
  defineRoute({
    method: 'get', path: '/contacts/{id}/applications', operationId: 'getContactApplications', tag: 'Applications', scope: 'read',
    summary: "The application tiles on a contact's dashboard", params: ContactParam,
    responses: { 200: { description: "The contact's applications (ETag header: the contact's)", schema: ContactApplications }, 404: { description: 'No such contact' } },
    async handle({ params }, ctx) {
      return answer(ctx, params.id, 200);
    },
  }),
  defineRoute({
    method: 'put', path: '/contacts/{id}/applications/{code}', operationId: 'activateApplication', tag: 'Applications', scope: 'contacts:write',
    summary: "Activate an application on a contact's dashboard (idempotent)", description: NOTE, params: AppParam, ifMatch: 'optional',
    responses: {
      200: { description: 'Already active', schema: ContactApplications },
      201: { description: 'Activated', schema: ContactApplications },
      404: { description: 'No such contact or application' },
      412: { description: "If-Match did not match the contact's ETag" },
    },
    async handle({ params }, ctx) {
      await lockAndMatch(ctx, params.id);
      const r = await setApplication(ctx.db, params.id, params.code, true, { api: ctx.actor.name }).catch(refused);
      return answer(ctx, params.id, r.changed ? 201 : 200);
    },
  }),
  defineRoute({
    method: 'delete', path: '/contacts/{id}/applications/{code}', operationId: 'deactivateApplication', tag: 'Applications', scope: 'contacts:write',
    summary: "Remove an application from a contact's dashboard (idempotent)", description: NOTE, params: AppParam, ifMatch: 'optional',
    responses: {
      200: { description: 'Removed (or it was not active)', schema: ContactApplications },
      404: { description: 'No such contact or application' },
      412: { description: "If-Match did not match the contact's ETag" },
    },
    async handle({ params }, ctx) {
      await lockAndMatch(ctx, params.id);
      await setApplication(ctx.db, params.id, params.code, false, { api: ctx.actor.name }).catch(refused);
      return answer(ctx, params.id, 200);
    },
  }),
];
