import type { StampedEvent } from '../adapters/recording-activity-log.ts';

const count = (events: StampedEvent[], type: string, where: (e: StampedEvent) => boolean = () => true) =>
  events.filter((e) => e.type === type && where(e)).length;

/** The human summary printed to stderr at the end of a run. */
export function summaryTable(events: StampedEvent[], seconds: number): string {
  const rows: [string, number | string][] = [
    ['sessions scheduled', count(events, 'session.scheduled')],
    ['sessions rescheduled', count(events, 'session.rescheduled')],
    ['sessions cancelled', count(events, 'session.cancelled')],
    ['weekly shortfalls', count(events, 'schedule.shortfall')],
    ['attendance recorded', count(events, 'attendance.recorded')],
    ['sessions missed', count(events, 'session.missed')],
  ];
  for (const purpose of ['reminder', 'missed-session', 'screen-notice', 'opt-in']) {
    const n = count(events, 'sms.sent', (e) => e.purpose === purpose);
    if (n) rows.push([`SMS sent: ${purpose}`, n]);
  }
  const reasons = new Map<string, number>();
  for (const e of events.filter((x) => x.type === 'sms.suppressed')) {
    reasons.set(String(e.reason), (reasons.get(String(e.reason)) ?? 0) + 1);
  }
  for (const [reason, n] of [...reasons].sort()) rows.push([`SMS suppressed: ${reason}`, n]);
  rows.push(
    ['screen draws', count(events, 'screen.draw')],
    ['clients selected for screens', count(events, 'screen.selected')],
    ['care-team alerts', count(events, 'careteam.alert')],
    ['flags raised', count(events, 'flag.raised')],
    ['flags acknowledged', count(events, 'flag.acknowledged')],
    ['flags resolved', count(events, 'flag.resolved')],
    ['job runs failed (retried)', count(events, 'job.failed', (e) => e.retryAt !== undefined)],
    ['events in all', events.length],
    ['wall-clock seconds', seconds.toFixed(1)],
  );
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${label.padEnd(width)}  ${String(value).padStart(6)}`).join('\n');
}
