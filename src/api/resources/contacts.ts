import { z } from 'zod';
import { Role, ROLES } from '../../auth/roles.js';
import type { ApiContactRow as Row } from '../../features/contacts/services.js';
import { CONTACT_FIELDS, SUBSCRIPTIONS } from '../../features/contacts/staff.js';
import { ApiProblem } from '../problem.js';
import { checkIfMatch, defineRoute, etagOf, idParam, listOf, ListQuery, pageOf, type ApiContext } from '../define.js';

const F = CONTACT_FIELDS;
const subscriptions = Object.fromEntries(SUBSCRIPTIONS.map((k) => [k, z.boolean().optional()])) as Record<
  (typeof SUBSCRIPTIONS)[number],
  z.ZodOptional<z.ZodBoolean>
>;
const roles = z.array(z.enum(Role)).describe(`Roles in the portal: ${ROLES.join(', ')}`);

/** A new contact: the rules of `contact:add` plus the subscriptions. */
export const ContactBody = z
  .object({
    ...F,
    ...subscriptions,
    organizationId: z.number().int(),
    main: z.boolean().optional(),
    webAccess: z.boolean().optional(),
    roles: roles.optional(),
  })
  .strict()
  .meta({ id: 'ContactInput' });

/** A change to a contact: only the fields given change; null clears an optional one; roles replace the held ones. */
export const ContactPatchBody = z
  .object({
    lastName: F.lastName.optional(),
    firstName: F.firstName.unwrap().nullable().optional(),
    initials: F.initials.unwrap().nullable().optional(),
    infix: F.infix.unwrap().nullable().optional(),
    gender: F.gender.unwrap().nullable().optional(),
    email: F.email.unwrap().nullable().optional(),
    phone: F.phone.unwrap().nullable().optional(),
    mobile: F.mobile.unwrap().nullable().optional(),
    ...subscriptions,
    active: z.boolean().optional(),
    webAccess: z.boolean().optional(),
    roles: roles.optional(),
  })
  .strict()
  .meta({ id: 'ContactPatch' });

/** A contact as the API shows it. */
export const Contact = z
  .object({
    id: z.number().int(),
    organizationId: z.number().int(),
    lastName: z.string(),
    firstName: z.string().nullable(),
    initials: z.string().nullable(),
    infix: z.string().nullable(),
    gender: z.enum(['MALE', 'FEMALE', 'OTHER']).nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    mobile: z.string().nullable(),
    active: z.boolean(),
    webAccess: z.boolean(),
    isMainContact: z.boolean(),
    roles: z.array(z.enum(Role)),
    applications: z
      .array(z.string())
      .describe("Codes of the application tiles on the contact's dashboard (see /contacts/{id}/applications)"),
    subscribeUpdate: z.boolean(),
    subscribeCare: z.boolean(),
    subscribeBusiness: z.boolean(),
    subscribeFlash: z.boolean(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Contact' });

function present(c: Row): z.output<typeof Contact> {
  const held = new Set(c.roles.map((r) => r.role));
  return {
    id: c.id,
    organizationId: c.organizationId,
    lastName: c.lastName,
    firstName: c.firstName,
    initials: c.initials,
    infix: c.infix,
    gender: c.gender,
    email: c.email,
    phone: c.phone,
    mobile: c.mobile,
    active: c.active,
    webAccess: c.webAccess,
    isMainContact: c.organization.mainContactId === c.id,
    roles: ROLES.filter((r) => held.has(r)),
    applications: c.activations
      .map((a) => a.application)
      .sort((a, b) => a.position - b.position || a.code.localeCompare(b.code))
      .map((a) => a.code),
    subscribeUpdate: c.subscribeUpdate,
    subscribeCare: c.subscribeCare,
    subscribeBusiness: c.subscribeBusiness,
    subscribeFlash: c.subscribeFlash,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

const IdParam = z.object({ id: idParam });
const answer = async (ctx: ApiContext, id: number, status: number) => {
  const c = await ctx.services.contacts.getForApi(id);
  return { status, body: present(c), etag: etagOf(c), location: `/api/v1/contacts/${id}` };
};

/** The contact routes: list, read, add, change, invite. */
export const contactRoutes = [
  defineRoute({
    method: 'get',
    path: '/contacts',
    operationId: 'listContacts',
    tag: 'Contacts',
    scope: 'read',
    summary: 'List contacts, oldest change first (deleted contacts are left out)',
    query: ListQuery,
    responses: { 200: { description: 'A page of contacts', schema: listOf(Contact) } },
    async handle({ query }, ctx) {
      const rows = await ctx.services.contacts.pageForApi(query);
      return { status: 200, body: pageOf(rows, query, present) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/contacts/{id}',
    operationId: 'getContact',
    tag: 'Contacts',
    scope: 'read',
    summary: 'Read one contact',
    params: IdParam,
    responses: {
      200: { description: 'The contact (ETag header: its version)', schema: Contact },
      404: { description: 'No such contact' },
    },
    async handle({ params }, ctx) {
      return answer(ctx, params.id, 200);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/contacts',
    operationId: 'createContact',
    tag: 'Contacts',
    scope: 'contacts:write',
    summary: 'Add a contact (main: true makes them the main contact, who holds every role)',
    body: ContactBody,
    description:
      'Web access does not mail anyone by itself: POST /contacts/{id}/invitation sends the set-password link.',
    responses: {
      201: { description: 'Added', schema: Contact },
      409: { description: 'The e-mail address is in use' },
      422: { description: 'Invalid contact' },
    },
    async handle({ body }, ctx) {
      const created = await ctx.services.contacts.add(
        { api: ctx.actor.name },
        { ...body, main: body.main ?? false, webAccess: body.webAccess ?? false, roles: body.roles ?? [] },
      );
      return answer(ctx, created.id, 201);
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/contacts/{id}',
    operationId: 'updateContact',
    tag: 'Contacts',
    scope: 'contacts:write',
    summary: 'Change a contact (only the fields given)',
    params: IdParam,
    body: ContactPatchBody,
    ifMatch: 'optional',
    description:
      'A new e-mail address is a new username: the password, SSO links and sessions of the old one end. Web access off ends the sessions.',
    responses: {
      200: { description: 'Changed (or unchanged)', schema: Contact },
      404: { description: 'No such contact' },
      409: { description: 'The e-mail address is in use' },
      412: { description: 'If-Match did not match' },
      422: { description: 'Invalid change' },
    },
    async handle({ params, body }, ctx) {
      await ctx.services.contacts.change({ api: ctx.actor.name }, params.id, body, {
        precondition: (cur) => checkIfMatch(ctx, etagOf(cur)),
      });
      return answer(ctx, params.id, 200);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/contacts/{id}/invitation',
    operationId: 'inviteContact',
    tag: 'Contacts',
    scope: 'contacts:write',
    summary: 'Mail the contact a set-password link (valid 72 hours)',
    params: IdParam,
    responses: {
      202: { description: 'The mail is queued', schema: Contact },
      404: { description: 'No such contact' },
      422: { description: 'No web access or no e-mail address' },
    },
    async handle({ params }, ctx) {
      const c = await ctx.services.contacts.getForApi(params.id);
      // The one rule of web access decides (src/auth/web-access.ts):
      // only someone who could log in with the link gets one.
      const sent = await ctx.services.contacts.invite({ api: ctx.actor.name }, c.id);
      if (!sent.sent)
        throw new ApiProblem(422, `contact ${c.id} could not log in with a link (${sent.blocker})`, [
          { pointer: '#/webAccess', detail: `cannot log in: ${sent.blocker}` },
        ]);
      return { status: 202, body: present(c), etag: etagOf(c) };
    },
  }),
];
