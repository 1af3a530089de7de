import { localDateTime } from '../time.ts';
import { ErrorNote } from '../ui.tsx';

export interface Preview {
  week: string;
  sessions: { sessionId: string; clientId: string; kind: string; start: string; topic?: string }[];
  shortfalls: { clientId: string; hours: number; minimum: number }[];
  unplaced: { clientId: string; kind: string; reason: string }[];
}

/** The week a form would produce (planned by the API, nothing stored). */
export function WeekPreview({ preview, error, zone }: { preview?: Preview; error?: unknown; zone: string }) {
  if (error) return <ErrorNote error={error} />;
  if (!preview) return null;
  return (
    <section aria-labelledby="preview" className="card">
      <h2 id="preview">Preview of week {preview.week}</h2>
      {preview.sessions.length === 0 && <p>No sessions.</p>}
      <ul className="rows compact">
        {preview.sessions.slice(0, 60).map((s) => (
          <li key={s.sessionId}>
            {localDateTime(s.start, zone)} · {s.kind}
            {s.topic ? ` (${s.topic})` : ''} · {s.clientId}
          </li>
        ))}
      </ul>
      {preview.sessions.length > 60 && <p className="muted">and {preview.sessions.length - 60} more</p>}
      {preview.shortfalls.map((s) => (
        <p key={s.clientId} className="warning">
          {s.clientId}: {s.hours} h scheduled, under the weekly minimum of {s.minimum} h
        </p>
      ))}
      {preview.unplaced.map((u) => (
        <p key={`${u.clientId}-${u.kind}`} className="warning">
          {u.clientId}: {u.kind} session not placed ({u.reason})
        </p>
      ))}
    </section>
  );
}
