import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { redactError } from '../domain/redact.ts';
import type { JobDefinition } from '../jobs/job.ts';
import type { Deps } from '../use-cases/deps.ts';
import { formatIssues } from './validation.ts';

/** Powertools middlewares for the Lambda entries: request context in every log line, metrics flushed. */
export interface Observability {
  logger?: Logger;
  metrics?: Metrics;
  tracer?: Tracer;
}

export class InvalidPayloadError extends Error {
  override readonly name = 'InvalidPayloadError';
}

/**
 * The Lambda entry for a scheduled job: parse the payload with the job's zod schema (nothing runs
 * on a bad one: the error names the field and the event goes to the DLQ), then run the use case.
 * Deps are built on first use and kept for the life of the execution environment.
 */
export function lambdaJobHandler(
  job: JobDefinition,
  makeDeps: () => Deps,
  observability: Observability = {},
) {
  let deps: Deps | undefined;
  const handler = middy();
  if (observability.logger) handler.use(injectLambdaContext(observability.logger, { resetKeys: true }));
  if (observability.metrics) handler.use(logMetrics(observability.metrics));
  if (observability.tracer) handler.use(captureLambdaHandler(observability.tracer));
  return handler.handler(async (event: unknown) => {
    deps ??= makeDeps();
    const parsed = job.payload.safeParse(event);
    if (!parsed.success)
      throw new InvalidPayloadError(`invalid ${job.target} payload: ${formatIssues(parsed.error)}`);
    try {
      return (await job.run(deps, parsed.data)) ?? { ok: true };
    } catch (error) {
      // Logged once, redacted, with its stack; what the runtime logs and the DLQ keeps is redacted too.
      const redacted = redactError(error);
      deps.log.error(`${job.target} failed`, { error: redacted });
      throw Object.assign(new Error(redacted.message), { name: redacted.name, stack: redacted.stack });
    }
  });
}

/** Runs a job outside Lambda (local runtime, simulator), with the same parsing. */
export async function runJob(job: JobDefinition, deps: Deps, event: unknown): Promise<unknown> {
  const parsed = job.payload.safeParse(event);
  if (!parsed.success)
    throw new InvalidPayloadError(`invalid ${job.target} payload: ${formatIssues(parsed.error)}`);
  return job.run(deps, parsed.data);
}
