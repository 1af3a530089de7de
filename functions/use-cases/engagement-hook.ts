import type { Deps } from './deps.ts';
import { evaluateClientEngagement } from './flags.ts';

/**
 * Called by every handler that changes attendance or screens. The writing handlers evaluate the
 * engagement rules directly rather than through DynamoDB Streams: the change and its evaluation
 * happen in one invocation (a flag within seconds, and no second pipeline to operate), the
 * simulator and local runtime behave exactly as AWS, and DynamoDB Local has no Streams triggers.
 * A daily sweep catches what no write triggers (a gap that only grows with time).
 */
export async function afterEngagementChange(deps: Deps, programId: string, clientId: string): Promise<void> {
  await evaluateClientEngagement(deps, programId, clientId);
}
