import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { endOfQuiet, isQuiet } from '../../../functions/domain/quiet-hours.ts';
import { MIN_LEAD_AFTER_DEFERRAL_MINUTES, planReminder } from '../../../functions/domain/reminders.ts';
import { addMinutes, localTimeOf, minutesBetween } from '../../../functions/domain/zoned-time.ts';

const zones = [
  'America/New_York',
  'Europe/London',
  'Australia/Sydney',
  'Asia/Kolkata',
  'America/Los_Angeles',
  'Pacific/Auckland',
];
const hhmm = fc
  .integer({ min: 0, max: 95 })
  .map((q) => `${String(Math.floor(q / 4)).padStart(2, '0')}:${String((q % 4) * 15).padStart(2, '0')}`);
const quietHours = fc.oneof(
  fc.constant({ start: '21:00', end: '08:00' }),
  fc.record({ start: hhmm, end: hhmm }),
);
// session starts over 2026-2028, DST days included, on the minute
const instant = fc
  .integer({
    min: Date.parse('2026-01-01T00:00:00Z') / 60000,
    max: Date.parse('2028-12-31T00:00:00Z') / 60000,
  })
  .map((m) => new Date(m * 60000).toISOString().replace('.000Z', 'Z'));

describe('reminder planning (property)', () => {
  it('never sends inside quiet hours, and follows the deferral rule', () => {
    fc.assert(
      fc.property(
        instant,
        fc.integer({ min: 1, max: 2880 }),
        fc.constantFrom(...zones),
        quietHours,
        (start, offset, zone, quiet) => {
          const decision = planReminder(start, offset, quiet, zone);
          const due = addMinutes(start, -offset);
          expect(decision.dueAt).toBe(due);
          if (!isQuiet(due, quiet, zone)) {
            expect(decision).toEqual({ action: 'send', at: due, dueAt: due, deferred: false });
            return;
          }
          const end = endOfQuiet(due, quiet, zone);
          if (decision.action === 'send') {
            expect(isQuiet(decision.at, quiet, zone)).toBe(false);
            expect(decision.at).toBe(end);
            expect(localTimeOf(decision.at, zone) === quiet.end || decision.at > due).toBe(true);
            expect(minutesBetween(decision.at, start)).toBeGreaterThanOrEqual(
              MIN_LEAD_AFTER_DEFERRAL_MINUTES,
            );
          } else {
            expect(decision.reason).toBe('quiet-hours');
            expect(minutesBetween(end, start)).toBeLessThan(MIN_LEAD_AFTER_DEFERRAL_MINUTES);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('moves a message out of quiet hours to the first instant after them', () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...zones), quietHours, (due, zone, quiet) => {
        const at = endOfQuiet(due, quiet, zone);
        expect(at >= due).toBe(true);
        expect(isQuiet(at, quiet, zone)).toBe(false);
        if (at !== due) expect(isQuiet(addMinutes(at, -1), quiet, zone)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('quiet hours (examples)', () => {
  const night = { start: '21:00', end: '08:00' };
  it('ends the next morning when the message is due in the evening', () => {
    expect(endOfQuiet('2027-01-05T03:00:00Z', night, 'America/New_York')).toBe('2027-01-05T13:00:00Z');
  });
  it('ends the same morning when the message is due after midnight', () => {
    expect(endOfQuiet('2027-01-05T06:00:00Z', night, 'America/New_York')).toBe('2027-01-05T13:00:00Z');
  });
  it('ends at 08:00 local on the spring-forward morning', () => {
    // 2027-03-14 02:00 EST becomes 03:00 EDT; 08:00 EDT is 12:00 UTC
    expect(endOfQuiet('2027-03-14T06:00:00Z', night, 'America/New_York')).toBe('2027-03-14T12:00:00Z');
  });
  it('ends at the first of the two 01:00s on the night London falls back', () => {
    // 2026-10-25: 01:00 BST (00:00 UTC) comes first, then 01:00 GMT (01:00 UTC)
    expect(endOfQuiet('2026-10-24T01:00:00Z', { start: '02:00', end: '01:00' }, 'Europe/London')).toBe(
      '2026-10-25T00:00:00Z',
    );
  });
  it('ends when the clock jumps past a skipped end time', () => {
    // 2026-03-29 London: 01:00 GMT becomes 02:00 BST, so 01:15 never happens; quiet ends at the jump
    expect(endOfQuiet('2026-03-28T02:30:00Z', { start: '02:30', end: '01:15' }, 'Europe/London')).toBe(
      '2026-03-29T01:00:00Z',
    );
  });
  it('waits for the next window when a spring-forward jump skips the only free minutes', () => {
    // New York 2027-03-14: 02:00 never happens and 03:00 is already inside the next quiet period
    expect(endOfQuiet('2027-03-13T07:15:00Z', { start: '02:15', end: '02:00' }, 'America/New_York')).toBe(
      '2027-03-15T06:00:00Z',
    );
  });
  it('treats start = end as no quiet hours', () => {
    expect(isQuiet('2027-01-05T06:00:00Z', { start: '00:00', end: '00:00' }, 'America/New_York')).toBe(false);
  });
  it('suppresses a reminder that quiet hours would push within 30 minutes of the session', () => {
    // 08:15 session, 120-minute reminder due 06:15, quiet until 08:00: 15 minutes before
    expect(planReminder('2027-01-05T13:15:00Z', 120, night, 'America/New_York')).toEqual({
      action: 'suppress',
      reason: 'quiet-hours',
      dueAt: '2027-01-05T11:15:00Z',
    });
  });
});
