import { awsDeps, logger, metrics, tracer } from '../adapters/aws/aws-deps.ts';
import { drawScreensJob } from '../jobs/draw-screens.job.ts';
import { lambdaJobHandler } from './lambda-job.ts';

export const handler = lambdaJobHandler(drawScreensJob, () => awsDeps(), { logger, metrics, tracer });
