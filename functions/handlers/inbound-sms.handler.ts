import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { awsDeps, logger, metrics, tracer } from '../adapters/aws/aws-deps.ts';
import { type InboundSms, inboundSmsSchema } from '../domain/inbound-sms.ts';
import { redactError } from '../domain/redact.ts';
import type { Deps } from '../use-cases/deps.ts';
import { receiveSms } from '../use-cases/inbound-sms.ts';
import { issuePath } from './validation.ts';

/** The SNS notification around each inbound SMS: only what is read. */
const snsEventSchema = z.object({
  Records: z
    .array(
      z.object({
        Sns: z.object({ MessageId: z.string(), Message: z.string() }),
      }),
    )
    .min(1),
});

export const METRIC_UNKNOWN_NUMBER = 'InboundSmsFromUnknownNumber';
export const METRIC_MALFORMED = 'InboundSmsMalformed';

/** The inbound SMS in an SNS Message, or why not: field paths only, never a value (the text, the number). */
export function parseInboundSms(message: string): { sms: InboundSms } | { problems: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return { problems: ['(root): not JSON'] };
  }
  const parsed = inboundSmsSchema.safeParse(json);
  if (parsed.success) return { sms: parsed.data };
  return { problems: parsed.error.issues.map((i) => `${issuePath(i.path) || '(root)'}: ${i.code}`) };
}

export interface InboundObservability {
  logger: Logger;
  metrics: Metrics;
  tracer?: Tracer;
}

/**
 * The Lambda subscribed to the inbound-SMS topic. Each notification's Message is parsed with zod;
 * a malformed one is logged with its SNS message id and the failing field paths (never a value)
 * and dropped, counted, not thrown: a retry cannot mend it. A number that is no client's is
 * counted and never answered. Anything else that fails is thrown, so Lambda retries the event
 * (twice) and then keeps it in the function's dead-letter queue; every effect is idempotent on the
 * inbound message id, so a retry does nothing twice.
 */
export function inboundSmsHandler(makeDeps: () => Deps, observability: InboundObservability) {
  let deps: Deps | undefined;
  const { logger: log, metrics: counter } = observability;
  const handler = middy()
    .use(injectLambdaContext(log, { resetKeys: true }))
    .use(logMetrics(counter));
  if (observability.tracer) handler.use(captureLambdaHandler(observability.tracer));
  return handler.handler(async (event: unknown) => {
    deps ??= makeDeps();
    const envelope = snsEventSchema.safeParse(event);
    if (!envelope.success) {
      log.error('inbound SMS dropped: not an SNS event', {
        problems: envelope.error.issues.map((i) => `${issuePath(i.path) || '(root)'}: ${i.code}`),
      });
      counter.addMetric(METRIC_MALFORMED, MetricUnit.Count, 1);
      return { dropped: 1 };
    }
    const outcomes = [];
    for (const record of envelope.data.Records) {
      const snsMessageId = record.Sns.MessageId;
      const parsed = parseInboundSms(record.Sns.Message);
      if ('problems' in parsed) {
        log.error('inbound SMS dropped: malformed message', { snsMessageId, problems: parsed.problems });
        counter.addMetric(METRIC_MALFORMED, MetricUnit.Count, 1);
        outcomes.push({ snsMessageId, dropped: 'malformed' });
        continue;
      }
      const { inboundMessageId } = parsed.sms;
      try {
        const outcome = await receiveSms(deps, parsed.sms);
        if ('ignored' in outcome) {
          log.info('inbound SMS from a number that is no client: ignored', { inboundMessageId });
          counter.addMetric(METRIC_UNKNOWN_NUMBER, MetricUnit.Count, 1);
        } else {
          log.info('inbound SMS', { inboundMessageId, ...outcome });
        }
        outcomes.push({ inboundMessageId, ...outcome });
      } catch (error) {
        const redacted = redactError(error);
        log.error('inbound SMS failed', { inboundMessageId, error: redacted });
        throw Object.assign(new Error(redacted.message), { name: redacted.name, stack: redacted.stack });
      }
    }
    return { outcomes };
  });
}

export const handler = inboundSmsHandler(() => awsDeps(), { logger, metrics, tracer });
