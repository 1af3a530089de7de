import { awsDeps, logger, metrics, tracer } from '../adapters/aws/aws-deps.ts';
import { sweepEngagementJob } from '../jobs/sweep-engagement.job.ts';
import { lambdaJobHandler } from './lambda-job.ts';

export const handler = lambdaJobHandler(sweepEngagementJob, () => awsDeps(), { logger, metrics, tracer });
