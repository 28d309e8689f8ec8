import { z } from 'zod';
import { TicketKind, TicketStatus } from '../../generated/prisma/enums.js';

/** The ticket enums as stored, for the doors (which do not reach into the database client). */
export { TicketChannel, TicketKind, TicketStatus } from '../../generated/prisma/enums.js';

/** The five kinds in the manual's order (the "Soort" choices). */
export const TICKET_KINDS: readonly TicketKind[] = [
  TicketKind.INCIDENT,
  TicketKind.CHANGE,
  TicketKind.QUESTION,
  TicketKind.WISH,
  TicketKind.SERVICE_REQUEST,
];

/** The eight statuses in the manual's order: the order of the groups on the list. */
export const TICKET_STATUSES: readonly TicketStatus[] = [
  TicketStatus.NEW,
  TicketStatus.IN_PROGRESS,
  TicketStatus.WAITING_CUSTOMER,
  TicketStatus.WAITING_SUPPLIER,
  TicketStatus.SUPPORT_DESK_ACTION,
  TicketStatus.PLANNED_INTERNAL,
  TicketStatus.PLANNED_EXTERNAL,
  TicketStatus.RESOLVED,
];

/**
 * The open statuses: every status but Afgehandeld (the portal's
 * "actueel" adds recently resolved tickets: scope.ts currentTickets).
 */
export const CURRENT_STATUSES = TICKET_STATUSES.filter((s) => s !== TicketStatus.RESOLVED);

const optionalText = (max: number, key: string) =>
  z
    .string()
    .trim()
    .max(max, key)
    .transform((v) => (v === '' ? null : v));

/** The "Ticket toevoegen" form. */
export const TicketForm = z.object({
  organizationId: z
    .string()
    .regex(/^[1-9]\d{0,8}$/, 'tickets.errors.organizationRequired')
    .transform(Number),
  alternativePhone: z
    .string()
    .trim()
    .regex(/^(\+?[0-9][0-9 ()-]{4,24})?$/, 'tickets.errors.phoneInvalid')
    .transform((v) => (v === '' ? null : v)),
  title: z.string().trim().min(1, 'tickets.errors.titleRequired').max(200, 'tickets.errors.titleTooLong'),
  description: optionalText(10_000, 'tickets.errors.descriptionTooLong'),
  customerReference: optionalText(100, 'tickets.errors.referenceTooLong'),
  kind: z
    .union([z.literal(''), z.enum(TicketKind, 'tickets.errors.kindInvalid')], 'tickets.errors.kindInvalid')
    .transform((v) => (v === '' ? null : v)),
  /** "Vraag over deze factuur": the invoice the question is about (checked against the scope by the service). */
  invoiceId: z
    .string()
    .regex(/^([1-9]\d{0,8})?$/, 'validation.invalid')
    .optional()
    .transform((v) => (v ? Number(v) : null)),
});
export type TicketInput = z.output<typeof TicketForm>;

/** The "Ticket aanvulling toevoegen" form. */
export const NoteForm = z.object({
  body: z.string().trim().min(1, 'tickets.errors.noteRequired').max(10_000, 'tickets.errors.noteTooLong'),
});
