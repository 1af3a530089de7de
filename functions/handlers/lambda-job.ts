import middy from '@middy/core';
import type { JobDefinition } from '../jobs/job.ts';
import type { Deps } from '../use-cases/deps.ts';
import { formatIssues } from './validation.ts';

export class InvalidPayloadError extends Error {
  override readonly name = 'InvalidPayloadError';
}

/**
 * The Lambda entry for a scheduled job: parse the payload with the job's zod schema (nothing runs
 * on a bad one: the error names the field and the event goes to the DLQ), then run the use case.
 * Deps are built on first use and kept for the life of the execution environment.
 */
export function lambdaJobHandler(job: JobDefinition, makeDeps: () => Deps) {
  let deps: Deps | undefined;
  return middy().handler(async (event: unknown) => {
    deps ??= makeDeps();
    const parsed = job.payload.safeParse(event);
    if (!parsed.success)
      throw new InvalidPayloadError(`invalid ${job.target} payload: ${formatIssues(parsed.error)}`);
    return (await job.run(deps, parsed.data)) ?? { ok: true };
  });
}

/** Runs a job outside Lambda (local runtime, simulator), with the same parsing. */
export async function runJob(job: JobDefinition, deps: Deps, event: unknown): Promise<unknown> {
  const parsed = job.payload.safeParse(event);
  if (!parsed.success)
    throw new InvalidPayloadError(`invalid ${job.target} payload: ${formatIssues(parsed.error)}`);
  return job.run(deps, parsed.data);
}
