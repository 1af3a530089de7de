import * as z from 'zod';
import {
  boundedDateSchema,
  DAYS,
  dayOfWeekSchema,
  entityIdSchema,
  localTimeSchema,
  phoneSchema,
  quietHoursSchema,
  timezoneSchema,
} from './common.schema.ts';
import { forbiddenWordsIn } from './sms-wording.ts';
import { minutesOfDay } from './zoned-time.ts';

export const MAX_PROGRAM_NAME_LENGTH = 20;
/** Replies are kept as long as the send ledger keeps what was sent. */
export const DEFAULT_REPLY_RETENTION_DAYS = 400;

/** Array maxima: a program is edited by hand, so anything larger is a mistake (or an attack). */
export const MAX_TRACKS = 10;
export const MAX_GROUPS_PER_TRACK = 30;
export const MAX_CLOSURES = 400;
export const MAX_PHASES = 20;

export const groupTemplateSchema = z
  .object({
    days: z.array(dayOfWeekSchema).min(1, { error: 'expected at least one day' }).max(7),
    start: localTimeSchema,
    minutes: z.number().int().min(15).max(480),
    topic: z.string().min(1).max(60),
  })
  .strict();
export type GroupTemplate = z.infer<typeof groupTemplateSchema>;

export const trackSchema = z
  .object({
    id: entityIdSchema,
    groups: z.array(groupTemplateSchema).max(MAX_GROUPS_PER_TRACK),
  })
  .strict()
  .superRefine((track, ctx) => {
    // Two groups of one track on the same day at overlapping times would give every client of the
    // track overlapping sessions, and count their hours twice.
    const span = (g: GroupTemplate, day: string) => {
      const start = DAYS.indexOf(day as (typeof DAYS)[number]) * 1440 + minutesOfDay(g.start);
      return [start, start + g.minutes] as const;
    };
    track.groups.forEach((later, j) => {
      for (let i = 0; i < j; i++) {
        const earlier = track.groups[i]!;
        const day = later.days.find((d) =>
          earlier.days.some((e) => {
            const [a0, a1] = span(earlier, e);
            const [b0, b1] = span(later, d);
            return a0 < b1 && b0 < a1;
          }),
        );
        if (day) {
          ctx.addIssue({
            code: 'custom',
            message: `overlaps groups[${i}] (${earlier.topic}, ${earlier.start} for ${earlier.minutes} min) on ${day}: groups of one track must not overlap`,
            path: ['groups', j],
          });
          return;
        }
      }
    });
  });
export type Track = z.infer<typeof trackSchema>;

export const individualPolicySchema = z
  .object({
    perWeek: z.number().int().min(0).max(7),
    minutes: z.number().int().min(15).max(240),
  })
  .strict();
export type IndividualPolicy = z.infer<typeof individualPolicySchema>;

export const familyPolicySchema = z
  .object({
    everyWeeks: z.number().int().min(1).max(12).default(2),
    minutes: z.number().int().min(15).max(240).default(60),
  })
  .strict();
export type FamilyPolicy = z.infer<typeof familyPolicySchema>;

/** A clinical phase can change the individual-session policy and the weekly minimum (a step-down). */
export const phaseSchema = z
  .object({
    id: entityIdSchema,
    individual: individualPolicySchema.optional(),
    minimumWeeklyHours: z.number().min(0).max(40).optional(),
  })
  .strict();
export type Phase = z.infer<typeof phaseSchema>;

export const screeningPolicySchema = z
  .object({
    days: z.array(dayOfWeekSchema).min(1).max(7).default(['MON', 'TUE', 'WED', 'THU', 'FRI']),
    drawAt: localTimeSchema.default('06:00'),
    rate: z.number().min(0).max(1).default(0.2),
    minPerWeek: z.number().int().min(0).max(7).default(1),
    maxPerWeek: z.number().int().min(1).max(7).optional(),
    windowHours: z.number().min(1).max(24).default(8),
  })
  .strict();
export type ScreeningPolicy = z.infer<typeof screeningPolicySchema>;

export const disengagementPolicySchema = z
  .object({
    consecutiveMisses: z.number().int().min(1).max(10).default(2),
    minAttendanceRate: z.number().min(0).max(1).default(0.75),
    windowDays: z.number().int().min(1).max(90).default(14),
    minSessionsForRate: z.number().int().min(1).max(50).default(4),
    maxGapDays: z.number().int().min(1).max(60).default(7),
    escalateAfterHours: z.number().min(1).max(168).default(24),
  })
  .strict();
export type DisengagementPolicy = z.infer<typeof disengagementPolicySchema>;

/**
 * The largest reminder offset weekly generation can serve: it runs at most 6 days before Monday
 * 00:00 (local) and needs an hour's margin before the earliest reminder (domain/recurring-jobs.ts).
 */
export const MAX_REMINDER_OFFSET_MINUTES = 6 * 1440 - 60;

export const programSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]{1,40}$/, { error: 'expected 1-40 characters of a-z, 0-9 and -' }),
    name: z
      .string()
      .min(1)
      .max(MAX_PROGRAM_NAME_LENGTH)
      // Only GSM-7 basic letters keep an SMS at 160 characters.
      .regex(/^[A-Za-z0-9 .&'-]+$/, { error: "expected letters, digits, spaces and . & ' -" })
      .refine((name) => forbiddenWordsIn(name).length === 0, {
        error: (issue) =>
          `the short name appears in every SMS and must be neutral (no treatment words): ${forbiddenWordsIn(String(issue.input)).join(', ')}`,
      }),
    timezone: timezoneSchema,
    tracks: z.array(trackSchema).min(1, { error: 'expected at least one track' }).max(MAX_TRACKS),
    individual: individualPolicySchema.optional(),
    family: familyPolicySchema.optional(),
    phases: z.array(phaseSchema).max(MAX_PHASES).default([]),
    closures: z.array(boundedDateSchema).max(MAX_CLOSURES).default([]),
    quietHours: quietHoursSchema.default({ start: '21:00', end: '08:00' }),
    reminders: z
      .object({
        offsetsMinutes: z
          .array(
            z
              .number()
              .int()
              .min(1)
              .max(MAX_REMINDER_OFFSET_MINUTES, {
                error: `at most ${MAX_REMINDER_OFFSET_MINUTES} minutes (5 days 23 hours): the week's sessions are generated at most 6 days before it starts, an hour before its earliest reminder`,
              }),
          )
          .max(5)
          .default([1440, 120]),
      })
      .strict()
      .default({ offsetsMinutes: [1440, 120] }),
    missedSession: z
      .object({ graceMinutes: z.number().int().min(0).max(240).default(20) })
      .strict()
      .default({ graceMinutes: 20 }),
    drugScreens: screeningPolicySchema.optional(),
    /** The number a client may call (the HELP answer names it), E.164. */
    contactPhone: phoneSchema.optional(),
    /** How long a client's SMS reply (its text) is kept, then deleted (DynamoDB TTL). */
    replyRetentionDays: z.number().int().min(1).max(3650).default(DEFAULT_REPLY_RETENTION_DAYS),
    disengagement: disengagementPolicySchema.default(disengagementPolicySchema.parse({})),
  })
  .strict()
  .superRefine((program, ctx) => {
    const seen = new Set<string>();
    program.tracks.forEach((track, i) => {
      if (seen.has(track.id)) {
        ctx.addIssue({
          code: 'custom',
          message: `duplicate track id ${track.id}`,
          path: ['tracks', i, 'id'],
        });
      }
      seen.add(track.id);
    });
  });
export type Program = z.infer<typeof programSchema>;
export type ProgramInput = z.input<typeof programSchema>;

/** The individual policy that applies to a client: their phase's, else the program's. */
export function individualPolicyFor(
  program: Program,
  phaseId: string | undefined,
): IndividualPolicy | undefined {
  const phase = phaseId ? program.phases.find((p) => p.id === phaseId) : undefined;
  return phase?.individual ?? program.individual;
}
