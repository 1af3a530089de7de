import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useLocation } from 'wouter';
import { ApiError, api, data } from '../api/client.ts';
import { localDate } from '../time.ts';
import { FieldError, FormError, fieldProps, Loading, Page } from '../ui.tsx';
import { useProgram } from './today.tsx';
import { WeekPreview } from './week-preview.tsx';

const FIELDS = ['id', 'phone', 'language', 'track', 'clinicianId', 'start', 'smsConsent', 'consent'];

/** Enrol a client: the API validates (its messages appear at the field), a preview shows the week. */
export function EnrolPage({ programId }: { programId: string }) {
  const program = useProgram(programId);
  const [, navigate] = useLocation();
  const queryClient = useQueryClient();
  const clinicians = useQuery({
    queryKey: ['clinicians', programId],
    queryFn: async () =>
      data(
        await api.GET('/programs/{programId}/clinicians', {
          params: { path: { programId }, query: { limit: '200' } },
        }),
      ),
  });
  const zone = program.data?.timezone ?? 'UTC';
  const [form, setForm] = useState({
    id: '',
    phone: '',
    language: 'en' as 'en' | 'es',
    track: '',
    clinicianId: '',
    start: '',
    smsConsent: true,
    method: 'written' as 'written' | 'verbal' | 'electronic',
  });
  const body = () => {
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    return {
      id: form.id,
      phone: form.phone,
      language: form.language,
      track: form.track || program.data?.tracks[0]?.id || '',
      ...(form.clinicianId ? { clinicianId: form.clinicianId } : {}),
      start: form.start || localDate(new Date(), zone),
      smsConsent: form.smsConsent,
      ...(form.smsConsent ? { consent: { givenAt: now, method: form.method } } : {}),
    };
  };
  const enrol = useMutation({
    mutationFn: async () =>
      data(
        await api.POST('/programs/{programId}/clients', { params: { path: { programId } }, body: body() }),
      ),
    onSuccess: (result) => {
      void queryClient.invalidateQueries({ queryKey: ['clients', programId] });
      navigate(`/clients/${result.client.id}`);
    },
  });
  const preview = useMutation({
    mutationFn: async () =>
      data(
        await api.POST('/programs/{programId}/week-preview', {
          params: { path: { programId } },
          body: { client: body() },
        }),
      ),
  });
  if (program.isPending) return <Loading what="the program" />;
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [key]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    enrol.mutate();
  };
  // The preview's errors name `client.x`; the form shows them at the field like enrolment's.
  const error =
    enrol.error ?? (preview.error instanceof ApiError ? preview.error.unnest('client') : preview.error);
  const fieldError = (_field: string) => error;
  return (
    <Page title="Enrol a client">
      <form onSubmit={submit} noValidate>
        <label htmlFor="f-id">Client id</label>
        <input
          {...fieldProps(fieldError('id'), 'id')}
          value={form.id}
          onChange={set('id')}
          autoComplete="off"
        />
        <FieldError error={fieldError('id')} field="id" />

        <label htmlFor="f-phone">Mobile phone (E.164, e.g. +12025550101)</label>
        <input
          {...fieldProps(fieldError('phone'), 'phone')}
          type="tel"
          value={form.phone}
          onChange={set('phone')}
          autoComplete="off"
        />
        <FieldError error={fieldError('phone')} field="phone" />

        <label htmlFor="f-language">SMS language</label>
        <select
          {...fieldProps(fieldError('language'), 'language')}
          value={form.language}
          onChange={(e) => setForm({ ...form, language: e.target.value as 'en' | 'es' })}
        >
          <option value="en">English</option>
          <option value="es">Spanish (español)</option>
        </select>
        <FieldError error={fieldError('language')} field="language" />

        <label htmlFor="f-track">Track</label>
        <select {...fieldProps(fieldError('track'), 'track')} value={form.track} onChange={set('track')}>
          {program.data?.tracks.map((t) => (
            <option key={t.id} value={t.id}>
              {t.id}
            </option>
          ))}
        </select>
        <FieldError error={fieldError('track')} field="track" />

        <label htmlFor="f-clinicianId">Clinician</label>
        <select
          {...fieldProps(fieldError('clinicianId'), 'clinicianId')}
          value={form.clinicianId}
          onChange={set('clinicianId')}
        >
          <option value="">none</option>
          {clinicians.data?.clinicians.map((c) => (
            <option key={c.id} value={c.id}>
              {c.id}
            </option>
          ))}
        </select>
        <FieldError error={fieldError('clinicianId')} field="clinicianId" />

        <label htmlFor="f-start">First day</label>
        <input
          {...fieldProps(fieldError('start'), 'start')}
          type="date"
          value={form.start}
          onChange={set('start')}
        />
        <FieldError error={fieldError('start')} field="start" />

        <label className="choice">
          <input
            type="checkbox"
            name="smsConsent"
            checked={form.smsConsent}
            onChange={(e) => setForm({ ...form, smsConsent: e.target.checked })}
          />
          The client consented to SMS reminders
        </label>
        {form.smsConsent && (
          <>
            <label htmlFor="f-consent">Consent given</label>
            <select
              {...fieldProps(fieldError('consent'), 'consent')}
              value={form.method}
              onChange={set('method')}
            >
              <option value="written">in writing</option>
              <option value="verbal">verbally</option>
              <option value="electronic">electronically</option>
            </select>
            <FieldError error={fieldError('consent')} field="consent" />
          </>
        )}
        <FormError error={error} fields={FIELDS} />
        <div className="actions">
          <button type="button" onClick={() => preview.mutate()} disabled={preview.isPending}>
            Preview the week
          </button>
          <button type="submit" className="primary" disabled={enrol.isPending}>
            Enrol
          </button>
        </div>
      </form>
      <WeekPreview preview={preview.data} zone={zone} />
    </Page>
  );
}
