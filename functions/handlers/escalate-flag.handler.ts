import { awsDeps, logger, metrics, tracer } from '../adapters/aws/aws-deps.ts';
import { escalateFlagJob } from '../jobs/escalate-flag.job.ts';
import { lambdaJobHandler } from './lambda-job.ts';

export const handler = lambdaJobHandler(escalateFlagJob, () => awsDeps(), { logger, metrics, tracer });
