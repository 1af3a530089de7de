import { programSchema } from '../../../domain/program.schema.ts';
import {
  createProgram,
  deleteProgram,
  getProgram,
  listVisiblePrograms,
  updateProgram,
} from '../../../use-cases/programs.ts';
import { defineRoute, HttpError } from '../http.ts';
import { programPage } from '../responses.ts';
import { listQuery, pageBody, pageOf, programPath, staff } from './common.ts';

/** Programs: their settings (admins), and the list a user starts from. */
export const programRoutes = {
  create: defineRoute({
    method: 'POST',
    path: '/programs',
    roles: ['admin'],
    body: programSchema,
    status: 201,
    response: programSchema,
    run: (deps, { body }) => createProgram(deps, body),
  }),
  get: defineRoute({
    method: 'GET',
    path: '/programs/{programId}',
    roles: staff,
    params: programPath,
    response: programSchema,
    run: (deps, { params }) => getProgram(deps, params.programId),
  }),
  replace: defineRoute({
    method: 'PUT',
    path: '/programs/{programId}',
    roles: ['admin'],
    params: programPath,
    body: programSchema,
    response: programSchema,
    run(deps, { params, body }) {
      if (body.id !== params.programId) throw new HttpError(400, 'body.id: must match the path');
      return updateProgram(deps, body);
    },
  }),
  remove: defineRoute({
    method: 'DELETE',
    path: '/programs/{programId}',
    roles: ['admin'],
    params: programPath,
    response: programSchema,
    run: (deps, { params }) => deleteProgram(deps, params.programId),
  }),
  list: defineRoute({
    method: 'GET',
    path: '/programs',
    roles: staff,
    query: listQuery,
    response: programPage,
    // A clinician sees only their programs.
    run: async (deps, { query, caller }) =>
      pageBody('programs', await listVisiblePrograms(deps, caller.programs, pageOf(query))),
  }),
};
