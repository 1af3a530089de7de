import { clinicianSchema } from '../../../domain/clinician.schema.ts';
import { listClinicians, putClinician } from '../../../use-cases/programs.ts';
import { defineRoute, HttpError } from '../http.ts';
import { clinicianPage } from '../responses.ts';
import { clinicianPath, listQuery, pageBody, pageOf, programPath, staff } from './common.ts';

/** A program's clinicians. */
export const clinicianRoutes = {
  put: defineRoute({
    method: 'PUT',
    path: '/programs/{programId}/clinicians/{clinicianId}',
    roles: ['admin'],
    params: clinicianPath,
    body: clinicianSchema,
    response: clinicianSchema,
    run(deps, { params, body }) {
      if (body.id !== params.clinicianId) throw new HttpError(400, 'body.id: must match the path');
      return putClinician(deps, params.programId, body);
    },
  }),
  list: defineRoute({
    method: 'GET',
    path: '/programs/{programId}/clinicians',
    roles: staff,
    params: programPath,
    query: listQuery,
    response: clinicianPage,
    run: async (deps, { params, query }) =>
      pageBody('clinicians', await listClinicians(deps, params.programId, pageOf(query))),
  }),
};
