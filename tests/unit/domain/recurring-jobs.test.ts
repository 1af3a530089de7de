import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextWeeklyCronTime } from '../../../functions/domain/cron.ts';
import { JOB_NAME_PATTERN } from '../../../functions/domain/job.schema.ts';
import { MAX_REMINDER_OFFSET_MINUTES } from '../../../functions/domain/program.schema.ts';
import {
  lastWeeklyRun,
  nextWeekIsDue,
  recurringJobsFor,
  weekToGenerate,
} from '../../../functions/domain/recurring-jobs.ts';
import {
  datesOfIsoWeek,
  isoWeekOf,
  localToUtc,
  minutesBetween,
} from '../../../functions/domain/zoned-time.ts';

const zones = ['America/New_York', 'America/Los_Angeles', 'Europe/London', 'Australia/Sydney'];
const program = (offsetsMinutes: number[], timezone = 'America/New_York') => ({
  id: 'sunrise',
  timezone,
  reminders: { offsetsMinutes },
});

describe("a program's recurring jobs", () => {
  it('runs the weekly generation the largest reminder offset before Monday 00:00, with a margin (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: MAX_REMINDER_OFFSET_MINUTES }), { minLength: 1, maxLength: 5 }),
        fc.constantFrom(...zones),
        fc.integer({ min: 0, max: 3 * 365 }),
        (offsets, zone, day) => {
          const weekly = recurringJobsFor(program(offsets, zone)).find((j) => j.target === 'generate-week')!;
          const after = new Date(Date.parse('2026-01-01T00:00:00Z') + day * 86_400_000).toISOString();
          const fires = nextWeeklyCronTime(weekly.cron, zone, after.replace('.000Z', 'Z'));
          const week = weekToGenerate(program(offsets, zone), fires);
          const monday = localToUtc(datesOfIsoWeek(week)[0]!, '00:00', zone);
          // 00:05 on the lead day: an hour's margin less 5 minutes, less the hour a DST change may skip
          expect(minutesBetween(fires, monday)).toBeGreaterThanOrEqual(Math.max(...offsets) + 55 - 60);
          expect(minutesBetween(fires, monday)).toBeLessThanOrEqual(7 * 1440);
        },
      ),
    );
  });

  it('names each job within the scheduler limit for the longest program id', () => {
    const jobs = recurringJobsFor({
      ...program([1440]),
      id: 'a'.repeat(40),
      drugScreens: { days: ['MON'], drawAt: '06:00' },
    });
    expect(jobs.map((j) => j.name.length)).toEqual([45, 46, 45]);
    for (const job of jobs) expect(job.name).toMatch(JOB_NAME_PATTERN);
  });

  it('knows when the next week is due: from the weekly run on, in the program zone', () => {
    const p = program([1440, 120]); // Saturday 00:05
    const saturday = localToUtc('2027-01-09', '00:05', 'America/New_York');
    expect(lastWeeklyRun(p, saturday)).toBe(saturday);
    expect(nextWeekIsDue(p, saturday)).toBe(true);
    expect(nextWeekIsDue(p, localToUtc('2027-01-09', '00:04', 'America/New_York'))).toBe(false);
    expect(nextWeekIsDue(p, localToUtc('2027-01-10', '23:59', 'America/New_York'))).toBe(true);
    expect(isoWeekOf(localToUtc('2027-01-11', '00:00', 'America/New_York'), 'America/New_York')).toBe(
      '2027-W02',
    );
    expect(nextWeekIsDue(p, localToUtc('2027-01-11', '00:00', 'America/New_York'))).toBe(false);
  });
});
