import { type Client, clientSchema } from '../functions/domain/client.schema.ts';
import { type Clinician, clinicianSchema } from '../functions/domain/clinician.schema.ts';
import { type Program, programSchema } from '../functions/domain/program.schema.ts';
import { addMinutes, localDateOf, localTimeOf } from '../functions/domain/zoned-time.ts';

/**
 * The demo clinic `npm start` seeds into an empty database: a morning and an evening track whose
 * groups start a few minutes from now, every day, with reminders 2 and 1 minutes before, so a
 * reminder fires within the first minute and a missed session shortly after. Quiet hours are off
 * (start = end) so the demo shows something at any hour; real programs keep 21:00–08:00.
 */
export function demoClinic(now: string, timezone = 'America/New_York') {
  const at = (minutes: number) => localTimeOf(addMinutes(now, minutes), timezone);
  const every = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;
  const program: Program = programSchema.parse({
    id: 'sunrise',
    name: 'Sunrise',
    timezone,
    tracks: [
      { id: 'morning', groups: [{ days: [...every], start: at(3), minutes: 60, topic: 'skills' }] },
      { id: 'evening', groups: [{ days: [...every], start: at(6), minutes: 60, topic: 'support' }] },
    ],
    individual: { perWeek: 1, minutes: 45 },
    quietHours: { start: '00:00', end: '00:00' },
    reminders: { offsetsMinutes: [2, 1] },
    missedSession: { graceMinutes: 2 },
    contactPhone: '+12025550100',
  });
  const clinicians: Clinician[] = [
    clinicianSchema.parse({
      id: 'dr-lee',
      availability: [{ days: [...every], start: '08:00', end: '20:00' }],
    }),
  ];
  const today = localDateOf(now, timezone);
  const client = (id: string, phone: string, track: string, extra: Partial<Client> = {}) =>
    clientSchema.parse({ id, phone, track, clinicianId: 'dr-lee', start: today, smsConsent: true, ...extra });
  const clients: Client[] = [
    client('c-001', '+12025550101', 'morning'),
    client('c-002', '+12025550102', 'evening'),
    client('c-003', '+12025550103', 'evening', { smsConsent: false }),
    client('c-004', '+12025550104', 'morning', { language: 'es' }),
  ];
  return { program, clinicians, clients };
}
