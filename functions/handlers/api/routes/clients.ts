import * as z from 'zod';
import { clientSchema, clientStatusSchema, consentSchema } from '../../../domain/client.schema.ts';
import { entityIdSchema, weeklyWindowSchema } from '../../../domain/common.schema.ts';
import { dialablePhoneSchema } from '../../../domain/phone.schema.ts';
import { endEnrolment, optIn, optOut, recordConsent } from '../../../use-cases/client-lifecycle.ts';
import { enrolNewClient, getClient, listClients, updateClient } from '../../../use-cases/clients.ts';
import { parse, type Route } from '../http.ts';
import { clientPath, pageBody, pageOf, pageQuery, programPath, staff } from './common.ts';

/**
 * A new client: everything but what the store keeps (version) or what only leaving sets (endedAt);
 * a client is enrolled active (on hold, discharged or completed come later, by their routes).
 */
export const enrolmentSchema = clientSchema
  .omit({ version: true, endedAt: true })
  .extend({
    phone: dialablePhoneSchema,
    familyContact: z
      .object({ phone: dialablePhoneSchema.optional(), relationship: z.string().max(40).optional() })
      .strict()
      .optional(),
    status: z
      .literal('active', { error: 'a client is enrolled active; put on hold or discharge afterwards' })
      .default('active'),
  })
  .strict();

export const clientUpdateSchema = z
  .object({
    track: entityIdSchema,
    phase: entityIdSchema.nullable(),
    busy: z.array(weeklyWindowSchema).max(50),
    clinicianId: entityIdSchema,
    quietHours: clientSchema.shape.quietHours,
    adolescent: z.boolean(),
    language: clientSchema.shape.language.unwrap(),
  })
  .partial()
  .strict();

const clientsQuery = z
  .object({ status: clientStatusSchema.optional(), track: entityIdSchema.optional(), ...pageQuery.shape })
  .strict();
const dischargeBody = z
  .object({ status: z.enum(['discharged', 'completed']).default('discharged') })
  .strict()
  .default({ status: 'discharged' });

/** Clients: enrolment, changes, consent and leaving. */
export const clientRoutes = {
  enrol: {
    method: 'POST',
    path: '/programs/{programId}/clients',
    roles: [...staff],
    body: enrolmentSchema,
    async run(deps, req) {
      const { programId } = parse(programPath, req.params, 'path');
      const client = parse(enrolmentSchema, req.body, 'body');
      return { status: 201, body: await enrolNewClient(deps, programId, client) };
    },
  },
  get: {
    method: 'GET',
    path: '/programs/{programId}/clients/{clientId}',
    roles: [...staff],
    async run(deps, req) {
      const { programId, clientId } = parse(clientPath, req.params, 'path');
      return { body: await getClient(deps, programId, clientId) };
    },
  },
  update: {
    method: 'PATCH',
    path: '/programs/{programId}/clients/{clientId}',
    roles: [...staff],
    body: clientUpdateSchema,
    async run(deps, req) {
      const { programId, clientId } = parse(clientPath, req.params, 'path');
      const changes = parse(clientUpdateSchema, req.body, 'body');
      return { body: await updateClient(deps, programId, clientId, changes) };
    },
  },
  consent: {
    method: 'POST',
    path: '/programs/{programId}/clients/{clientId}/consent',
    roles: [...staff],
    body: consentSchema,
    async run(deps, req) {
      const { programId, clientId } = parse(clientPath, req.params, 'path');
      const consent = parse(consentSchema, req.body, 'body');
      return { body: await recordConsent(deps, programId, clientId, consent) };
    },
  },
  optOut: {
    method: 'POST',
    path: '/programs/{programId}/clients/{clientId}/opt-out',
    roles: [...staff],
    async run(deps, req) {
      const { programId, clientId } = parse(clientPath, req.params, 'path');
      return { body: await optOut(deps, programId, clientId) };
    },
  },
  optIn: {
    method: 'POST',
    path: '/programs/{programId}/clients/{clientId}/opt-in',
    roles: [...staff],
    body: consentSchema,
    async run(deps, req) {
      const { programId, clientId } = parse(clientPath, req.params, 'path');
      const consent = parse(consentSchema, req.body, 'body');
      return { body: await optIn(deps, programId, clientId, consent) };
    },
  },
  discharge: {
    method: 'POST',
    path: '/programs/{programId}/clients/{clientId}/discharge',
    roles: [...staff],
    body: dischargeBody,
    async run(deps, req) {
      const { programId, clientId } = parse(clientPath, req.params, 'path');
      const { status } = parse(dischargeBody, req.body, 'body');
      return { body: await endEnrolment(deps, programId, clientId, status) };
    },
  },
  list: {
    method: 'GET',
    path: '/programs/{programId}/clients',
    roles: [...staff],
    query: clientsQuery,
    async run(deps, req) {
      const { programId } = parse(programPath, req.params, 'path');
      const query = parse(clientsQuery, req.query, 'query');
      const filter = { status: query.status, track: query.track };
      return { body: pageBody('clients', await listClients(deps, programId, filter, pageOf(query))) };
    },
  },
} satisfies Record<string, Route>;
