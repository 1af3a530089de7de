import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { api, data } from '../api/client.ts';
import { age } from '../time.ts';
import { ErrorNote, FieldError, fieldProps, Loading, Page } from '../ui.tsx';
import { RULES } from './flags.tsx';

/** One flag: evidence, acknowledge, resolve with a note, and its audit trail (who acted, when). */
export function FlagPage({ programId, flagId }: { programId: string; flagId: string }) {
  const queryClient = useQueryClient();
  const [note, setNote] = useState('');
  const flag = useQuery({
    queryKey: ['flag', programId, flagId],
    queryFn: async () =>
      data(
        await api.GET('/programs/{programId}/flags/{flagId}', { params: { path: { programId, flagId } } }),
      ),
  });
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ['flag', programId, flagId] });
    void queryClient.invalidateQueries({ queryKey: ['flags', programId] });
  };
  const acknowledge = useMutation({
    mutationFn: async () =>
      data(
        await api.POST('/programs/{programId}/flags/{flagId}/acknowledge', {
          params: { path: { programId, flagId } },
        }),
      ),
    onSuccess: refresh,
  });
  const resolve = useMutation({
    mutationFn: async () =>
      data(
        await api.POST('/programs/{programId}/flags/{flagId}/resolve', {
          params: { path: { programId, flagId } },
          body: { note },
        }),
      ),
    onSuccess: refresh,
  });
  if (flag.isPending) return <Loading what="the flag" />;
  if (flag.error)
    return (
      <Page title="Flag">
        <ErrorNote error={flag.error} />
      </Page>
    );
  const { flag: f, audit } = flag.data;
  const state =
    f.status === 'resolved'
      ? `Resolved (${f.resolution ?? 'staff'})`
      : f.acknowledgedAt
        ? 'Acknowledged: escalation stopped'
        : f.escalatedAt
          ? 'Escalated'
          : 'Open: escalates unless acknowledged';
  return (
    <Page title={`${RULES[f.rule] ?? f.rule}: ${f.clientId}`}>
      <p>{f.explanation}</p>
      <p>
        <strong>State:</strong> <span data-testid="flag-state">{state}</span> · raised {age(f.raisedAt)} ago
      </p>
      <p>
        <Link href={`/clients/${f.clientId}`}>Client {f.clientId}</Link>
      </p>
      {f.status === 'open' && (
        <div className="actions">
          {!f.acknowledgedAt && (
            <button
              type="button"
              className="primary"
              disabled={acknowledge.isPending}
              onClick={() => acknowledge.mutate()}
            >
              Acknowledge
            </button>
          )}
          <ErrorNote error={acknowledge.error} />
          <form
            onSubmit={(e) => {
              e.preventDefault();
              resolve.mutate();
            }}
          >
            <label htmlFor={fieldProps(resolve.error, 'note').id}>Resolution note</label>
            <textarea
              {...fieldProps(resolve.error, 'note')}
              value={note}
              maxLength={500}
              onChange={(e) => setNote(e.target.value)}
            />
            <FieldError error={resolve.error} field="note" />
            <button type="submit" disabled={resolve.isPending}>
              Resolve
            </button>
          </form>
        </div>
      )}
      {f.note && (
        <p>
          <strong>Note:</strong> {f.note}
        </p>
      )}
      <h2>Audit trail</h2>
      <ol className="audit">
        {audit.map((a) => (
          <li key={`${a.at}-${a.action}`}>
            <time dateTime={a.at}>{a.at.replace('T', ' ').slice(0, 16)} UTC</time> · {a.action} by {a.by}
            {a.note ? ` · “${a.note}”` : ''}
          </li>
        ))}
      </ol>
    </Page>
  );
}
