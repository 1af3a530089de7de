import * as z from 'zod';
import { entityIdSchema, utcInstantSchema } from './common.schema.ts';

export const flagRuleSchema = z.enum([
  'consecutive-misses',
  'low-attendance',
  'attendance-gap',
  'screen-missed',
]);
export type FlagRule = z.infer<typeof flagRuleSchema>;

/** A disengagement flag: open until resolved; acknowledged stops its escalation. Carries its evidence. */
export const flagSchema = z.object({
  flagId: z.string().min(1).max(64),
  programId: z.string(),
  clientId: entityIdSchema,
  rule: flagRuleSchema,
  status: z.enum(['open', 'resolved']),
  raisedAt: utcInstantSchema,
  evidence: z.record(z.string(), z.unknown()),
  /**
   * The identity of the evidence: the ids of the sessions (or the screen date) that make the rule
   * hold. A flag staff dismissed is not raised again until an id outside this set appears.
   */
  evidenceIds: z.array(z.string()).default([]),
  explanation: z.string(),
  /** Follow-up steps, each set after its side effect went out, so a retry re-drives only what is missing. */
  alertedAt: utcInstantSchema.optional(),
  escalationScheduledAt: utcInstantSchema.optional(),
  allClearAt: utcInstantSchema.optional(),
  acknowledgedAt: utcInstantSchema.optional(),
  acknowledgedBy: z.string().optional(),
  escalatedAt: utcInstantSchema.optional(),
  resolvedAt: utcInstantSchema.optional(),
  resolvedBy: z.string().optional(),
  resolution: z.enum(['re-engaged', 'staff']).optional(),
  note: z.string().max(500).optional(),
  /** Bumped on every change: every update is conditional on it (invariant 11). */
  version: z.number().int().min(1).default(1),
});
export type Flag = z.infer<typeof flagSchema>;

export const flagAuditSchema = z.object({
  flagId: z.string(),
  at: utcInstantSchema,
  action: z.enum(['raised', 'alerted', 'escalated', 'acknowledged', 'resolved']),
  by: z.string(),
  note: z.string().optional(),
});
export type FlagAudit = z.infer<typeof flagAuditSchema>;
