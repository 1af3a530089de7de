import * as z from 'zod';
import { clientSchema, clientStatusSchema, consentSchema } from '../../../domain/client.schema.ts';
import { entityIdSchema, weeklyWindowSchema } from '../../../domain/common.schema.ts';
import { dialablePhoneSchema } from '../../../domain/phone.schema.ts';
import { endEnrolment, optIn, optOut, recordConsent } from '../../../use-cases/client-lifecycle.ts';
import { enrolNewClient, getClient, listClients, updateClient } from '../../../use-cases/clients.ts';
import { defineRoute } from '../http.ts';
import { clientPage, enrolled } from '../responses.ts';
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
  enrol: defineRoute({
    method: 'POST',
    path: '/programs/{programId}/clients',
    roles: staff,
    params: programPath,
    body: enrolmentSchema,
    status: 201,
    response: enrolled,
    run: (deps, { params, body }) => enrolNewClient(deps, params.programId, body),
  }),
  get: defineRoute({
    method: 'GET',
    path: '/programs/{programId}/clients/{clientId}',
    roles: staff,
    params: clientPath,
    response: clientSchema,
    run: (deps, { params }) => getClient(deps, params.programId, params.clientId),
  }),
  update: defineRoute({
    method: 'PATCH',
    path: '/programs/{programId}/clients/{clientId}',
    roles: staff,
    params: clientPath,
    body: clientUpdateSchema,
    response: clientSchema,
    run: (deps, { params, body }) => updateClient(deps, params.programId, params.clientId, body),
  }),
  consent: defineRoute({
    method: 'POST',
    path: '/programs/{programId}/clients/{clientId}/consent',
    roles: staff,
    params: clientPath,
    body: consentSchema,
    response: clientSchema,
    run: (deps, { params, body }) => recordConsent(deps, params.programId, params.clientId, body),
  }),
  optOut: defineRoute({
    method: 'POST',
    path: '/programs/{programId}/clients/{clientId}/opt-out',
    roles: staff,
    params: clientPath,
    response: clientSchema,
    run: (deps, { params }) => optOut(deps, params.programId, params.clientId),
  }),
  optIn: defineRoute({
    method: 'POST',
    path: '/programs/{programId}/clients/{clientId}/opt-in',
    roles: staff,
    params: clientPath,
    body: consentSchema,
    response: clientSchema,
    run: (deps, { params, body }) => optIn(deps, params.programId, params.clientId, body),
  }),
  discharge: defineRoute({
    method: 'POST',
    path: '/programs/{programId}/clients/{clientId}/discharge',
    roles: staff,
    params: clientPath,
    body: dischargeBody,
    response: clientSchema,
    run: (deps, { params, body }) => endEnrolment(deps, params.programId, params.clientId, body.status),
  }),
  list: defineRoute({
    method: 'GET',
    path: '/programs/{programId}/clients',
    roles: staff,
    params: programPath,
    query: clientsQuery,
    response: clientPage,
    run: async (deps, { params, query }) =>
      pageBody(
        'clients',
        await listClients(
          deps,
          params.programId,
          { status: query.status, track: query.track },
          pageOf(query),
        ),
      ),
  }),
};
