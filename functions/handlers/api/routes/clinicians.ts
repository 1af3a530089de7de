import { clinicianSchema } from '../../../domain/clinician.schema.ts';
import { listClinicians, putClinician } from '../../../use-cases/programs.ts';
import { HttpError, parse, type Route } from '../http.ts';
import { clinicianPath, listQuery, pageBody, pageOf, programPath, staff } from './common.ts';

/** A program's clinicians. */
export const clinicianRoutes = {
  put: {
    method: 'PUT',
    path: '/programs/{programId}/clinicians/{clinicianId}',
    roles: ['admin'],
    body: clinicianSchema,
    async run(deps, req) {
      const { programId, clinicianId } = parse(clinicianPath, req.params, 'path');
      const clinician = parse(clinicianSchema, req.body, 'body');
      if (clinician.id !== clinicianId) throw new HttpError(400, 'body.id: must match the path');
      return { body: await putClinician(deps, programId, clinician) };
    },
  },
  list: {
    method: 'GET',
    path: '/programs/{programId}/clinicians',
    roles: [...staff],
    query: listQuery,
    async run(deps, req) {
      const { programId } = parse(programPath, req.params, 'path');
      const query = parse(listQuery, req.query, 'query');
      return { body: pageBody('clinicians', await listClinicians(deps, programId, pageOf(query))) };
    },
  },
} satisfies Record<string, Route>;
