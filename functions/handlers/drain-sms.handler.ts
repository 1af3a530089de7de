import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { awsDeps, logger, metrics, tracer } from '../adapters/aws/aws-deps.ts';
import { redactError } from '../domain/redact.ts';
import { drainSmsPayloadSchema } from '../jobs/drain-sms.job.ts';
import type { Deps } from '../use-cases/deps.ts';
import { isRefusal } from '../use-cases/send-sms.ts';
import { drainSmsQueue } from '../use-cases/sms-queue.ts';
import { formatIssues } from './validation.ts';

/** The FIFO wake-ups (one message group per identity), as the SQS event source delivers them. */
const sqsEventSchema = z.object({
  Records: z
    .array(z.object({ messageId: z.string(), body: z.string(), eventSource: z.literal('aws:sqs') }))
    .min(1),
});
const wakeSchema = z.object({ identity: drainSmsPayloadSchema.shape.identity });

export interface DrainOptions {
  /** Waits between windows (a real sleep in Lambda; tests pass a fake one that moves their clock). */
  sleep: (ms: number) => Promise<void>;
  /** The wall clock the waits are measured on. */
  now: () => number;
  /** Stops taking windows when less than this is left of the invocation (then wakes a successor). */
  reserveMs: number;
  /** Sleeps through a wait this long at most; a later one is a scheduled wake-up instead. */
  maxWaitMs: number;
}

const DEFAULTS: DrainOptions = {
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  now: () => Date.now(),
  reserveMs: 20_000,
  maxWaitMs: 60_000,
};

/**
 * An identity's drainer, for as long as its invocation allows: a window a second (at most the
 * identity's rate, earliest deadline first), sleeping through short waits (the next second, a
 * refusal's one-minute backoff). Out of time with messages ready, it wakes a successor through the
 * FIFO queue; with only a later message waiting (quiet hours), it leaves a one-time schedule for
 * then. A refused call to DynamoDB is retried after a short pause; three in a row fail the
 * invocation (SQS delivers the wake again).
 */
export async function drainIdentity(
  deps: Deps,
  identity: string,
  remainingMs: () => number,
  options: DrainOptions = DEFAULTS,
): Promise<{ sent: number }> {
  if (!deps.pacing) throw new Error('drain-sms: SMS_QUEUE_URL is not set');
  const paced = { ...deps, pacing: deps.pacing };
  let sent = 0;
  let refusals = 0;
  for (;;) {
    let next: string | undefined;
    try {
      const result = await drainSmsQueue(paced, identity);
      sent += result.sent;
      next = result.next;
      refusals = 0;
    } catch (error) {
      if (!isRefusal(error) || ++refusals >= 3) throw error;
      await options.sleep(500 * refusals);
      continue;
    }
    if (!next) return { sent };
    const wait = Math.max(0, Date.parse(next) - options.now());
    if (wait <= options.maxWaitMs && remainingMs() - wait > options.reserveMs) {
      await options.sleep(wait);
      continue;
    }
    // Soon: a successor through the queue (it waits for its second itself); later: a schedule.
    await deps.pacing.trigger.wake(identity, wait <= options.maxWaitMs ? undefined : next);
    return { sent };
  }
}

export interface DrainObservability {
  logger?: Logger;
  metrics?: Metrics;
  tracer?: Tracer;
}

/**
 * The drain-sms Lambda: woken by the FIFO queue (a batch of wake-ups, grouped by identity) or by a
 * one-time schedule (`{identity}`). A wake-up that does not parse is logged by field and dropped
 * (a retry cannot mend it). The batch's identities drain side by side; an identity whose drain
 * fails has its records reported as failures, so SQS delivers them again and the rest of the
 * batch is not repeated.
 */
export function drainSmsHandler(
  makeDeps: () => Deps,
  observability: DrainObservability = {},
  options: DrainOptions = DEFAULTS,
) {
  let deps: Deps | undefined;
  const handler = middy();
  if (observability.logger) handler.use(injectLambdaContext(observability.logger, { resetKeys: true }));
  if (observability.metrics) handler.use(logMetrics(observability.metrics));
  if (observability.tracer) handler.use(captureLambdaHandler(observability.tracer));
  return handler.handler(async (event: unknown, context: { getRemainingTimeInMillis?: () => number }) => {
    deps ??= makeDeps();
    const remaining = () => context.getRemainingTimeInMillis?.() ?? 60_000;
    const sqs = sqsEventSchema.safeParse(event);
    if (!sqs.success) {
      const scheduled = drainSmsPayloadSchema.safeParse(event);
      if (!scheduled.success) throw new Error(`invalid drain-sms event: ${formatIssues(scheduled.error)}`);
      return drainIdentity(deps, scheduled.data.identity, remaining, options);
    }
    const byIdentity = new Map<string, string[]>();
    for (const record of sqs.data.Records) {
      let wake: z.infer<typeof wakeSchema> | undefined;
      try {
        wake = wakeSchema.parse(JSON.parse(record.body));
      } catch {
        deps.log.error('drain-sms: a wake-up that does not parse was dropped', {
          messageId: record.messageId,
        });
        continue;
      }
      byIdentity.set(wake.identity, [...(byIdentity.get(wake.identity) ?? []), record.messageId]);
    }
    // The identities of a batch drain side by side: each at its own rate, none waiting for another.
    const drained = await Promise.allSettled(
      [...byIdentity.keys()].map((identity) => drainIdentity(deps!, identity, remaining, options)),
    );
    const batchItemFailures: { itemIdentifier: string }[] = [];
    [...byIdentity.values()].forEach((messageIds, i) => {
      const outcome = drained[i]!;
      if (outcome.status === 'fulfilled') return;
      deps!.log.error('drain-sms failed', { error: redactError(outcome.reason) });
      batchItemFailures.push(...messageIds.map((itemIdentifier) => ({ itemIdentifier })));
    });
    return { batchItemFailures };
  });
}

export const handler = drainSmsHandler(() => awsDeps(), { logger, metrics, tracer });
