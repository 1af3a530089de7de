import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as z from 'zod';
import { phoneSchema } from '../functions/domain/common.schema.ts';
import { jobTargetSchema } from '../functions/domain/job.schema.ts';
import { programSchema } from '../functions/domain/program.schema.ts';

export const STAGES = ['dev', 'prod'] as const;
export const stageSchema = z.enum(STAGES, { error: 'expected the context value stage to be dev or prod' });
export type Stage = z.infer<typeof stageSchema>;

const retentionValues = new Set<number>(
  Object.values(RetentionDays).filter((v): v is number => typeof v === 'number'),
);

/** SNS allows at most 150 values in one subscription's filter policy. */
const MAX_FILTER_VALUES = 150;

/** A clinician (or a shared care-team mailbox) and the programs whose alerts they receive. */
const careTeamMemberSchema = z.object({
  email: z.email({ error: 'expected an e-mail address' }),
  /** Program ids; the subscription's filter policy admits alerts whose `program` attribute is one of them. */
  programs: z
    .array(programSchema.shape.id)
    .min(1, { error: 'expected at least one program id: a member with none would receive nothing' })
    .max(MAX_FILTER_VALUES, {
      error: `expected at most ${MAX_FILTER_VALUES} programs (SNS filter policy limit)`,
    }),
});

/** The functions a stage may reserve concurrency for (every job target, the API, the inbound SMS). */
const functionNameSchema = z.enum([...jobTargetSchema.options, 'api', 'inbound-sms']);

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
    /**
     * Who receives care-team alerts, each for their own programs only (an e-mail subscription with a
     * filter policy on the alert's `program` attribute); each must confirm the subscription e-mail.
     * Programs themselves are data, created through the API: only their ids appear here.
     */
    careTeam: z.array(careTeamMemberSchema),
    /** Addresses subscribed to the ops topic (alarms, dead letters, SMS spend). */
    opsEmails: z.array(z.email({ error: 'expected an e-mail address' })),
    /**
     * The prefix of the staff sign-in domain, `<prefix>.auth.<region>.amazoncognito.com` (managed
     * login), unique in the Region. @default cadence-<stage>-<account id>
     */
    authDomainPrefix: z
      .string()
      .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, {
        error: 'expected lower-case letters, digits and hyphens, like cadence-prod-clinic',
      })
      .refine((p) => !/aws|amazon|cognito/.test(p), { error: 'may not contain aws, amazon or cognito' })
      .optional(),
    /**
     * Where alert links point: `<appBaseUrl>/programs/<program>/clients/<client>`, a page of the
     * care-team web app; set it when the app has a custom domain.
     * @default the web app's CloudFront distribution, https://<id>.cloudfront.net
     */
    appBaseUrl: z
      .url({ protocol: /^https$/, error: 'expected an https URL like https://cadence.clinic.example' })
      .refine((url) => !new URL(url).hostname.endsWith('.invalid'), {
        error: 'expected a reachable host, not a .invalid placeholder',
      })
      .transform((url) => url.replace(/\/+$/, ''))
      .optional(),
    /**
     * Reserved concurrency per function. New accounts have a concurrency quota of 10 and Lambda keeps
     * 100 unreserved, so any reservation fails there: raise the quota first (docs/deploy.md).
     * @default - none reserved
     */
    reservedConcurrency: z.partialRecord(functionNameSchema, z.number().int().min(1)).optional(),
    sms: z.object({
      /** Alphanumeric sender id (1-11 characters); not supported for US destinations. */
      senderId: z
        .string()
        .regex(/^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$/, {
          error: 'expected 1-11 letters and digits, at least one letter',
        })
        .optional(),
      /** A registered toll-free, 10DLC or short-code number in E.164 (the single-number case). */
      originationNumber: phoneSchema.optional(),
      /**
       * Paced sending (issue 16): several registered numbers to spread clients over, each client
       * always texted from the same one (a hash of their number). Numbers, not ARNs: SNS takes the
       * sender as AWS.MM.SMS.OriginationNumber. Reordering or changing the list moves clients to
       * other numbers (docs/deploy.md, "Paced sending"). Empty: every SMS from originationNumber.
       * @default []
       */
      originationPool: z
        .array(phoneSchema)
        .max(50, { error: "expected at most 50 numbers (they travel in the functions' 4 KB environment)" })
        .refine((pool) => new Set(pool).size === pool.length, { error: 'lists a number twice' })
        .default([]),
      /**
       * SMS a second per origination identity (each number of the pool, or the single number): the
       * identity's registered throughput, e.g. toll-free 3, 10DLC by its campaign's trust score,
       * short code 100 (docs/deploy.md, "Paced sending").
       * @default 20
       */
      perSecond: z
        .number()
        .int({ error: 'expected a whole number of SMS a second' })
        .min(1)
        .max(1000)
        .default(20),
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
    /** Gone: a config from before programs were data stops here, saying what to do instead. */
    programs: z
      .never({
        error:
          'programs are no longer listed here: remove this field; each program gets its schedules when it is created or updated through the API (docs/deploy.md, "Upgrading")',
      })
      .optional(),
    /** Gone with `programs`: every program names its own time zone. */
    defaultTimezone: z
      .never({ error: 'no longer used: every program names its own time zone; remove this field' })
      .optional(),
  })
  .superRefine((config, ctx) => {
    const emails = new Set<string>();
    config.careTeam.forEach((member, i) => {
      const email = member.email.toLowerCase();
      if (emails.has(email)) {
        ctx.addIssue({
          code: 'custom',
          message: `${member.email} is listed twice: give one entry all of its programs`,
          path: ['careTeam', i, 'email'],
        });
      }
      emails.add(email);
    });
  });

export type StageConfigInput = z.input<typeof stageConfigSchema>;
export type StageConfig = z.output<typeof stageConfigSchema>;
export type CareTeamMember = StageConfig['careTeam'][number];

/**
 * What prod needs on top of a valid config, or it deploys something that cannot work: alarms and
 * alerts nobody receives, SMS that carriers drop. (Reminder offsets beyond what weekly generation
 * serves are refused for every stage: MAX_REMINDER_OFFSET_MINUTES, through the program schema.)
 */
function checkProduction(config: StageConfig, ctx: z.RefinementCtx): void {
  const missing = (path: string[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (config.opsEmails.length === 0)
    missing(['opsEmails'], 'prod needs at least one address: alarms and dead letters would reach nobody');
  if (config.careTeam.length === 0)
    missing(['careTeam'], 'prod needs at least one care-team member: alerts would reach nobody');
  if (!config.sms.originationNumber && config.sms.originationPool.length === 0)
    missing(
      ['sms', 'originationNumber'],
      'prod needs a registered origination number (toll-free, 10DLC or short code) in E.164, or an sms.originationPool of them: US carriers drop SMS without one',
    );
}

const SCHEMAS = {
  dev: stageConfigSchema,
  prod: stageConfigSchema.superRefine(checkProduction),
} as const satisfies Record<Stage, z.ZodType<StageConfig, StageConfigInput>>;

/**
 * What each stage deploys. Edit here (not through environment variables) so that a deployment is
 * reviewed like code; docs/deploy.md explains every field.
 */
export const STAGE_CONFIGS: Record<Stage, StageConfigInput> = {
  dev: {
    careTeam: [],
    opsEmails: [],
    // A new account is in the SMS sandbox: only verified numbers, USD 1 a month.
    sms: { maxPriceUsd: 0.05, monthlySpendLimitUsd: 1 },
    logRetentionDays: RetentionDays.ONE_MONTH,
  },
  // EXAMPLE VALUES: every address, the number and the program id below are placeholders (.example is
  // a reserved domain; +1 833 555-01xx is a fictional toll-free number). Replace them before the first
  // prod deploy (docs/deploy.md, "Stage configuration").
  prod: {
    careTeam: [{ email: 'care-team@clinic.example', programs: ['example'] }],
    opsEmails: ['ops@clinic.example'],
    // A toll-free number sends 3 SMS a second: the drainer paces each identity to perSecond.
    sms: { originationNumber: '+18335550100', perSecond: 3, maxPriceUsd: 0.05, monthlySpendLimitUsd: 100 },
    logRetentionDays: RetentionDays.ONE_YEAR,
  },
};

/** The validated config of a stage; a bad field stops synthesis with its path. */
export function loadStageConfig(stage: string, configs: Record<Stage, StageConfigInput> = STAGE_CONFIGS) {
  const parsedStage = stageSchema.safeParse(stage);
  if (!parsedStage.success) throw new Error(`unknown stage "${stage}": expected one of ${STAGES.join(', ')}`);
  return { stage: parsedStage.data, config: parseStageConfig(configs[parsedStage.data], parsedStage.data) };
}

/** Parses a stage's config; every problem is reported on one line, each with its field's path. */
export function parseStageConfig(input: StageConfigInput, stage: Stage = 'dev'): StageConfig {
  const result = SCHEMAS[stage].safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid ${stage} config (infra/config.ts): ${problems}`);
  }
  return result.data;
}
