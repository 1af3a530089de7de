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
  explanation: z.string(),
  acknowledgedAt: utcInstantSchema.optional(),
  acknowledgedBy: z.string().optional(),
  escalatedAt: utcInstantSchema.optional(),
  resolvedAt: utcInstantSchema.optional(),
  resolvedBy: z.string().optional(),
  resolution: z.enum(['re-engaged', 'staff']).optional(),
  note: z.string().max(500).optional(),
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
