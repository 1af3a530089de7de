import { type Client, type ClientInput, clientSchema } from '../../functions/domain/client.schema.ts';
import { type Clinician, clinicianSchema } from '../../functions/domain/clinician.schema.ts';
import { type Program, type ProgramInput, programSchema } from '../../functions/domain/program.schema.ts';

export function aProgram(overrides: Partial<ProgramInput> = {}): Program {
  return programSchema.parse({
    id: 'sunrise',
    name: 'Sunrise',
    timezone: 'America/New_York',
    tracks: [
      {
        id: 'morning',
        groups: [{ days: ['MON', 'WED', 'FRI'], start: '09:00', minutes: 180, topic: 'skills' }],
      },
      {
        id: 'evening',
        groups: [{ days: ['MON', 'TUE', 'THU'], start: '18:00', minutes: 180, topic: 'support' }],
      },
    ],
    individual: { perWeek: 1, minutes: 60 },
    ...overrides,
  });
}

export function aClient(overrides: Partial<ClientInput> = {}): Client {
  return clientSchema.parse({
    id: 'c-001',
    phone: '+12025550101',
    track: 'evening',
    clinicianId: 'dr-lee',
    start: '2027-01-04',
    smsConsent: true,
    ...overrides,
  });
}

export function aClinician(id = 'dr-lee', availability: Clinician['availability'] = []): Clinician {
  return clinicianSchema.parse({
    id,
    availability: availability.length
      ? availability
      : [{ days: ['MON', 'TUE', 'WED', 'THU', 'FRI'], start: '10:00', end: '16:00' }],
  });
}
