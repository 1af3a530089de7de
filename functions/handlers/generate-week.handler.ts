import { awsDeps, logger, metrics, tracer } from '../adapters/aws/aws-deps.ts';
import { generateWeekJob } from '../jobs/generate-week.job.ts';
import { lambdaJobHandler } from './lambda-job.ts';

export const handler = lambdaJobHandler(generateWeekJob, () => awsDeps(), { logger, metrics, tracer });
