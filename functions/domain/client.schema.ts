import * as z from 'zod';
import {
  boundedDateSchema,
  boundedInstantSchema,
  entityIdSchema,
  phoneSchema,
  quietHoursSchema,
  utcInstantSchema,
  weeklyWindowSchema,
} from './common.schema.ts';
import { LANGUAGES } from './sms-templates.ts';

/** Busy or availability windows of one person: a week holds few. */
export const MAX_WINDOWS = 50;

export const clientStatusSchema = z.enum(['active', 'on-hold', 'discharged', 'completed']);
export type ClientStatus = z.infer<typeof clientStatusSchema>;

export const consentSchema = z
  .object({
    givenAt: boundedInstantSchema,
    method: z.enum(['written', 'verbal', 'electronic', 'sms-keyword']),
  })
  .strict();

export const clientSchema = z
  .object({
    id: entityIdSchema,
    phone: phoneSchema,
    track: entityIdSchema,
    clinicianId: entityIdSchema.optional(),
    phase: entityIdSchema.optional(),
    status: clientStatusSchema.default('active'),
    /** The first local date the client is scheduled. */
    start: boundedDateSchema,
    /** Set when the client leaves: nothing is scheduled or sent from this instant on. */
    endedAt: utcInstantSchema.optional(),
    smsConsent: z.boolean(),
    consent: consentSchema.optional(),
    smsOptedOut: z.boolean().default(false),
    /**
     * When and how the client last opted out (STOP by SMS, or staff on their word): the consent
     * ledger keeps the opt-out next to the consent.
     */
    optedOut: z
      .object({ at: utcInstantSchema, method: z.enum(['sms', 'staff']) })
      .strict()
      .optional(),
    /** The language of every SMS to the client. */
    language: z.enum(LANGUAGES).default('en'),
    busy: z.array(weeklyWindowSchema).max(MAX_WINDOWS).default([]),
    adolescent: z.boolean().default(false),
    quietHours: quietHoursSchema.optional(),
    familyContact: z
      .object({ phone: phoneSchema.optional(), relationship: z.string().max(40).optional() })
      .strict()
      .optional(),
    /** Bumped on every change: every update is conditional on it (invariant 11). */
    version: z.number().int().min(1).default(1),
  })
  .strict();
export type Client = z.infer<typeof clientSchema>;
export type ClientInput = z.input<typeof clientSchema>;

/** ASAM level 2.1 weekly minimum: 9 hours for adults, 6 for adolescents. */
export function asamMinimumHours(client: Pick<Client, 'adolescent'>): number {
  return client.adolescent ? 6 : 9;
}
