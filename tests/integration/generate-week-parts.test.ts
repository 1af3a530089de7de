import { describe, expect, it } from 'vitest';
import { runJob } from '../../functions/handlers/lambda-job.ts';
import { generateWeekJob } from '../../functions/jobs/generate-week.job.ts';
import type { OneTimeJob } from '../../functions/ports/job-scheduler.port.ts';
import { generateScheduledWeek, weekPartJobName } from '../../functions/use-cases/generate-week.ts';
import type { LocalSystem } from '../../local/adapters/local-deps.ts';
import { localDeps } from '../support/deps.ts';
import { freshTable } from '../support/dynamo.ts';
import { throttlingError } from '../support/faults.ts';
import { seedWorld } from '../support/world.ts';

/**
 * The weekly run fans out (issue 16): above a part's worth of clients it writes the week's
 * sessions and leaves their jobs to parts, one-time generate-week jobs a minute later. The parts
 * together schedule exactly what one run would have; each is idempotent and resumable.
 */
const WEEK = '2027-W01';
const AT = '2027-01-01T12:00:00Z';
const CLIENTS = Array.from({ length: 7 }, (_, i) => ({
  id: `c-${String(i + 1).padStart(3, '0')}`,
  phone: `+12025550${String(300 + i)}`,
  track: i % 2 ? 'morning' : 'evening',
}));

async function world() {
  const { doc, tableName } = await freshTable();
  const sys = localDeps(doc, tableName, AT);
  await seedWorld(sys, { clients: CLIENTS, weeks: [] });
  return sys;
}

const sessionJobs = (sys: LocalSystem) =>
  sys.scheduler
    .pending()
    .filter((j) => j.target !== 'generate-week')
    .map((j) => `${j.name}@${j.at}`)
    .sort();

async function runParts(sys: LocalSystem): Promise<OneTimeJob[]> {
  const parts = sys.scheduler.pending().filter((j) => j.target === 'generate-week');
  await sys.scheduler.cancel(parts.map((j) => j.name));
  for (const part of parts)
    await runJob(generateWeekJob, sys.deps, { ...part.payload, scheduledTime: part.at });
  return parts;
}

describe('the weekly run, fanned out in parts', () => {
  it('schedules through its parts exactly the jobs one run schedules', async () => {
    const whole = await world();
    await generateScheduledWeek(whole.deps, { programId: 'sunrise', week: WEEK });
    const expected = sessionJobs(whole);
    expect(expected.length).toBeGreaterThan(40);

    const fanned = await world();
    const planned = await generateScheduledWeek(
      fanned.deps,
      { programId: 'sunrise', week: WEEK },
      { partClients: 3 },
    );
    expect(planned).toMatchObject({ parts: 3 });
    // The sessions are written, their jobs not yet: three parts a minute later.
    expect(await fanned.deps.sessions.listSessionsByWeek('sunrise', WEEK)).toHaveLength(
      (await whole.deps.sessions.listSessionsByWeek('sunrise', WEEK)).length,
    );
    expect(sessionJobs(fanned)).toEqual([]);
    const parts = await runParts(fanned);
    expect(parts.map((p) => [p.name, p.at])).toEqual(
      [0, 1, 2].map((i) => [weekPartJobName('sunrise', WEEK, i), '2027-01-01T12:01:00Z']),
    );
    expect(sessionJobs(fanned)).toEqual(expected);
  });

  it('a part that fails half-way is finished by its retry; a part run twice changes nothing', async () => {
    const sys = await world();
    await generateScheduledWeek(sys.deps, { programId: 'sunrise', week: WEEK }, { partClients: 3 });
    const [first, ...rest] = sys.scheduler.pending().filter((j) => j.target === 'generate-week');
    await sys.scheduler.cancel([first!.name, ...rest.map((j) => j.name)]);
    // The 5th schedule the part creates is refused (a Scheduler throttle): the part fails...
    const inner = sys.deps.scheduler;
    let calls = 0;
    sys.deps.scheduler = {
      ...inner,
      scheduleOnce: async (job) => {
        if (++calls === 5) throw throttlingError();
        return inner.scheduleOnce(job);
      },
      cancel: (names) => inner.cancel(names),
      scheduleRecurring: (job) => inner.scheduleRecurring(job),
    };
    await expect(runJob(generateWeekJob, sys.deps, first!.payload)).rejects.toThrow();
    // ...and its retry, and a duplicate delivery, finish it.
    await runJob(generateWeekJob, sys.deps, first!.payload);
    const afterRetry = sessionJobs(sys);
    await runJob(generateWeekJob, sys.deps, first!.payload);
    expect(sessionJobs(sys)).toEqual(afterRetry);
    for (const part of rest) await runJob(generateWeekJob, sys.deps, part.payload);

    const whole = await world();
    await generateScheduledWeek(whole.deps, { programId: 'sunrise', week: WEEK });
    expect(sessionJobs(sys)).toEqual(sessionJobs(whole));
  });

  it('refuses a part payload that does not hold together, naming the field', async () => {
    const sys = await world();
    await expect(
      runJob(generateWeekJob, sys.deps, { programId: 'sunrise', week: WEEK, part: 3, parts: 3 }),
    ).rejects.toThrow(/part/);
    await expect(
      runJob(generateWeekJob, sys.deps, { programId: 'sunrise', week: WEEK, part: 1 }),
    ).rejects.toThrow(/part/);
  });
});
