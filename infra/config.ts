import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as z from 'zod';
import { phoneSchema, timezoneSchema } from '../functions/domain/common.schema.ts';
import { programSchema, screeningPolicySchema } from '../functions/domain/program.schema.ts';

export const STAGES = ['dev', 'prod'] as const;
export const stageSchema = z.enum(STAGES, { error: 'expected the context value stage to be dev or prod' });
export type Stage = z.infer<typeof stageSchema>;

const retentionValues = new Set<number>(
  Object.values(RetentionDays).filter((v): v is number => typeof v === 'number'),
);

/** A program as a deployment declares it: just what its recurring schedules need. */
const deployedProgramSchema = z.object({
  id: programSchema.shape.id,
  /** @default the stage's defaultTimezone */
  timezone: timezoneSchema.optional(),
  reminders: z.object({
    offsetsMinutes: programSchema.shape.reminders.unwrap().shape.offsetsMinutes.unwrap(),
  }),
  /** The daily draw-screens schedule; keep days and drawAt equal to the program's own drugScreens. */
  drugScreens: screeningPolicySchema.pick({ days: true, drawAt: true }).optional(),
});

export const stageConfigSchema = z
  .object({
    /** @default the CLI's account and region (CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION) */
    account: z
      .string()
      .regex(/^\d{12}$/, { error: 'expected a 12-digit AWS account id' })
      .optional(),
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: 'expected an AWS region like us-east-1' })
      .optional(),
    /** Time zone of programs that do not name their own. */
    defaultTimezone: timezoneSchema,
    /** Addresses subscribed to the care-team topic; each must confirm the subscription e-mail. */
    careTeamEmails: z.array(z.email({ error: 'expected an e-mail address' })),
    /** Addresses subscribed to the ops topic (alarms, dead letters, SMS spend). */
    opsEmails: z.array(z.email({ error: 'expected an e-mail address' })),
    sms: z.object({
      /** Alphanumeric sender id (1-11 characters); not supported for US destinations. */
      senderId: z
        .string()
        .regex(/^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$/, {
          error: 'expected 1-11 letters and digits, at least one letter',
        })
        .optional(),
      /** A registered toll-free, 10DLC or short-code number in E.164. */
      originationNumber: phoneSchema.optional(),
      /** Highest price in USD one SMS may cost (AWS.SNS.SMS.MaxPrice). */
      maxPriceUsd: z
        .number()
        .positive()
        .max(10)
        .refine((usd) => /^\d+(\.\d+)?$/.test(String(usd)), { error: 'expected a plain decimal like 0.05' }),
      /** The account's SNS MonthlySpendLimit in USD; an alarm fires at 80 % of it. */
      monthlySpendLimitUsd: z.number().int().min(1),
    }),
    logRetentionDays: z.number().refine((days) => retentionValues.has(days), {
      error: `expected a CloudWatch Logs retention (days), one of ${[...retentionValues].join(', ')}`,
    }),
    programs: z.array(deployedProgramSchema),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.programs.forEach((program, i) => {
      if (seen.has(program.id)) {
        ctx.addIssue({
          code: 'custom',
          message: `duplicate program id ${program.id}`,
          path: ['programs', i, 'id'],
        });
      }
      seen.add(program.id);
    });
  })
  .transform((config) => ({
    ...config,
    programs: config.programs.map((p) => ({ ...p, timezone: p.timezone ?? config.defaultTimezone })),
  }));

export type StageConfigInput = z.input<typeof stageConfigSchema>;
export type StageConfig = z.output<typeof stageConfigSchema>;
export type DeployedProgram = StageConfig['programs'][number];

/**
 * What each stage deploys. Edit here (not through environment variables) so that a deployment is
 * reviewed like code; docs/deploy.md explains every field.
 */
export const STAGE_CONFIGS: Record<Stage, StageConfigInput> = {
  dev: {
    defaultTimezone: 'America/New_York',
    careTeamEmails: [],
    opsEmails: [],
    // A new account is in the SMS sandbox: only verified numbers, USD 1 a month.
    sms: { maxPriceUsd: 0.05, monthlySpendLimitUsd: 1 },
    logRetentionDays: RetentionDays.ONE_MONTH,
    programs: [
      // The demo program (scenarios and docs use it): weekday draws at 06:00, before the morning track.
      {
        id: 'sunrise',
        timezone: 'America/New_York',
        reminders: { offsetsMinutes: [1440, 120] },
        drugScreens: { days: ['MON', 'TUE', 'WED', 'THU', 'FRI'], drawAt: '06:00' },
      },
    ],
  },
  prod: {
    defaultTimezone: 'America/New_York',
    careTeamEmails: [],
    opsEmails: [],
    sms: { maxPriceUsd: 0.05, monthlySpendLimitUsd: 100 },
    logRetentionDays: RetentionDays.ONE_YEAR,
    // The clinic's programs, one entry each (the program itself is created through the API).
    programs: [],
  },
};

/** The validated config of a stage; a bad field stops synthesis with its path. */
export function loadStageConfig(stage: string, configs: Record<Stage, StageConfigInput> = STAGE_CONFIGS) {
  const parsedStage = stageSchema.safeParse(stage);
  if (!parsedStage.success) throw new Error(`unknown stage "${stage}": expected one of ${STAGES.join(', ')}`);
  return { stage: parsedStage.data, config: parseStageConfig(configs[parsedStage.data], parsedStage.data) };
}

export function parseStageConfig(input: StageConfigInput, stage: Stage = 'dev'): StageConfig {
  const result = stageConfigSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid ${stage} config (infra/config.ts): ${problems}`);
  }
  return result.data;
}
