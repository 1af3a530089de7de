import type { RecurringJob } from './job.schema.ts';
import type { Program } from './program.schema.ts';
import { isoWeekOf, nextIsoWeek } from './zoned-time.ts';

const WEEKDAYS_BACK_FROM_MONDAY = ['MON', 'SUN', 'SAT', 'FRI', 'THU', 'WED', 'TUE'] as const;
/** Margin between generating a week and its earliest possible reminder. */
const GENERATION_MARGIN_MINUTES = 60;

/**
 * Days before Monday 00:00 (local) that the weekly generation runs: early enough that the largest
 * reminder offset before a session at Monday 00:00 is still in the future, plus a margin.
 */
/** What the recurring jobs depend on: a Program, or the few fields a deployment config declares. */
export interface RecurringJobsInput {
  id: string;
  timezone: string;
  reminders: Pick<Program['reminders'], 'offsetsMinutes'>;
  drugScreens?: Pick<NonNullable<Program['drugScreens']>, 'days' | 'drawAt'> | undefined;
}

export function generationLeadDays(program: RecurringJobsInput): number {
  const largest = Math.max(0, ...program.reminders.offsetsMinutes);
  const lead = Math.max(1, Math.ceil((largest + GENERATION_MARGIN_MINUTES) / 1440));
  // The schema refuses larger offsets (MAX_REMINDER_OFFSET_MINUTES); a cron is never built on a guess.
  if (lead >= WEEKDAYS_BACK_FROM_MONDAY.length)
    throw new RangeError(`reminders.offsetsMinutes: ${largest} is more than weekly generation can serve`);
  return lead;
}

/** The ISO week a weekly generation due at `scheduledTime` produces: the week after the current one. */
export function weekToGenerate(program: Pick<Program, 'timezone'>, scheduledTime: string): string {
  return nextIsoWeek(isoWeekOf(scheduledTime, program.timezone));
}

const [hh, mm] = ['00', '05'];
/** The daily engagement sweep runs before the clinic opens. */
const SWEEP_AT = { hour: 5, minute: 30 };

/** Every recurring job of a program, in its time zone; the CDK app and the local runtime both use this. */
export function recurringJobsFor(program: RecurringJobsInput): RecurringJob[] {
  const lead = generationLeadDays(program);
  const jobs: RecurringJob[] = [
    {
      name: `week-${program.id}`,
      target: 'generate-week',
      cron: `${Number(mm)} ${Number(hh)} ? * ${WEEKDAYS_BACK_FROM_MONDAY[lead]} *`,
      timezone: program.timezone,
      payload: { programId: program.id },
    },
  ];
  jobs.push({
    name: `sweep-${program.id}`,
    target: 'sweep-engagement',
    cron: `${SWEEP_AT.minute} ${SWEEP_AT.hour} ? * MON,TUE,WED,THU,FRI,SAT,SUN *`,
    timezone: program.timezone,
    payload: { programId: program.id },
  });
  if (program.drugScreens) {
    const [h, m] = program.drugScreens.drawAt.split(':').map(Number);
    jobs.push({
      name: `draw-${program.id}`,
      target: 'draw-screens',
      cron: `${m} ${h} ? * ${program.drugScreens.days.join(',')} *`,
      timezone: program.timezone,
      payload: { programId: program.id },
    });
  }
  return jobs;
}
