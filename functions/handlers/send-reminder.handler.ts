import { awsDeps, logger, metrics, tracer } from '../adapters/aws/aws-deps.ts';
import { sendReminderJob } from '../jobs/send-reminder.job.ts';
import { lambdaJobHandler } from './lambda-job.ts';

export const handler = lambdaJobHandler(sendReminderJob, () => awsDeps(), { logger, metrics, tracer });
