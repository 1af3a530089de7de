import type { JobTarget } from '../ports/job-scheduler.port.ts';
import { checkAttendanceJob } from './check-attendance.job.ts';
import { checkScreenJob } from './check-screen.job.ts';
import { drainSmsJob } from './drain-sms.job.ts';
import { drawScreensJob } from './draw-screens.job.ts';
import { escalateFlagJob } from './escalate-flag.job.ts';
import { generateWeekJob } from './generate-week.job.ts';
import type { JobDefinition } from './job.ts';
import { sendReminderJob } from './send-reminder.job.ts';
import { sweepEngagementJob } from './sweep-engagement.job.ts';

/** Every job, by target: the local runtime and the simulator fire schedules through this map. */
export const jobRegistry: Partial<Record<JobTarget, JobDefinition>> = {
  'generate-week': generateWeekJob,
  'send-reminder': sendReminderJob,
  'check-attendance': checkAttendanceJob,
  'draw-screens': drawScreensJob,
  'check-screen': checkScreenJob,
  'escalate-flag': escalateFlagJob,
  'sweep-engagement': sweepEngagementJob,
  'drain-sms': drainSmsJob,
};
