import { DAYS } from './common.schema.ts';
import { addDays, dayOfWeek, localDateOf, localToUtc } from './zoned-time.ts';

/**
 * The next instant after `after` matching a weekly EventBridge cron of the form
 * `M H ? * DAY[,DAY…] *` in `zone`. The local runtime uses it to fire recurring jobs as AWS would.
 */
export function nextWeeklyCronTime(cron: string, zone: string, after: string): string {
  const match = /^(\d{1,2}) (\d{1,2}) \? \* ([A-Z,]+) \*$/.exec(cron);
  if (!match) throw new Error(`unsupported cron ${cron}: expected "M H ? * DAYS *"`);
  const [, minute, hour, dayList] = match;
  const days = dayList!.split(',');
  if (!days.every((d) => (DAYS as readonly string[]).includes(d)))
    throw new Error(`unsupported days in cron ${cron}`);
  const time = `${hour!.padStart(2, '0')}:${minute!.padStart(2, '0')}`;
  const startDate = localDateOf(after, zone);
  for (let i = 0; i <= 8; i++) {
    const date = addDays(startDate, i);
    if (!days.includes(dayOfWeek(date))) continue;
    const at = localToUtc(date, time, zone);
    if (at > after) return at;
  }
  throw new Error(`cron ${cron} never fires`);
}
