import * as z from 'zod';
import { clientSchema } from '../../functions/domain/client.schema.ts';
import { clinicianSchema } from '../../functions/domain/clinician.schema.ts';
import { entityIdSchema, localDateSchema } from '../../functions/domain/common.schema.ts';
import { programSchema } from '../../functions/domain/program.schema.ts';
import { screenResultSchema } from '../../functions/domain/screen.schema.ts';
import { FAULT_PORTS } from '../adapters/fault-injector.ts';

const localDateTimeSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d$/, {
  error: 'expected a local date-time like 2026-03-05T12:00',
});

const validLocalDate = (date: string) => localDateSchema.safeParse(date).success;

const clientAction = <T extends string>(type: T) =>
  z.object({ at: localDateTimeSchema, type: z.literal(type), clientId: entityIdSchema });

export const scenarioActionSchema = z.discriminatedUnion('type', [
  clientAction('opt-out'),
  clientAction('opt-in'),
  clientAction('discharge'),
  clientAction('acknowledge-flags'),
  clientAction('cancel-session').extend({ date: localDateSchema }),
  // version 2
  clientAction('reschedule-session').extend({ date: localDateSchema, to: localDateTimeSchema }),
  clientAction('sms-reply').extend({ text: z.string().max(1600) }),
  z.object({
    at: localDateTimeSchema,
    type: z.literal('fault'),
    port: z.enum(FAULT_PORTS),
    count: z.number().int().min(1),
  }),
]);
export type ScenarioAction = z.infer<typeof scenarioActionSchema>;

/**
 * The contract lets a scenario carry fields added after this version ("fields may be added"):
 * a field the program, a clinician or a client does not know is ignored here, while the API,
 * which shares these schemas, refuses unknown fields.
 */
function knownFieldsOf(shape: Record<string, unknown>) {
  return (value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).filter(([key]) => key in shape))
      : value;
}

/** The scenario file, version 2 (docs/scenarios.md): a public contract; fields may be added, never renamed. */
export const scenarioSchema = z
  .object({
    program: z.preprocess(knownFieldsOf(programSchema.shape), programSchema),
    clinicians: z.array(z.preprocess(knownFieldsOf(clinicianSchema.shape), clinicianSchema)).default([]),
    clients: z.array(z.preprocess(knownFieldsOf(clientSchema.shape), clientSchema)),
    run: z.object({
      from: localDateSchema,
      days: z.number().int().min(1).max(366),
    }),
    attendance: z
      .object({ default: z.enum(['present', 'absent']).default('present') })
      .default({ default: 'present' }),
    absences: z.array(z.object({ clientId: entityIdSchema, date: localDateSchema })).default([]),
    screenResults: z
      .array(z.object({ clientId: entityIdSchema, date: localDateSchema, result: screenResultSchema }))
      .default([]),
    actions: z.array(scenarioActionSchema).default([]),
  })
  .superRefine((scenario, ctx) => {
    const clientIds = new Set<string>();
    const clinicianIds = new Set(scenario.clinicians.map((c) => c.id));
    const trackIds = new Set(scenario.program.tracks.map((t) => t.id));
    scenario.clients.forEach((client, i) => {
      if (clientIds.has(client.id))
        ctx.addIssue({
          code: 'custom',
          path: ['clients', i, 'id'],
          message: `duplicate client id ${client.id}`,
        });
      clientIds.add(client.id);
      if (!trackIds.has(client.track)) {
        ctx.addIssue({
          code: 'custom',
          path: ['clients', i, 'track'],
          message: `no track ${client.track} in program.tracks`,
        });
      }
      if (client.clinicianId && !clinicianIds.has(client.clinicianId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['clients', i, 'clinicianId'],
          message: `no clinician ${client.clinicianId} in clinicians`,
        });
      }
      if (scenario.program.individual && scenario.program.individual.perWeek > 0 && !client.clinicianId) {
        ctx.addIssue({
          code: 'custom',
          path: ['clients', i, 'clinicianId'],
          message: 'required when the program has individual sessions',
        });
      }
    });
    const checkClient = (path: (string | number)[], id: string) => {
      if (!clientIds.has(id)) ctx.addIssue({ code: 'custom', path, message: `no client ${id} in clients` });
    };
    for (const [i, a] of scenario.absences.entries()) checkClient(['absences', i, 'clientId'], a.clientId);
    for (const [i, r] of scenario.screenResults.entries())
      checkClient(['screenResults', i, 'clientId'], r.clientId);
    for (const [i, a] of scenario.actions.entries()) {
      if (!validLocalDate(a.at.slice(0, 10)))
        ctx.addIssue({ code: 'custom', path: ['actions', i, 'at'], message: 'expected a real date' });
      if (a.type === 'fault') continue;
      checkClient(['actions', i, 'clientId'], a.clientId);
      if (a.type === 'reschedule-session') {
        if (!validLocalDate(a.to.slice(0, 10)))
          ctx.addIssue({ code: 'custom', path: ['actions', i, 'to'], message: 'expected a real date' });
        else if (a.to <= a.at)
          ctx.addIssue({
            code: 'custom',
            path: ['actions', i, 'to'],
            message: 'a session cannot be moved into the past: expected a time after `at`',
          });
      }
    }
  });
export type Scenario = z.infer<typeof scenarioSchema>;
