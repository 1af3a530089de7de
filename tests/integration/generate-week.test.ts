import { beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../functions/handlers/lambda-job.ts';
import { generateWeekJob } from '../../functions/jobs/generate-week.job.ts';
import { generateWeek } from '../../functions/use-cases/generate-week.ts';
import { countRequests, localDeps } from '../support/deps.ts';
import { freshTable } from '../support/dynamo.ts';
import { aClient, aClinician, aProgram } from '../support/fixtures.ts';

describe('generate-week against DynamoDB Local', () => {
  let env: Awaited<ReturnType<typeof freshTable>>;
  beforeAll(async () => {
    env = await freshTable();
  });

  it('writes the week once; generating it again writes nothing new', async () => {
    const { deps } = localDeps(env.doc, env.tableName);
    const counts = countRequests(env.doc);
    await deps.programs.putProgram(aProgram({ closures: ['2027-01-05'] }));
    await deps.programs.putClinician('sunrise', aClinician());
    for (let i = 0; i < 30; i++) {
      await deps.clients.createClient(
        'sunrise',
        aClient({ id: `c-${String(i).padStart(3, '0')}`, track: i % 2 ? 'morning' : 'evening' }),
      );
    }
    const first = await generateWeek(deps, { programId: 'sunrise', week: '2027-W01' });
    expect(first.created).toBeGreaterThan(90);
    const stored = await deps.sessions.listSessionsByWeek('sunrise', '2027-W01');
    expect(stored).toHaveLength(first.created);
    const writesAfterFirst = counts.BatchWriteItemCommand ?? 0;
    expect(writesAfterFirst).toBeGreaterThanOrEqual(Math.ceil(first.created / 25));

    const again = await generateWeek(deps, { programId: 'sunrise', week: '2027-W01' });
    expect(again.created).toBe(0);
    expect(again.existing).toBe(first.created);
    expect(counts.BatchWriteItemCommand ?? 0).toBe(writesAfterFirst);
    expect(counts.PutItemCommand ?? 0).toBe(32);
    expect(await deps.sessions.listSessionsByWeek('sunrise', '2027-W01')).toHaveLength(first.created);
  });

  it('stores shortfalls and lists sessions by client in time order', async () => {
    const { deps } = localDeps(env.doc, env.tableName);
    const shortfalls = await deps.sessions.listShortfalls('sunrise', '2027-W01');
    expect(shortfalls.length).toBeGreaterThan(0);
    const mine = await deps.sessions.listSessionsByClient('sunrise', 'c-001');
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.map((s) => s.start)).toEqual([...mine.map((s) => s.start)].sort());
  });

  it('the scheduled job generates the week after the one it fires in', async () => {
    const { deps } = localDeps(env.doc, env.tableName);
    const result = (await runJob(generateWeekJob, deps, {
      programId: 'sunrise',
      scheduledTime: '2027-01-09T05:05:00Z',
    })) as { week: string };
    expect(result.week).toBe('2027-W02');
  });

  it('rejects a payload without a program id and writes nothing', async () => {
    const { deps } = localDeps(env.doc, env.tableName);
    await expect(runJob(generateWeekJob, deps, { week: '2027-W05' })).rejects.toThrow(/programId/);
    expect(await deps.sessions.listSessionsByWeek('sunrise', '2027-W05')).toEqual([]);
  });
});
