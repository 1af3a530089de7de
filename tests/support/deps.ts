import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { runJob } from '../../functions/handlers/lambda-job.ts';
import { drainSmsJob } from '../../functions/jobs/drain-sms.job.ts';
import { type LocalSystem, localSystem } from '../../local/adapters/local-deps.ts';

/** Counts DynamoDB commands by name, so tests and benchmarks can assert request counts. */
export function countRequests(doc: DynamoDBDocumentClient): Record<string, number> {
  const counts: Record<string, number> = {};
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      counts[name] = (counts[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: `count-requests-${Math.random()}` },
  );
  return counts;
}

export function localDeps(
  doc: DynamoDBDocumentClient,
  tableName: string,
  now = '2027-01-01T00:00:00Z',
  options: { paced?: boolean } = {},
) {
  return localSystem({ doc, tableName, now, ...options });
}

/**
 * Runs the SMS drainers that are due now, as the scheduler would fire them, until none is due:
 * what a test's jobs queued goes out (as many drainers at once as `concurrent`, racing).
 */
export async function drainSms(sys: LocalSystem, concurrent = 1): Promise<void> {
  for (let round = 0; round < 100; round++) {
    const due = sys.scheduler.pending().filter((j) => j.target === 'drain-sms' && j.at <= sys.clock.now());
    if (due.length === 0) return;
    await sys.scheduler.cancel(due.map((j) => j.name));
    await Promise.all(
      due.flatMap((j) =>
        Array.from({ length: concurrent }, () =>
          runJob(drainSmsJob, sys.deps, { ...j.payload, scheduledTime: j.at }),
        ),
      ),
    );
  }
  throw new Error('the SMS drainers keep waking each other up');
}
