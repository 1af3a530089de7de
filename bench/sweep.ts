import { addDays } from '../functions/domain/zoned-time.ts';
import { runJob } from '../functions/handlers/lambda-job.ts';
import { sweepEngagementJob } from '../functions/jobs/sweep-engagement.job.ts';
import { ASSUMPTIONS } from './prices.ts';
import {
  type Dataset,
  depsAt,
  functionSpec,
  localInstant,
  MONDAY,
  projectToAws,
  round,
  totalRequests,
  usageSince,
} from './support.ts';

export interface SweepResult {
  clients: number;
  seconds: number;
  dynamoRequests: Record<string, number>;
  dynamoRequestsTotal: number;
  requestsPerClient: number;
  /** Of `seconds`, the time inside DynamoDB calls. */
  dynamoSeconds: number;
  readUnits: number;
  writeUnits: number;
  /** CPU as measured + the time in DynamoDB scaled to ASSUMPTIONS.dynamoCallMs per call (projectToAws). */
  projectedAwsSeconds: number;
  /** sweep-engagement's timeout in infra/functions.ts. */
  timeoutSeconds: number;
  fitsLambdaTimeout: boolean;
}

/** The daily engagement sweep (Tuesday 05:30 local, after Monday's sessions) over every active client. */
export async function measureSweep(dataset: Dataset): Promise<SweepResult> {
  const deps = depsAt(dataset, localInstant(addDays(MONDAY, 1), '05:30', dataset.program));
  const before = dataset.meter.snapshot();
  const t0 = performance.now();
  await runJob(sweepEngagementJob, deps, { programId: dataset.program.id });
  const seconds = (performance.now() - t0) / 1000;
  const usage = usageSince(before, dataset.meter.snapshot());
  const total = totalRequests(usage);
  const projected = projectToAws(seconds, usage, ASSUMPTIONS.dynamoCallMs);
  return {
    clients: dataset.clients,
    seconds: round(seconds, 2),
    dynamoRequests: usage.requests,
    dynamoRequestsTotal: total,
    requestsPerClient: round(total / dataset.clients, 2),
    dynamoSeconds: usage.dynamoSeconds,
    readUnits: usage.readUnits,
    writeUnits: usage.writeUnits,
    projectedAwsSeconds: round(projected, 0),
    timeoutSeconds: functionSpec('sweep-engagement').timeoutSeconds,
    fitsLambdaTimeout: projected <= functionSpec('sweep-engagement').timeoutSeconds,
  };
}
