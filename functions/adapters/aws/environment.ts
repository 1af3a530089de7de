import * as z from 'zod';
import { jobTargetSchema } from '../../ports/job-scheduler.port.ts';

/** Each function's environment, parsed once at cold start: a missing variable stops it with its name. */
export const lambdaEnvironmentSchema = z.object({
  TABLE_NAME: z.string().min(1),
  SCHEDULE_GROUP: z.string().min(1).optional(),
  SCHEDULER_ROLE_ARN: z.string().startsWith('arn:').optional(),
  SCHEDULER_DLQ_ARN: z.string().startsWith('arn:').optional(),
  /** JSON object from job target to the Lambda ARN a schedule invokes, e.g. {"send-reminder":"arn:…"}. */
  JOB_TARGETS: z
    .string()
    .default('{}')
    .transform((text, ctx) => {
      try {
        return z.partialRecord(jobTargetSchema, z.string().startsWith('arn:')).parse(JSON.parse(text));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'expected a JSON object of job target to Lambda ARN' });
        return z.NEVER;
      }
    }),
  CARE_TEAM_TOPIC_ARN: z.string().startsWith('arn:').optional(),
  SMS_SENDER_ID: z.string().max(11).optional(),
  SMS_ORIGINATION_NUMBER: z.string().optional(),
  SMS_MAX_PRICE: z
    .string()
    .regex(/^\d+(\.\d+)?$/)
    .optional(),
  /** Paced sending (issue 16): the FIFO queue that wakes the SMS drainers; set on every function that texts. */
  SMS_QUEUE_URL: z.url().optional(),
  /** Where the drainer hands a message it gave up on (ids only). */
  SMS_DEAD_LETTER_URL: z.url().optional(),
  /** Messages per second per origination identity. */
  SMS_PER_SECOND: z.coerce.number().int().min(1).max(1000).default(20),
  /** The pool of origination numbers (E.164), comma-separated; a client always hears from the same one. */
  SMS_ORIGINATION_POOL: z
    .string()
    .default('')
    .transform((text) =>
      text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  /** Base of the links in care-team alerts: required wherever alerts are sent (CARE_TEAM_TOPIC_ARN). */
  APP_BASE_URL: z.url().optional(),
});
export type LambdaEnvironment = z.infer<typeof lambdaEnvironmentSchema>;

/** A function that alerts the care team must know where its links point: no placeholder. */
const checkedEnvironmentSchema = lambdaEnvironmentSchema.superRefine((env, ctx) => {
  if (env.SMS_QUEUE_URL && !env.SMS_DEAD_LETTER_URL)
    ctx.addIssue({
      code: 'custom',
      path: ['SMS_DEAD_LETTER_URL'],
      message: 'required with SMS_QUEUE_URL: where the drainer hands messages it gave up on',
    });
  if (env.CARE_TEAM_TOPIC_ARN && !env.APP_BASE_URL)
    ctx.addIssue({
      code: 'custom',
      path: ['APP_BASE_URL'],
      message: 'required with CARE_TEAM_TOPIC_ARN: the base URL of the links in care-team alerts',
    });
});

export function parseEnvironment(env: NodeJS.ProcessEnv = process.env): LambdaEnvironment {
  const result = checkedEnvironmentSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid environment: ${problems}`);
  }
  return result.data;
}
