import { describe, expect, it } from 'vitest';
import { addMinutes } from '../../functions/domain/zoned-time.ts';
import { enrolClient } from '../../functions/use-cases/enrol-client.ts';
import { localDeps } from '../support/deps.ts';
import { freshTable } from '../support/dynamo.ts';
import { aClient, aClinician, aProgram } from '../support/fixtures.ts';

describe('enrolling a client', () => {
  it('schedules the rest of the week at once, with reminders, and an intake within 48 hours when the track is far off', async () => {
    const { doc, tableName } = await freshTable();
    const now = '2027-01-05T15:00:00Z'; // Tuesday 10:00 in New York
    const { deps, scheduler, activity } = localDeps(doc, tableName, now);
    await deps.programs.putProgram(
      aProgram({
        individual: { perWeek: 0, minutes: 60 },
        tracks: [
          { id: 'evening', groups: [{ days: ['MON'], start: '18:00', minutes: 180, topic: 'skills' }] },
        ],
      }),
    );
    await deps.programs.putClinician('sunrise', aClinician());
    const { sessionsCreated } = await enrolClient(deps, 'sunrise', aClient({ start: '2027-01-05' }));
    const sessions = await deps.sessions.listSessionsByClient('sunrise', 'c-001');
    expect(sessionsCreated).toBe(sessions.length);
    const first = sessions[0]!;
    expect(first.start > now).toBe(true);
    expect(first.start <= addMinutes(now, 48 * 60)).toBe(true);
    expect(first).toMatchObject({ kind: 'individual', clinicianId: 'dr-lee', topic: 'intake' });
    expect(scheduler.has(`att-${first.sessionId}`)).toBe(true);
    expect(activity.ofType('session.scheduled').map((e) => e.sessionId)).toContain(first.sessionId);
  });

  it('refuses a second client with the same id and writes nothing', async () => {
    const { doc, tableName } = await freshTable();
    const { deps } = localDeps(doc, tableName, '2027-01-05T15:00:00Z');
    await deps.programs.putProgram(aProgram());
    await deps.programs.putClinician('sunrise', aClinician());
    await enrolClient(deps, 'sunrise', aClient());
    const before = await deps.sessions.listSessionsByClient('sunrise', 'c-001');
    await expect(enrolClient(deps, 'sunrise', aClient({ phone: '+12025550999' }))).rejects.toThrow(
      /exists already/,
    );
    expect((await deps.clients.getClient('sunrise', 'c-001'))!.phone).toBe('+12025550101');
    expect(await deps.sessions.listSessionsByClient('sunrise', 'c-001')).toEqual(before);
  });
});
