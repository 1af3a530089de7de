import type { Deps } from './deps.ts';

/**
 * Called by every handler that changes attendance or screens. The writing handlers evaluate the
 * engagement rules directly (not DynamoDB Streams): the change and its evaluation happen in one
 * invocation, the simulator and local runtime behave exactly as AWS, and DynamoDB Local has no
 * Streams triggers. A daily sweep catches what no write triggers (a gap that only grows).
 */
export async function afterEngagementChange(
  _deps: Deps,
  _programId: string,
  _clientId: string,
): Promise<void> {
  // The disengagement rules plug in here (issue 6).
}
