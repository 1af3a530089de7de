/** Every key the table uses, in one place; docs/data-model.md explains the access pattern of each. */
export const keys = {
  program: (programId: string) => ({
    pk: `PROGRAM#${programId}`,
    sk: 'PROGRAM',
    gsi1pk: 'PROGRAMS',
    gsi1sk: programId,
  }),
  clinician: (programId: string, clinicianId: string) => ({
    pk: `PROGRAM#${programId}`,
    sk: `CLINICIAN#${clinicianId}`,
  }),
  client: (programId: string, clientId: string) => ({ pk: `PROGRAM#${programId}`, sk: `CLIENT#${clientId}` }),
  session: (programId: string, sessionId: string) => ({
    pk: `SESSION#${programId}#${sessionId}`,
    sk: 'SESSION',
  }),
  sessionByWeek: (programId: string, week: string, start: string, sessionId: string) => ({
    gsi1pk: `WEEK#${programId}#${week}`,
    gsi1sk: `${start}#${sessionId}`,
  }),
  sessionByClient: (programId: string, clientId: string, start: string, sessionId: string) => ({
    gsi2pk: `CLIENT#${programId}#${clientId}`,
    gsi2sk: `SESSION#${start}#${sessionId}`,
  }),
  shortfall: (programId: string, week: string, clientId: string) => ({
    pk: `PROGRAM#${programId}`,
    sk: `SHORTFALL#${week}#${clientId}`,
  }),
};

const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'entity', 'expiresAt'];

/** The stored item without its key attributes, ready for the entity's zod schema. */
export function withoutKeys(item: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...item };
  for (const name of KEY_ATTRIBUTES) delete copy[name];
  return copy;
}
