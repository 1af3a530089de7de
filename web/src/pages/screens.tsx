import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { ApiError, api, data } from '../api/client.ts';
import type { Session } from '../auth.ts';
import { addDays, localDate } from '../time.ts';
import { ErrorNote, FieldError, FormError, fieldProps, Loading, Page } from '../ui.tsx';
import { useProgram } from './today.tsx';

const RESULTS = ['negative', 'positive', 'dilute', 'refused', 'no-show'] as const;

/** Today's draw (seed, verified by replay), result entry, and the fairness report as a chart. */
export function ScreensPage({ programId }: { programId: string; session: Session }) {
  const program = useProgram(programId);
  const zone = program.data?.timezone ?? 'UTC';
  const today = localDate(new Date(), zone);
  const draw = useQuery({
    queryKey: ['draw', programId, today],
    enabled: program.isSuccess,
    retry: false,
    queryFn: async () => {
      const result = await api.GET('/programs/{programId}/screens/draws/{date}', {
        params: { path: { programId, date: today } },
      });
      if (result.response.status === 404) return null;
      return data(result);
    },
  });
  const from = addDays(today, -27);
  const report = useQuery({
    queryKey: ['screens-report', programId, from, today],
    enabled: program.isSuccess,
    queryFn: async () =>
      data(
        await api.GET('/programs/{programId}/screens/report', {
          params: { path: { programId }, query: { from, to: today } },
        }),
      ),
  });
  if (program.isPending) return <Loading what="screens" />;
  return (
    <Page title="Screens">
      <section aria-labelledby="draw" className="card">
        <h2 id="draw">Today's draw ({today})</h2>
        {draw.isPending && <Loading what="the draw" />}
        <ErrorNote error={draw.error} />
        {draw.data === null && (
          <p>No draw yet today{program.data?.drugScreens ? '' : ' (random screens are off)'}.</p>
        )}
        {draw.data && (
          <>
            <p>
              {draw.data.verified ? (
                <span className="badge badge-ok">✓ verified</span>
              ) : (
                <span className="badge badge-critical">not verified</span>
              )}{' '}
              replaying the seed gives the same selection.
            </p>
            <p className="seed">
              Seed <code>{draw.data.seed}</code>
            </p>
            <p>
              {draw.data.selections.length} selected of a pool of {draw.data.pool.length}
            </p>
            <ul className="chips">
              {draw.data.selections.map((s) => (
                <li key={s.clientId}>
                  <Link href={`/clients/${s.clientId}`}>{s.clientId}</Link> ({s.reason})
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      <ResultForm
        programId={programId}
        today={today}
        selected={draw.data?.selections.map((s) => s.clientId) ?? []}
      />
      <section aria-labelledby="fairness" className="card">
        <h2 id="fairness">
          Fairness, {from} to {today}
        </h2>
        {report.isPending && <Loading what="the report" />}
        <ErrorNote error={report.error} />
        {report.data && <FairnessChart report={report.data} />}
      </section>
    </Page>
  );
}

function ResultForm({
  programId,
  today,
  selected,
}: {
  programId: string;
  today: string;
  selected: string[];
}) {
  const queryClient = useQueryClient();
  const [clientId, setClientId] = useState('');
  const [result, setResult] = useState<(typeof RESULTS)[number]>('negative');
  const record = useMutation({
    mutationFn: async () =>
      data(
        await api.POST('/programs/{programId}/screens/results', {
          params: { path: { programId } },
          body: { clientId: clientId || selected[0] || '', date: today, result },
        }),
      ),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['timeline', programId] }),
  });
  return (
    <section aria-labelledby="result" className="card">
      <h2 id="result">Enter a result</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          record.mutate();
        }}
        noValidate
      >
        <label htmlFor="f-clientId">Client id</label>
        <input
          {...fieldProps(record.error, 'clientId')}
          list="selected-clients"
          value={clientId}
          placeholder={selected[0] ?? ''}
          onChange={(e) => setClientId(e.target.value)}
        />
        <datalist id="selected-clients">
          {selected.map((id) => (
            <option key={id} value={id} />
          ))}
        </datalist>
        <FieldError error={record.error} field="clientId" />
        <label htmlFor="f-result">Result</label>
        <select
          {...fieldProps(record.error, 'result')}
          value={result}
          onChange={(e) => setResult(e.target.value as typeof result)}
        >
          {RESULTS.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <FormError error={record.error} fields={['clientId', 'result', 'date']} />
        {record.error instanceof ApiError && record.error.fieldMessage('date') && (
          <FieldError error={record.error} field="date" />
        )}
        {record.isSuccess && <p role="status">Recorded for {record.data.clientId}.</p>}
        <button type="submit" className="primary" disabled={record.isPending}>
          Record
        </button>
      </form>
    </section>
  );
}

interface Report {
  draws: number;
  clients: { clientId: string; eligible: number; selected: number; lastSelected: string | null }[];
  neverSelected: string[];
}

/** Times selected against times eligible, per client: an SVG bar chart, and the table it draws. */
function FairnessChart({ report }: { report: Report }) {
  const rows = [...report.clients].sort((a, b) => b.eligible - a.eligible).slice(0, 40);
  const max = Math.max(1, ...rows.map((r) => r.eligible));
  const barH = 14;
  const gap = 10;
  const labelW = 70;
  const width = 320;
  const scale = (n: number) => ((width - labelW - 40) * n) / max;
  const height = rows.length * (barH * 2 + gap) + 10;
  return (
    <>
      <p>
        {report.draws} draws. Never selected:{' '}
        <strong data-testid="never-selected">
          {report.neverSelected.length ? report.neverSelected.join(', ') : 'nobody'}
        </strong>
      </p>
      <p className="legend">
        <span className="key key-eligible" /> eligible <span className="key key-selected" /> selected
      </p>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        role="img"
        aria-label={`Times selected against times eligible for ${rows.length} clients`}
      >
        {rows.map((r, i) => {
          const y = i * (barH * 2 + gap);
          return (
            <g key={r.clientId}>
              <text x={0} y={y + barH + 4} className="chart-label">
                {r.clientId}
              </text>
              <rect x={labelW} y={y} width={scale(r.eligible)} height={barH} className="bar-eligible" />
              <text x={labelW + scale(r.eligible) + 4} y={y + barH - 3} className="chart-value">
                {r.eligible}
              </text>
              <rect
                x={labelW}
                y={y + barH}
                width={scale(r.selected)}
                height={barH}
                className="bar-selected"
              />
              <text x={labelW + scale(r.selected) + 4} y={y + 2 * barH - 3} className="chart-value">
                {r.selected}
              </text>
            </g>
          );
        })}
      </svg>
      <table className="visually-hidden">
        <caption>Fairness report</caption>
        <thead>
          <tr>
            <th scope="col">Client</th>
            <th scope="col">Eligible</th>
            <th scope="col">Selected</th>
            <th scope="col">Last selected</th>
          </tr>
        </thead>
        <tbody>
          {report.clients.map((r) => (
            <tr key={r.clientId}>
              <td>{r.clientId}</td>
              <td>{r.eligible}</td>
              <td>{r.selected}</td>
              <td>{r.lastSelected ?? 'never'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
