import { awsDeps, logger, metrics, tracer } from '../adapters/aws/aws-deps.ts';
import { checkScreenJob } from '../jobs/check-screen.job.ts';
import { lambdaJobHandler } from './lambda-job.ts';

export const handler = lambdaJobHandler(checkScreenJob, () => awsDeps(), { logger, metrics, tracer });
