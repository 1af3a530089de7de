import * as z from 'zod';
import {
  entityIdSchema,
  localDateSchema,
  phoneSchema,
  quietHoursSchema,
  utcInstantSchema,
  weeklyWindowSchema,
} from './common.schema.ts';

export const clientStatusSchema = z.enum(['active', 'on-hold', 'discharged', 'completed']);
export type ClientStatus = z.infer<typeof clientStatusSchema>;

export const consentSchema = z.object({
  givenAt: utcInstantSchema,
  method: z.enum(['written', 'verbal', 'electronic', 'sms-keyword']),
});

export const clientSchema = z.object({
  id: entityIdSchema,
  phone: phoneSchema,
  track: entityIdSchema,
  clinicianId: entityIdSchema.optional(),
  phase: entityIdSchema.optional(),
  status: clientStatusSchema.default('active'),
  /** The first local date the client is scheduled. */
  start: localDateSchema,
  /** Set when the client leaves: nothing is scheduled or sent from this instant on. */
  endedAt: utcInstantSchema.optional(),
  smsConsent: z.boolean(),
  consent: consentSchema.optional(),
  smsOptedOut: z.boolean().default(false),
  busy: z.array(weeklyWindowSchema).default([]),
  adolescent: z.boolean().default(false),
  quietHours: quietHoursSchema.optional(),
  familyContact: z
    .object({ phone: phoneSchema.optional(), relationship: z.string().max(40).optional() })
    .optional(),
  /** Bumped on every change: every update is conditional on it (invariant 11). */
  version: z.number().int().min(1).default(1),
});
export type Client = z.infer<typeof clientSchema>;
export type ClientInput = z.input<typeof clientSchema>;

/** ASAM level 2.1 weekly minimum: 9 hours for adults, 6 for adolescents. */
export function asamMinimumHours(client: Pick<Client, 'adolescent'>): number {
  return client.adolescent ? 6 : 9;
}
