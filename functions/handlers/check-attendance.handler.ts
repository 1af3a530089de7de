import { awsDeps, logger, metrics, tracer } from '../adapters/aws/aws-deps.ts';
import { checkAttendanceJob } from '../jobs/check-attendance.job.ts';
import { lambdaJobHandler } from './lambda-job.ts';

export const handler = lambdaJobHandler(checkAttendanceJob, () => awsDeps(), { logger, metrics, tracer });
