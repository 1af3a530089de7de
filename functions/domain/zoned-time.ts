import { DateTime } from 'luxon';
import { DAYS, type DayOfWeek } from './common.schema.ts';

/** Pure time-zone arithmetic. Instants are UTC ISO strings ending in Z; local values are wall-clock. */

export function toUtcIso(dt: DateTime): string {
  return dt.toUTC().toISO({ suppressMilliseconds: true })!;
}

/**
 * The UTC instant of a local wall-clock time. A time that does not exist (skipped by a DST
 * spring-forward) moves forward by the gap, as clocks do; an ambiguous one takes the earlier offset.
 */
export function localToUtc(date: string, time: string, zone: string): string {
  const key = `${date}T${time}|${zone}`;
  const known = localToUtcCache.get(key);
  if (known) return known;
  const dt = DateTime.fromISO(`${date}T${time}`, { zone });
  if (!dt.isValid) throw new Error(`invalid local time ${date}T${time} in ${zone}`);
  const utc = toUtcIso(dt);
  // A week's schedule asks the same few local times thousands of times; the answer never changes.
  if (localToUtcCache.size > 50_000) localToUtcCache.clear();
  localToUtcCache.set(key, utc);
  return utc;
}
const localToUtcCache = new Map<string, string>();

export function utcToLocal(instant: string, zone: string): DateTime {
  return DateTime.fromISO(instant, { zone: 'utc' }).setZone(zone);
}

export function localDateOf(instant: string, zone: string): string {
  return utcToLocal(instant, zone).toISODate()!;
}

export function localTimeOf(instant: string, zone: string): string {
  return utcToLocal(instant, zone).toFormat('HH:mm');
}

export function isoWeekOfDate(date: string): string {
  const dt = DateTime.fromISO(date, { zone: 'utc' });
  return `${dt.weekYear}-W${String(dt.weekNumber).padStart(2, '0')}`;
}

export function isoWeekOf(instant: string, zone: string): string {
  return isoWeekOfDate(localDateOf(instant, zone));
}

/** The seven local dates (Monday first) of an ISO week like 2027-W01. */
export function datesOfIsoWeek(week: string): string[] {
  const monday = DateTime.fromISO(`${week}-1`);
  if (!monday.isValid) throw new Error(`invalid ISO week ${week}`);
  return Array.from({ length: 7 }, (_, i) => monday.plus({ days: i }).toISODate()!);
}

export function nextIsoWeek(week: string): string {
  const monday = DateTime.fromISO(`${week}-1`).plus({ weeks: 1 });
  return `${monday.weekYear}-W${String(monday.weekNumber).padStart(2, '0')}`;
}

export function dayOfWeek(date: string): DayOfWeek {
  return DAYS[DateTime.fromISO(date).weekday - 1]!;
}

export function addDays(date: string, days: number): string {
  return DateTime.fromISO(date).plus({ days }).toISODate()!;
}

/** Elapsed time, so plain UTC arithmetic (no time zone involved). */
export function addMinutes(instant: string, minutes: number): string {
  return addMilliseconds(instant, minutes * 60_000);
}

export function addSeconds(instant: string, seconds: number): string {
  return addMilliseconds(instant, seconds * 1000);
}

function addMilliseconds(instant: string, ms: number): string {
  const at = Date.parse(instant);
  if (Number.isNaN(at)) throw new Error(`invalid instant ${instant}`);
  return utcInstantOf(at + ms);
}

/** Milliseconds since the epoch as a UTC instant of whole seconds, the form instants take here. */
export const utcInstantOf = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function minutesBetween(from: string, to: string): number {
  return (Date.parse(to) - Date.parse(from)) / 60000;
}

/** Minutes since local midnight of a HH:MM string. */
export function minutesOfDay(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return h! * 60 + m!;
}

export function formatMinutesOfDay(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
