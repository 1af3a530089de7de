/** Program-local dates and times, from UTC instants, with the browser's Intl (no library). */
export function localDate(instant: string | Date, zone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(instant));
}

export function localTime(instant: string, zone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit' }).format(
    new Date(instant),
  );
}

export function localDateTime(instant: string, zone: string): string {
  return `${localDate(instant, zone)} ${localTime(instant, zone)}`;
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The UTC instant of a program-local wall-clock time (`2027-01-05T18:00` in America/New_York). */
export function zonedToUtc(local: string, zone: string): string {
  const wanted = Date.parse(`${local}:00Z`);
  let guess = wanted;
  for (let i = 0; i < 3; i++) {
    const shown = Date.parse(
      `${localDate(new Date(guess), zone)}T${localTime(new Date(guess).toISOString(), zone)}:00Z`,
    );
    guess += wanted - shown;
  }
  return new Date(guess).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** "3 h", "2 d": how long ago an instant was. */
export function age(instant: string, now = Date.now()): string {
  const minutes = Math.max(0, Math.round((now - Date.parse(instant)) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h`;
  return `${Math.round(minutes / 1440)} d`;
}
