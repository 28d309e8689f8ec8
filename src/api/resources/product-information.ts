import { z } from 'zod';
import { PRODUCT_INFO_MAX_BYTES } from '../../features/downloads/product-info-staff.js';
import type { Services } from '../../services.js';
import { ApiProblem } from '../problem.js';
import { checkIfMatch, defineRoute, etagOf, type ApiContext } from '../define.js';

/** The text of Downloads › Productinformatie, as `product-info:set` takes it. */
export const ProductInformationBody = z
  .object({
    bodyNl: z
      .string()
      .describe(`The Dutch text, Markdown (HTML is shown as text); at most ${PRODUCT_INFO_MAX_BYTES} bytes`),
    bodyEn: z
      .string()
      .nullable()
      .optional()
      .describe('The English text; without it the English page shows the Dutch text'),
  })
  .strict()
  .meta({ id: 'ProductInformationInput' });

/** The staff text of the product-information page. */
export const ProductInformation = z
  .object({ bodyNl: z.string(), bodyEn: z.string().nullable(), updatedBy: z.string(), updatedAt: z.iso.datetime() })
  .meta({ id: 'ProductInformation' });

type Row = NonNullable<Awaited<ReturnType<Services['productInfo']['get']>>>;
const present = (r: Row): z.output<typeof ProductInformation> => ({
  bodyNl: r.bodyNl,
  bodyEn: r.bodyEn,
  updatedBy: r.updatedBy,
  updatedAt: r.updatedAt.toISOString(),
});
const PATH = '/api/v1/product-information';

/** The API's If-Match, checked by the service under its writer lock (no row yet: null). */
const ifMatch = (ctx: ApiContext) => ({
  precondition: (cur: { version: number; updatedAt: Date } | null) => checkIfMatch(ctx, cur ? etagOf(cur) : null),
});

/** The product-information text: read, set (create or replace), reset to the default text. */
export const productInformationRoutes = [
  defineRoute({
    method: 'get',
    path: '/product-information',
    operationId: 'getProductInformation',
    tag: 'Documents',
    scope: 'read',
    summary: 'Read the text of the product-information page',
    responses: {
      200: { description: 'The staff text (ETag header: its version)', schema: ProductInformation },
      404: { description: 'No staff text: the page shows its default text' },
    },
    async handle(_input, ctx) {
      const row = await ctx.services.productInfo.get();
      if (!row) throw new ApiProblem(404, 'No staff text: the page shows its default text');
      return { status: 200, body: present(row), etag: etagOf(row) };
    },
  }),
  defineRoute({
    method: 'put',
    path: '/product-information',
    operationId: 'putProductInformation',
    tag: 'Documents',
    scope: 'documents:write',
    summary: 'Set the text of the product-information page',
    description:
      'Idempotent: the same text again changes nothing. With If-Match the text must still have that ETag; If-Match: * only replaces.',
    body: ProductInformationBody,
    ifMatch: 'optional',
    responses: {
      200: { description: 'Replaced (or unchanged)', schema: ProductInformation },
      201: { description: 'Set where the default text was shown', schema: ProductInformation },
      412: { description: 'If-Match did not match' },
      422: { description: 'Invalid text' },
    },
    async handle({ body }, ctx) {
      const r = await ctx.services.productInfo.set(
        { api: ctx.actor.name },
        { bodyNl: body.bodyNl, bodyEn: body.bodyEn ?? null },
        ifMatch(ctx),
      );
      const row = (await ctx.services.productInfo.get())!;
      return { status: r.existed ? 200 : 201, body: present(row), etag: etagOf(row), location: PATH };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/product-information',
    operationId: 'deleteProductInformation',
    tag: 'Documents',
    scope: 'documents:write',
    summary: 'Remove the staff text: the page shows its default text again',
    ifMatch: 'optional',
    responses: { 204: { description: 'Removed (or there was none)' }, 412: { description: 'If-Match did not match' } },
    async handle(_input, ctx) {
      await ctx.services.productInfo.reset({ api: ctx.actor.name }, ifMatch(ctx));
      return { status: 204 };
    },
  }),
];
