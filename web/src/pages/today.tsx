import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { api, data } from '../api/client.ts';
import { addDays, localDate, localTime } from '../time.ts';
import { ErrorNote, Loading, Page } from '../ui.tsx';

type Status = 'present' | 'absent' | 'excused';
const STATUSES: Status[] = ['present', 'absent', 'excused'];

export function useProgram(programId: string) {
  return useQuery({
    queryKey: ['program', programId],
    queryFn: async () => {
      const program = data(await api.GET('/programs/{programId}', { params: { path: { programId } } }));
      // The document cannot express the IANA zone check (a refinement): it types the zone unknown.
      return { ...program, timezone: String(program.timezone) };
    },
  });
}

export function useClients(programId: string) {
  return useQuery({
    queryKey: ['clients', programId],
    queryFn: async () =>
      data(
        await api.GET('/programs/{programId}/clients', {
          params: { path: { programId }, query: { limit: '200' } },
        }),
      ),
  });
}

/** The day's sessions by track and time; one tap records attendance; who has not arrived yet. */
export function TodayPage({ programId }: { programId: string }) {
  const program = useProgram(programId);
  const zone = program.data?.timezone ?? 'UTC';
  const today = localDate(new Date(), zone);
  const [date, setDate] = useState<string>();
  const day = date ?? today;
  const clients = useClients(programId);
  const sessions = useQuery({
    queryKey: ['sessions', programId, day],
    enabled: program.isSuccess,
    queryFn: async () =>
      data(
        await api.GET('/programs/{programId}/sessions', {
          params: { path: { programId }, query: { from: day, to: day, limit: '200' } },
        }),
      ),
  });
  const queryClient = useQueryClient();
  const mark = useMutation({
    mutationFn: async ({ sessionId, status }: { sessionId: string; status: Status }) =>
      data(
        await api.POST('/programs/{programId}/sessions/{sessionId}/attendance', {
          params: { path: { programId, sessionId } },
          body: { status },
        }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['sessions', programId] });
      void queryClient.invalidateQueries({ queryKey: ['flags', programId] });
    },
  });

  if (program.isPending || sessions.isPending) return <Loading what="today's sessions" />;
  if (program.error || sessions.error)
    return (
      <Page title="Today">
        <ErrorNote error={program.error ?? sessions.error} />
      </Page>
    );
  const trackOf = new Map((clients.data?.clients ?? []).map((c) => [c.id, c.track]));
  const live = sessions.data.sessions.filter((s) => s.status !== 'cancelled');
  const groups = new Map<string, typeof live>();
  for (const s of [...live].sort((a, b) => a.start.localeCompare(b.start))) {
    const heading =
      s.kind === 'group'
        ? `${trackOf.get(s.clientId) ?? 'group'} · ${localTime(s.start, zone)}${s.topic ? ` · ${s.topic}` : ''}`
        : `${s.kind} · ${localTime(s.start, zone)}`;
    groups.set(heading, [...(groups.get(heading) ?? []), s]);
  }
  const now = new Date().toISOString();
  const notArrived = live.filter((s) => s.start <= now && !s.attendance);

  return (
    <Page
      title={day === today ? 'Today' : day}
      actions={
        <div className="day-nav">
          <button type="button" onClick={() => setDate(addDays(day, -1))}>
            Previous day
          </button>
          {day !== today && (
            <button type="button" onClick={() => setDate(undefined)}>
              Today
            </button>
          )}
          <button type="button" onClick={() => setDate(addDays(day, 1))}>
            Next day
          </button>
        </div>
      }
    >
      <p className="muted">
        {day} · {program.data.name} · times in {zone}
      </p>
      <ErrorNote error={mark.error} />
      {notArrived.length > 0 && (
        <section aria-labelledby="not-arrived">
          <h2 id="not-arrived">Not arrived yet ({notArrived.length})</h2>
          <ul className="chips">
            {notArrived.map((s) => (
              <li key={s.sessionId}>
                <Link href={`/clients/${s.clientId}`}>{s.clientId}</Link> {localTime(s.start, zone)}
              </li>
            ))}
          </ul>
        </section>
      )}
      {live.length === 0 && <p>No sessions on this day.</p>}
      {[...groups].map(([heading, list]) => (
        <section key={heading} aria-label={heading} className="card">
          <h2>{heading}</h2>
          <ul className="rows">
            {list.map((s) => (
              <li key={s.sessionId} className="row" data-session={s.sessionId}>
                <div className="who">
                  <Link href={`/clients/${s.clientId}`}>{s.clientId}</Link>
                  <span className="muted">
                    {' '}
                    {localTime(s.start, zone)}–{localTime(s.end, zone)}
                  </span>
                  {s.confirmedAt && (
                    <span className="confirmation" data-confirmation={s.confirmedAt}>
                      {' '}
                      · confirmed by SMS
                    </span>
                  )}
                </div>
                <fieldset className="attendance">
                  <legend className="visually-hidden">
                    Attendance of {s.clientId} at {localTime(s.start, zone)}
                  </legend>
                  {STATUSES.map((status) => (
                    <button
                      key={status}
                      type="button"
                      className={`att att-${status}`}
                      aria-pressed={s.attendance === status}
                      aria-label={`${status} ${s.clientId} ${localTime(s.start, zone)}`}
                      disabled={mark.isPending}
                      onClick={() => mark.mutate({ sessionId: s.sessionId, status })}
                    >
                      {status}
                    </button>
                  ))}
                </fieldset>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </Page>
  );
}
