import { z } from 'zod';
import type { Services } from '../../services.js';
import { ORGANIZATION_FIELDS } from '../../features/organisations/staff.js';
import { checkIfMatch, defineRoute, etagOf, idParam, listOf, ListQuery, pageOf } from '../define.js';

const F = ORGANIZATION_FIELDS;
const nullable = <T extends z.ZodType>(s: T) => s.nullable().optional();

/** A new organisation: the rules of `org:add` (the address is both postal and visiting address). */
export const OrganizationBody = z
  .object({ ...F, parentId: z.number().int().nullable().optional(), reportsInContract: z.boolean().optional() })
  .strict()
  .meta({ id: 'OrganizationInput' });

/** A change to an organisation: only the fields given change; null clears an optional one. */
export const OrganizationPatchBody = z
  .object({
    name: F.name.optional(),
    street: nullable(F.street.unwrap()),
    postcode: nullable(F.postcode.unwrap()),
    city: nullable(F.city.unwrap()),
    country: nullable(F.country.unwrap()),
    phone: nullable(F.phone.unwrap()),
    fax: nullable(F.fax.unwrap()),
    email: nullable(F.email.unwrap()),
    kvkNumber: nullable(F.kvkNumber.unwrap()),
    oin: nullable(F.oin.unwrap()),
    peppolId: nullable(F.peppolId.unwrap()),
    einvoiceFormat: F.einvoiceFormat,
    parentId: z.number().int().nullable().optional(),
    active: z.boolean().optional(),
    reportsInContract: z.boolean().optional(),
  })
  .strict()
  .meta({ id: 'OrganizationPatch' });

const Address = z.object({
  street: z.string().nullable(),
  postcode: z.string().nullable(),
  city: z.string().nullable(),
  country: z.string().nullable(),
});

/** An organisation as the API shows it. */
export const Organization = z
  .object({
    id: z.number().int(),
    parentId: z.number().int().nullable(),
    name: z.string(),
    active: z.boolean(),
    postalAddress: Address,
    visitingAddress: Address,
    phone: z.string().nullable(),
    fax: z.string().nullable(),
    email: z.string().nullable(),
    kvkNumber: z.string().nullable().describe('Chamber of Commerce (KvK) number, 8 digits'),
    oin: z.string().nullable().describe('Government identification number (OIN) of a public body, 20 digits'),
    peppolId: z
      .string()
      .nullable()
      .describe('Peppol participant id "scheme:identifier" (e-invoicing address), e.g. 0106:12345678'),
    einvoiceFormat: z
      .enum(['peppol', 'nlcius'])
      .describe('E-invoices follow Peppol BIS Billing 3.0, or NLCIUS (Dutch government; needs kvkNumber or oin)'),
    reportsInContract: z.boolean(),
    mainContactId: z.number().int().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Organization' });

type Row = Awaited<ReturnType<Services['organisations']['getForApi']>>;

function present(o: Row): z.output<typeof Organization> {
  return {
    id: o.id,
    parentId: o.parentId,
    name: o.name,
    active: o.active,
    postalAddress: { street: o.postalStreet, postcode: o.postalPostcode, city: o.postalCity, country: o.postalCountry },
    visitingAddress: { street: o.visitStreet, postcode: o.visitPostcode, city: o.visitCity, country: o.visitCountry },
    phone: o.phone,
    fax: o.fax,
    email: o.email,
    kvkNumber: o.kvkNumber,
    oin: o.oin,
    peppolId: o.peppolId,
    einvoiceFormat: o.einvoiceNlcius ? 'nlcius' : 'peppol',
    reportsInContract: o.reportsInContract,
    mainContactId: o.mainContactId,
    createdAt: o.createdAt.toISOString(),
    updatedAt: o.updatedAt.toISOString(),
  };
}

const IdParam = z.object({ id: idParam });

/** The organisation routes: list, read, add, change. */
export const organizationRoutes = [
  defineRoute({
    method: 'get',
    path: '/organizations',
    operationId: 'listOrganizations',
    tag: 'Organizations',
    scope: 'read',
    summary: 'List organisations, oldest change first',
    query: ListQuery,
    responses: { 200: { description: 'A page of organisations', schema: listOf(Organization) } },
    async handle({ query }, ctx) {
      const rows = await ctx.services.organisations.pageForApi(query);
      return { status: 200, body: pageOf(rows, query, present) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/organizations/{id}',
    operationId: 'getOrganization',
    tag: 'Organizations',
    scope: 'read',
    summary: 'Read one organisation',
    params: IdParam,
    responses: {
      200: { description: 'The organisation (ETag header: its version)', schema: Organization },
      404: { description: 'No such organisation' },
    },
    async handle({ params }, ctx) {
      const o = await ctx.services.organisations.getForApi(params.id);
      return { status: 200, body: present(o), etag: etagOf(o) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/organizations',
    operationId: 'createOrganization',
    tag: 'Organizations',
    scope: 'organizations:write',
    summary: 'Add an organisation (a subsidiary with parentId)',
    body: OrganizationBody,
    responses: { 201: { description: 'Added', schema: Organization }, 422: { description: 'Invalid organisation' } },
    async handle({ body }, ctx) {
      const created = await ctx.services.organisations.create(
        { api: ctx.actor.name },
        { ...body, parentId: body.parentId ?? null, reportsInContract: body.reportsInContract ?? false },
      );
      const o = await ctx.services.organisations.getForApi(created.id);
      return { status: 201, body: present(o), etag: etagOf(o), location: `/api/v1/organizations/${o.id}` };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/organizations/{id}',
    operationId: 'updateOrganization',
    tag: 'Organizations',
    scope: 'organizations:write',
    summary: 'Change an organisation (only the fields given)',
    params: IdParam,
    body: OrganizationPatchBody,
    ifMatch: 'optional',
    responses: {
      200: { description: 'Changed (or unchanged)', schema: Organization },
      404: { description: 'No such organisation' },
      412: { description: 'If-Match did not match' },
      422: { description: 'Invalid change' },
    },
    async handle({ params, body }, ctx) {
      await ctx.services.organisations.update({ api: ctx.actor.name }, params.id, body, {
        precondition: (cur) => checkIfMatch(ctx, etagOf(cur)),
      });
      const o = await ctx.services.organisations.getForApi(params.id);
      return { status: 200, body: present(o), etag: etagOf(o) };
    },
  }),
];
