import type { EngagementPorts } from './deps.ts';
import { evaluateClientEngagement, needsFollowUp } from './flags.ts';

/**
 * Called by every handler that changes attendance or screens. The writing handlers evaluate the
 * engagement rules directly rather than through DynamoDB Streams: the change and its evaluation
 * happen in one invocation (a flag within seconds, and no second pipeline to operate), the
 * simulator and local runtime behave exactly as AWS, and DynamoDB Local has no Streams triggers.
 * A daily sweep catches what no write triggers (a gap that only grows with time).
 */
export async function afterEngagementChange(
  deps: EngagementPorts,
  programId: string,
  clientId: string,
  change: { attended?: boolean } = {},
): Promise<void> {
  // Attending can only end a flag (a run of misses, a low rate, a gap), never start one: with no
  // open flag there is nothing to evaluate, which spares every ordinary check-in four reads.
  if (change.attended) {
    const flags = await deps.flags.listFlagsByClient(programId, clientId);
    if (!flags.some((f) => f.status === 'open' || needsFollowUp(f))) return;
  }
  await evaluateClientEngagement(deps, programId, clientId);
}
