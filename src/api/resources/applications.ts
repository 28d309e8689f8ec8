import { z } from 'zod';
import { appCode } from '../../http/fields.js';
import { checkIfMatch, defineRoute, etagOf, idParam, type ApiContext } from '../define.js';

/** The application tiles on a contact's dashboard. */
export const ContactApplications = z
  .object({
    contactId: z.number().int(),
    applications: z
      .array(z.object({ code: z.string(), name: z.string(), activatedAt: z.iso.datetime() }))
      .describe("In the vendor's order"),
  })
  .meta({ id: 'ContactApplications' });

const ContactParam = z.object({ id: idParam });
const AppParam = z.object({
  id: idParam,
  code: appCode.describe('The application code, e.g. OPERATOR, RECORDER, PHARMA_REPEAT'),
});

/** The contact's tiles, answered with the contact's ETag: an activation is part of the contact. */
async function answer(ctx: ApiContext, id: number, status: number) {
  const { contact: c, applications: apps } = await ctx.services.contacts.applicationsForApi(id);
  return {
    status,
    body: {
      contactId: id,
      applications: apps.map((a) => ({ code: a.code, name: a.name, activatedAt: a.activatedAt.toISOString() })),
    },
    etag: etagOf(c),
    location: `/api/v1/contacts/${id}/applications`,
  };
}

/** The contact's If-Match, checked with its row locked (an unknown contact or application is not found). */
const ifMatch = (ctx: ApiContext) => ({
  precondition: (cur: { version: number; updatedAt: Date }) => checkIfMatch(ctx, etagOf(cur)),
});

const NOTE =
  "An activation is part of the contact: it moves the contact's ETag and updatedAt (so GET /contacts?updated_since= sees it); with If-Match the contact must still have that ETag.";

/** Application activations: which tiles a contact has on the dashboard (activated by Vcare, never by the customer). */
export const applicationRoutes = [
  defineRoute({
    method: 'get',
    path: '/contacts/{id}/applications',
    operationId: 'getContactApplications',
    tag: 'Applications',
    scope: 'read',
    summary: "The application tiles on a contact's dashboard",
    params: ContactParam,
    responses: {
      200: { description: "The contact's applications (ETag header: the contact's)", schema: ContactApplications },
      404: { description: 'No such contact' },
    },
    async handle({ params }, ctx) {
      return answer(ctx, params.id, 200);
    },
  }),
  defineRoute({
    method: 'put',
    path: '/contacts/{id}/applications/{code}',
    operationId: 'activateApplication',
    tag: 'Applications',
    scope: 'contacts:write',
    summary: "Activate an application on a contact's dashboard (idempotent)",
    description: NOTE,
    params: AppParam,
    ifMatch: 'optional',
    responses: {
      200: { description: 'Already active', schema: ContactApplications },
      201: { description: 'Activated', schema: ContactApplications },
      404: { description: 'No such contact or application' },
      412: { description: "If-Match did not match the contact's ETag" },
    },
    async handle({ params }, ctx) {
      const r = await ctx.services.contacts.setApplication(
        { api: ctx.actor.name },
        params.id,
        params.code,
        true,
        ifMatch(ctx),
      );
      return answer(ctx, params.id, r.changed ? 201 : 200);
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/contacts/{id}/applications/{code}',
    operationId: 'deactivateApplication',
    tag: 'Applications',
    scope: 'contacts:write',
    summary: "Remove an application from a contact's dashboard (idempotent)",
    description: NOTE,
    params: AppParam,
    ifMatch: 'optional',
    responses: {
      200: { description: 'Removed (or it was not active)', schema: ContactApplications },
      404: { description: 'No such contact or application' },
      412: { description: "If-Match did not match the contact's ETag" },
    },
    async handle({ params }, ctx) {
      await ctx.services.contacts.setApplication({ api: ctx.actor.name }, params.id, params.code, false, ifMatch(ctx));
      return answer(ctx, params.id, 200);
    },
  }),
];
