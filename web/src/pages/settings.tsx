import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ApiError, api, data } from '../api/client.ts';
import type { paths } from '../api/openapi.d.ts';
import { FieldError, FormError, fieldProps, Loading, Page } from '../ui.tsx';
import { useProgram } from './today.tsx';
import { WeekPreview } from './week-preview.tsx';

type Program = paths['/programs/{programId}']['put']['requestBody']['content']['application/json'];
type Group = Program['tracks'][number]['groups'][number];
type Day = Group['days'][number];

const DAYS: Day[] = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];
const numbers = (text: string) =>
  text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .map(Number);
const days = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((d) => d.trim().toUpperCase())
    .filter(Boolean) as Day[];

/** Program settings (admins): tracks and groups, reminder offsets, quiet hours, screening policy. */
export function SettingsPage({ programId }: { programId: string }) {
  const program = useProgram(programId);
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Program>();
  useEffect(() => {
    if (program.data && !draft) setDraft(structuredClone(program.data) as Program);
  }, [program.data, draft]);
  const save = useMutation({
    mutationFn: async (p: Program) =>
      data(await api.PUT('/programs/{programId}', { params: { path: { programId } }, body: p })),
    onSuccess: (saved) => queryClient.setQueryData(['program', programId], saved),
  });
  const preview = useMutation({
    mutationFn: async (p: Program) =>
      data(
        await api.POST('/programs/{programId}/week-preview', {
          params: { path: { programId } },
          body: { program: p },
        }),
      ),
  });
  if (!draft) return <Loading what="the program's settings" />;
  const error =
    save.error ?? (preview.error instanceof ApiError ? preview.error.unnest('program') : preview.error);
  const update = (change: (p: Program) => void) => {
    const next = structuredClone(draft);
    change(next);
    setDraft(next);
  };
  const input = (field: string, value: string | number, onChange: (v: string) => void, type = 'text') => (
    <>
      <input
        {...fieldProps(error, field)}
        type={type}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
      <FieldError error={error} field={field} />
    </>
  );
  const screens = draft.drugScreens;
  return (
    <Page title="Program settings">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate(draft);
        }}
        noValidate
      >
        <label htmlFor="f-name">Short name (shown in SMS: keep it neutral)</label>
        {input('name', draft.name, (v) =>
          update((p) => {
            p.name = v;
          }),
        )}

        <fieldset>
          <legend>Quiet hours (no SMS)</legend>
          <label htmlFor="f-quietHours-start">From</label>
          {input(
            'quietHours.start',
            draft.quietHours?.start ?? '21:00',
            (v) =>
              update((p) => {
                p.quietHours = { start: v, end: p.quietHours?.end ?? '08:00' };
              }),
            'time',
          )}
          <label htmlFor="f-quietHours-end">To</label>
          {input(
            'quietHours.end',
            draft.quietHours?.end ?? '08:00',
            (v) =>
              update((p) => {
                p.quietHours = { start: p.quietHours?.start ?? '21:00', end: v };
              }),
            'time',
          )}
        </fieldset>

        <label htmlFor="f-reminders-offsetsMinutes">
          Reminders, minutes before a session (comma-separated)
        </label>
        {input('reminders.offsetsMinutes', (draft.reminders?.offsetsMinutes ?? []).join(', '), (v) =>
          update((p) => {
            p.reminders = { offsetsMinutes: numbers(v) };
          }),
        )}

        {draft.tracks.map((track, t) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: the position is the identity (fields are named tracks[t])
          <fieldset key={`track-${t}`} className="card">
            <legend>Track {track.id}</legend>
            <label htmlFor={`f-tracks-${t}-id`}>Track id</label>
            {input(`tracks[${t}].id`, track.id, (v) =>
              update((p) => {
                p.tracks[t]!.id = v;
              }),
            )}
            {track.groups.map((g, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the position is the identity (groups[i])
              <fieldset key={`g-${t}-${i}`}>
                <legend>
                  Group {i + 1} of {track.id}
                </legend>
                <label htmlFor={`f-tracks-${t}-groups-${i}-days`}>Days ({DAYS.join(' ')})</label>
                {input(`tracks[${t}].groups[${i}].days`, g.days.join(' '), (v) =>
                  update((p) => {
                    p.tracks[t]!.groups[i]!.days = days(v);
                  }),
                )}
                <label htmlFor={`f-tracks-${t}-groups-${i}-start`}>Start</label>
                {input(
                  `tracks[${t}].groups[${i}].start`,
                  g.start,
                  (v) =>
                    update((p) => {
                      p.tracks[t]!.groups[i]!.start = v;
                    }),
                  'time',
                )}
                <label htmlFor={`f-tracks-${t}-groups-${i}-minutes`}>Minutes</label>
                {input(
                  `tracks[${t}].groups[${i}].minutes`,
                  g.minutes,
                  (v) =>
                    update((p) => {
                      p.tracks[t]!.groups[i]!.minutes = Number(v);
                    }),
                  'number',
                )}
                <label htmlFor={`f-tracks-${t}-groups-${i}-topic`}>Topic</label>
                {input(`tracks[${t}].groups[${i}].topic`, g.topic, (v) =>
                  update((p) => {
                    p.tracks[t]!.groups[i]!.topic = v;
                  }),
                )}
              </fieldset>
            ))}
            <button
              type="button"
              onClick={() =>
                update(
                  (p) =>
                    void p.tracks[t]!.groups.push({
                      days: ['MON'],
                      start: '18:00',
                      minutes: 180,
                      topic: 'skills',
                    }),
                )
              }
            >
              Add a group to {track.id}
            </button>
          </fieldset>
        ))}

        <fieldset>
          <legend>Random screens</legend>
          <label className="choice">
            <input
              type="checkbox"
              checked={!!screens}
              onChange={(e) =>
                update((p) => {
                  p.drugScreens = e.target.checked
                    ? {
                        days: ['MON', 'TUE', 'WED', 'THU', 'FRI'],
                        drawAt: '06:00',
                        rate: 0.2,
                        minPerWeek: 1,
                        windowHours: 8,
                      }
                    : undefined;
                })
              }
            />
            Draw random screens
          </label>
          {screens && (
            <>
              <label htmlFor="f-drugScreens-days">Draw days</label>
              {input('drugScreens.days', (screens.days ?? []).join(' '), (v) =>
                update((p) => {
                  p.drugScreens!.days = days(v);
                }),
              )}
              <label htmlFor="f-drugScreens-drawAt">Draw at</label>
              {input(
                'drugScreens.drawAt',
                screens.drawAt ?? '06:00',
                (v) =>
                  update((p) => {
                    p.drugScreens!.drawAt = v;
                  }),
                'time',
              )}
              <label htmlFor="f-drugScreens-rate">Share of the pool per draw (0–1)</label>
              {input(
                'drugScreens.rate',
                screens.rate ?? 0.2,
                (v) =>
                  update((p) => {
                    p.drugScreens!.rate = Number(v);
                  }),
                'number',
              )}
              <label htmlFor="f-drugScreens-minPerWeek">At least, per client and week</label>
              {input(
                'drugScreens.minPerWeek',
                screens.minPerWeek ?? 1,
                (v) =>
                  update((p) => {
                    p.drugScreens!.minPerWeek = Number(v);
                  }),
                'number',
              )}
              <label htmlFor="f-drugScreens-windowHours">Hours to give a sample</label>
              {input(
                'drugScreens.windowHours',
                screens.windowHours ?? 8,
                (v) =>
                  update((p) => {
                    p.drugScreens!.windowHours = Number(v);
                  }),
                'number',
              )}
            </>
          )}
        </fieldset>
        <FormError error={error} fields={['name', 'quietHours', 'reminders', 'tracks', 'drugScreens']} />
        {save.isSuccess && <p role="status">Saved.</p>}
        <div className="actions">
          <button type="button" onClick={() => preview.mutate(draft)}>
            Preview the week
          </button>
          <button type="submit" className="primary" disabled={save.isPending}>
            Save
          </button>
        </div>
      </form>
      <WeekPreview preview={preview.data} zone={draft.timezone} />
    </Page>
  );
}
