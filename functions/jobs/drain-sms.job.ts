import * as z from 'zod';
import { utcInstantSchema } from '../domain/common.schema.ts';
import { addMinutes } from '../domain/zoned-time.ts';
import type { Deps } from '../use-cases/deps.ts';
import { type DrainResult, drainSmsQueue, RETRY_AFTER_MINUTES } from '../use-cases/sms-queue.ts';
import { defineJob } from './job.ts';

export const drainSmsPayloadSchema = z.object({
  /** The identity's queue key (functions/domain/pacing.ts identityKey). */
  identity: z.string().regex(/^[A-Za-z0-9]{1,30}$/),
  scheduledTime: utcInstantSchema.optional(),
});

/**
 * One window of an identity's SMS drainer, then a wake for the next one when messages wait. The
 * local runtime and the simulator run it through the in-process scheduler (every window at its
 * second); in AWS the drainer Lambda loops over windows itself (functions/handlers/drain-sms.handler.ts).
 */
export async function drainWindow(deps: Deps, identity: string): Promise<DrainResult> {
  if (!deps.pacing) throw new Error('drain-sms: this system has no SMS queue');
  const now = deps.clock.now();
  const result = await drainSmsQueue({ ...deps, pacing: deps.pacing }, identity);
  // A refused message is the job's failure: its retry a minute later takes it again (the run
  // shows as failed, like any job whose call was refused); the rest of the queue does not wait.
  const retryAt = addMinutes(now, RETRY_AFTER_MINUTES);
  if (result.next && !(result.retrying && result.next >= retryAt))
    await deps.pacing.trigger.wake(identity, result.next);
  if (result.retrying)
    throw new Error(`${result.retrying} SMS not sent (refused); tried again at ${retryAt}`);
  return result;
}

export const drainSmsJob = defineJob({
  target: 'drain-sms',
  payload: drainSmsPayloadSchema,
  run: (deps, p) => drainWindow(deps, p.identity),
});
