import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'wouter';
import { api, data } from '../api/client.ts';
import { age } from '../time.ts';
import { ErrorNote, Loading, Page } from '../ui.tsx';

export const RULES: Record<string, string> = {
  'consecutive-misses': 'Consecutive misses',
  'low-attendance': 'Low attendance',
  'attendance-gap': 'Attendance gap',
  'screen-missed': 'Screen missed',
};

/** Open flags, escalated (critical) first, then oldest first, each with its one-sentence evidence. */
export function FlagsPage({ programId }: { programId: string }) {
  const flags = useQuery({
    queryKey: ['flags', programId],
    queryFn: async () =>
      data(
        await api.GET('/programs/{programId}/flags', {
          params: { path: { programId }, query: { limit: '200' } },
        }),
      ),
  });
  const queryClient = useQueryClient();
  const acknowledge = useMutation({
    mutationFn: async (flagId: string) =>
      data(
        await api.POST('/programs/{programId}/flags/{flagId}/acknowledge', {
          params: { path: { programId, flagId } },
        }),
      ),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['flags', programId] }),
  });
  if (flags.isPending) return <Loading what="flags" />;
  if (flags.error)
    return (
      <Page title="Flags">
        <ErrorNote error={flags.error} />
      </Page>
    );
  const sorted = [...flags.data.flags].sort(
    (a, b) => Number(!!b.escalatedAt) - Number(!!a.escalatedAt) || a.raisedAt.localeCompare(b.raisedAt),
  );
  return (
    <Page title={`Flags (${sorted.length} open)`}>
      <ErrorNote error={acknowledge.error} />
      {sorted.length === 0 && <p>No open flags.</p>}
      <ul className="rows">
        {sorted.map((f) => {
          const severity = f.escalatedAt ? 'critical' : 'warning';
          return (
            <li key={f.flagId} className={`card flag flag-${severity}`}>
              <div className="flag-head">
                <span className={`badge badge-${severity}`}>{severity}</span>
                <Link href={`/flags/${f.flagId}`}>
                  {RULES[f.rule] ?? f.rule}: {f.clientId}
                </Link>
                <span className="muted"> {age(f.raisedAt)} ago</span>
              </div>
              <p>{f.explanation}</p>
              <p className="muted">
                {f.acknowledgedAt
                  ? `Acknowledged by ${f.acknowledgedBy ?? '?'} ${age(f.acknowledgedAt)} ago`
                  : f.escalatedAt
                    ? `Escalated ${age(f.escalatedAt)} ago, not acknowledged`
                    : 'Not acknowledged: escalates if nobody does'}
              </p>
              {!f.acknowledgedAt && (
                <button
                  type="button"
                  aria-label={`Acknowledge the flag of ${f.clientId}`}
                  disabled={acknowledge.isPending}
                  onClick={() => acknowledge.mutate(f.flagId)}
                >
                  Acknowledge
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </Page>
  );
}
