import { nextWeeklyCronTime } from './cron.ts';
import type { RecurringJob } from './job.schema.ts';
import type { Program } from './program.schema.ts';
import { addMinutes, isoWeekOf, nextIsoWeek } from './zoned-time.ts';

const WEEKDAYS_BACK_FROM_MONDAY = ['MON', 'SUN', 'SAT', 'FRI', 'THU', 'WED', 'TUE'] as const;
/** Margin between generating a week and its earliest possible reminder. */
const GENERATION_MARGIN_MINUTES = 60;

/** What a program's recurring jobs depend on: changing any of these changes its schedules. */
export interface RecurringJobsInput {
  id: string;
  timezone: string;
  reminders: Pick<Program['reminders'], 'offsetsMinutes'>;
  drugScreens?: Pick<NonNullable<Program['drugScreens']>, 'days' | 'drawAt'> | undefined;
}

/**
 * Days before Monday 00:00 (local) that the weekly generation runs: early enough that the largest
 * reminder offset before a session at Monday 00:00 is still in the future, plus a margin.
 */
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

/**
 * The name of every recurring job a program can have: unique per program and at most 46 characters
 * (program ids are at most 40), inside the scheduler's 64.
 */
export function recurringJobNames(programId: string) {
  return { weekly: `week-${programId}`, sweep: `sweep-${programId}`, draw: `draw-${programId}` };
}

/**
 * Every recurring job of a program, in its time zone. The program use cases create, replace and
 * delete them through the scheduler port (EventBridge Scheduler in AWS, the in-process scheduler
 * locally), which is what fires them.
 */
export function recurringJobsFor(program: RecurringJobsInput): RecurringJob[] {
  const lead = generationLeadDays(program);
  const jobs: RecurringJob[] = [
    {
      name: recurringJobNames(program.id).weekly,
      target: 'generate-week',
      cron: `${Number(mm)} ${Number(hh)} ? * ${WEEKDAYS_BACK_FROM_MONDAY[lead]} *`,
      timezone: program.timezone,
      payload: { programId: program.id },
    },
  ];
  jobs.push({
    name: recurringJobNames(program.id).sweep,
    target: 'sweep-engagement',
    cron: `${SWEEP_AT.minute} ${SWEEP_AT.hour} ? * MON,TUE,WED,THU,FRI,SAT,SUN *`,
    timezone: program.timezone,
    payload: { programId: program.id },
  });
  if (program.drugScreens) {
    const [h, m] = program.drugScreens.drawAt.split(':').map(Number);
    jobs.push({
      name: recurringJobNames(program.id).draw,
      target: 'draw-screens',
      cron: `${m} ${h} ? * ${program.drugScreens.days.join(',')} *`,
      timezone: program.timezone,
      payload: { programId: program.id },
    });
  }
  return jobs;
}

/** The weekly generation's last due time at or before `instant`. */
export function lastWeeklyRun(program: RecurringJobsInput, instant: string): string {
  const weekly = recurringJobsFor(program).find((j) => j.target === 'generate-week')!;
  let fire = nextWeeklyCronTime(weekly.cron, program.timezone, addMinutes(instant, -8 * 24 * 60));
  for (;;) {
    const following = nextWeeklyCronTime(weekly.cron, program.timezone, fire);
    if (following > instant) return fire;
    fire = following;
  }
}

/** Whether the weekly generation of the week after `instant`'s has already been due. */
export function nextWeekIsDue(program: RecurringJobsInput, instant: string): boolean {
  return weekToGenerate(program, lastWeeklyRun(program, instant)) > isoWeekOf(instant, program.timezone);
}
