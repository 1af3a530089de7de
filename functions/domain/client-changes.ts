import { type Client, clientSchema } from './client.schema.ts';

/** What staff may change on a client (PATCH): `phase: null` takes the client out of their phase. */
export interface ClientChanges {
  track?: string | undefined;
  phase?: string | null | undefined;
  busy?: Client['busy'] | undefined;
  clinicianId?: string | undefined;
  quietHours?: Client['quietHours'] | undefined;
  adolescent?: boolean | undefined;
  language?: Client['language'] | undefined;
}

/** The client with the changes merged in, checked against the client schema (a ZodError when not). */
export function applyClientChanges(client: Client, changes: ClientChanges): Client {
  const { phase, ...rest } = changes;
  return clientSchema.parse({
    ...client,
    ...rest,
    ...(phase === null ? { phase: undefined } : phase ? { phase } : {}),
  });
}
