import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { api, data } from '../api/client.ts';
import type { Session } from '../auth.ts';
import { localDateTime, zonedToUtc } from '../time.ts';
import { ErrorNote, FieldError, FormError, fieldProps, Loading, Page } from '../ui.tsx';
import { RULES } from './flags.tsx';
import { useProgram } from './today.tsx';

type Entry = {
  at: string;
  key: string;
  text: string;
  kind: 'session' | 'sms' | 'screen' | 'flag' | 'reply';
};

const LANGUAGES = { en: 'English', es: 'Spanish (español)' } as const;

const KEYWORDS: Record<string, string> = {
  stop: 'STOP: opted out',
  start: 'START: opted back in',
  help: 'HELP: answered',
  confirm: 'confirmed',
  other: 'replied',
};

const REASONS: Record<string, string> = {
  'opted-out': 'the client opted out',
  'no-consent': 'no SMS consent',
  inactive: 'the client is not active',
  'quiet-hours': 'quiet hours',
  cancelled: 'the session was cancelled',
};

/** One client: a single timeline, consent and opt-out, and the actions on them and their sessions. */
export function ClientPage({
  programId,
  clientId,
}: {
  programId: string;
  clientId: string;
  session: Session;
}) {
  const queryClient = useQueryClient();
  const program = useProgram(programId);
  const zone = program.data?.timezone ?? 'UTC';
  const timeline = useQuery({
    queryKey: ['timeline', programId, clientId],
    queryFn: async () =>
      data(
        await api.GET('/programs/{programId}/clients/{clientId}/timeline', {
          params: { path: { programId, clientId } },
        }),
      ),
  });
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ['timeline', programId, clientId] });
    void queryClient.invalidateQueries({ queryKey: ['sessions', programId] });
  };
  const path = { programId, clientId };
  const action = useMutation({
    mutationFn: async (what: 'opt-out' | 'opt-in' | 'discharge') => {
      if (what === 'opt-out')
        return data(await api.POST('/programs/{programId}/clients/{clientId}/opt-out', { params: { path } }));
      if (what === 'opt-in')
        return data(
          await api.POST('/programs/{programId}/clients/{clientId}/opt-in', {
            params: { path },
            body: { givenAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), method: 'verbal' },
          }),
        );
      return data(
        await api.POST('/programs/{programId}/clients/{clientId}/discharge', {
          params: { path },
          body: { status: 'discharged' },
        }),
      );
    },
    onSuccess: refresh,
  });
  const language = useMutation({
    mutationFn: async (value: keyof typeof LANGUAGES) =>
      data(
        await api.PATCH('/programs/{programId}/clients/{clientId}', {
          params: { path },
          body: { language: value },
        }),
      ),
    onSuccess: refresh,
  });

  if (timeline.isPending || program.isPending) return <Loading what={`client ${clientId}`} />;
  if (timeline.error)
    return (
      <Page title={`Client ${clientId}`}>
        <ErrorNote error={timeline.error} />
      </Page>
    );
  const t = timeline.data;
  const c = t.client;
  const entries: Entry[] = [
    ...t.sessions.map((s) => ({
      at: s.start,
      key: `s-${s.sessionId}`,
      kind: 'session' as const,
      text: `${s.kind} session${s.topic ? ` (${s.topic})` : ''}: ${
        s.status === 'cancelled'
          ? 'cancelled'
          : (s.attendance ?? (s.start < new Date().toISOString() ? 'not recorded' : 'upcoming'))
      }${s.confirmedAt ? `, confirmed by the client ${localDateTime(s.confirmedAt, zone)}` : ''}`,
    })),
    ...t.messages.map((m) => ({
      at: m.at,
      key: `m-${m.subjectId}-${m.purpose}-${m.offsetMinutes ?? ''}`,
      kind: 'sms' as const,
      text: `SMS ${m.purpose}${m.offsetMinutes ? ` (${m.offsetMinutes} min before)` : ''}: ${
        m.outcome === 'suppressed' ? `not sent, ${REASONS[m.reason ?? ''] ?? m.reason}` : m.outcome
      }`,
    })),
    ...t.screens.map((s) => ({
      at: s.recordedAt ?? s.deadline ?? `${s.date}T12:00:00Z`,
      key: `x-${s.date}`,
      kind: 'screen' as const,
      text: `Screen ${s.date} (${s.reason}): ${s.result ?? 'no result yet'}`,
    })),
    ...t.replies.map((r) => ({
      at: r.receivedAt,
      key: `r-${r.receivedAt}-${r.keyword}`,
      kind: 'reply' as const,
      text: `Client texted "${r.text}" (${KEYWORDS[r.keyword] ?? r.keyword}${
        r.keyword === 'confirm' && !r.confirmedSessionId ? ', no session within 48 hours' : ''
      })`,
    })),
    ...t.flags.map((f) => ({
      at: f.raisedAt,
      key: `f-${f.flagId}`,
      kind: 'flag' as const,
      text: `Flag ${RULES[f.rule] ?? f.rule}: ${f.status}${f.acknowledgedBy ? `, acknowledged by ${f.acknowledgedBy}` : ''}`,
    })),
  ].sort((a, b) => b.at.localeCompare(a.at));
  const openFlags = t.flags.filter((f) => f.status === 'open');
  const upcoming = t.sessions.filter((s) => s.status !== 'cancelled' && s.start > new Date().toISOString());

  return (
    <Page title={`Client ${clientId}`}>
      <dl className="facts">
        <dt>Status</dt>
        <dd>{c.status}</dd>
        <dt>Track</dt>
        <dd>{c.track}</dd>
        <dt>SMS consent</dt>
        <dd>
          {c.smsConsent ? 'yes' : 'no'}
          {c.consent ? `, ${c.consent.method}, ${localDateTime(c.consent.givenAt, zone)}` : ''}
        </dd>
        <dt>Opted out</dt>
        <dd>
          {c.smsOptedOut
            ? c.optedOut
              ? `yes, ${c.optedOut.method === 'sms' ? 'by texting STOP' : 'by staff'}, ${localDateTime(c.optedOut.at, zone)}`
              : 'yes'
            : 'no'}
        </dd>
        <dt>
          <label htmlFor="language">SMS language</label>
        </dt>
        <dd>
          <select
            id="language"
            value={c.language}
            disabled={c.status !== 'active' || language.isPending}
            onChange={(e) => language.mutate(e.target.value as keyof typeof LANGUAGES)}
          >
            {Object.entries(LANGUAGES).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
          <ErrorNote error={language.error} />
        </dd>
        {c.endedAt && (
          <>
            <dt>Left</dt>
            <dd>{localDateTime(c.endedAt, zone)}</dd>
          </>
        )}
      </dl>
      {openFlags.length > 0 && (
        <ul className="chips">
          {openFlags.map((f) => (
            <li key={f.flagId}>
              <Link href={`/flags/${f.flagId}`}>Open flag: {RULES[f.rule] ?? f.rule}</Link>
            </li>
          ))}
        </ul>
      )}
      {c.status === 'active' && (
        <div className="actions">
          {c.smsOptedOut ? (
            <button type="button" onClick={() => action.mutate('opt-in')}>
              Opt in (verbal consent now)
            </button>
          ) : (
            <button type="button" onClick={() => action.mutate('opt-out')}>
              Opt out of SMS
            </button>
          )}
          <button
            type="button"
            className="danger"
            onClick={() =>
              window.confirm(`Discharge ${clientId}? Nothing more is sent.`) && action.mutate('discharge')
            }
          >
            Discharge
          </button>
        </div>
      )}
      <ErrorNote error={action.error} />
      {upcoming.length > 0 && (
        <section aria-labelledby="upcoming">
          <h2 id="upcoming">Upcoming sessions</h2>
          <ul className="rows">
            {upcoming.slice(0, 6).map((s) => (
              <SessionActions
                key={s.sessionId}
                programId={programId}
                session={s}
                zone={zone}
                onChange={refresh}
              />
            ))}
          </ul>
        </section>
      )}
      <h2>Timeline</h2>
      <ol className="timeline">
        {entries.map((e) => (
          <li key={e.key} className={`t-${e.kind}`}>
            <time dateTime={e.at}>{localDateTime(e.at, zone)}</time> {e.text}
          </li>
        ))}
      </ol>
    </Page>
  );
}

function SessionActions({
  programId,
  session,
  zone,
  onChange,
}: {
  programId: string;
  session: { sessionId: string; start: string; kind: string };
  zone: string;
  onChange: () => void;
}) {
  const [start, setStart] = useState('');
  const path = { programId, sessionId: session.sessionId };
  const move = useMutation({
    mutationFn: async () =>
      data(
        await api.POST('/programs/{programId}/sessions/{sessionId}/reschedule', {
          params: { path },
          body: { start: zonedToUtc(start, zone) },
        }),
      ),
    onSuccess: onChange,
  });
  const cancel = useMutation({
    mutationFn: async () =>
      data(await api.POST('/programs/{programId}/sessions/{sessionId}/cancel', { params: { path } })),
    onSuccess: onChange,
  });
  const field = `start-${session.sessionId}`;
  return (
    <li className="row">
      <span>
        {session.kind} {localDateTime(session.start, zone)}
      </span>
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          move.mutate();
        }}
      >
        <label htmlFor={fieldProps(move.error, field).id} className="visually-hidden">
          New start of the {session.kind} session {localDateTime(session.start, zone)}
        </label>
        <input
          {...fieldProps(move.error, 'start')}
          id={fieldProps(move.error, field).id}
          type="datetime-local"
          value={start}
          required
          onChange={(e) => setStart(e.target.value)}
        />
        <button type="submit">Reschedule</button>
        <button type="button" className="danger" onClick={() => cancel.mutate()}>
          Cancel
        </button>
      </form>
      <FieldError error={move.error} field="start" />
      <FormError error={move.error} fields={['start']} />
      <ErrorNote error={cancel.error} />
    </li>
  );
}
