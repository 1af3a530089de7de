import { programSchema } from '../../../domain/program.schema.ts';
import {
  createProgram,
  deleteProgram,
  getProgram,
  listVisiblePrograms,
  updateProgram,
} from '../../../use-cases/programs.ts';
import { HttpError, parse, type Route } from '../http.ts';
import { listQuery, pageBody, pageOf, programPath, staff } from './common.ts';

/** Programs: their settings (admins), and the list a user starts from. */
export const programRoutes = {
  create: {
    method: 'POST',
    path: '/programs',
    roles: ['admin'],
    body: programSchema,
    async run(deps, req) {
      return { status: 201, body: await createProgram(deps, parse(programSchema, req.body, 'body')) };
    },
  },
  get: {
    method: 'GET',
    path: '/programs/{programId}',
    roles: [...staff],
    async run(deps, req) {
      const { programId } = parse(programPath, req.params, 'path');
      return { body: await getProgram(deps, programId) };
    },
  },
  replace: {
    method: 'PUT',
    path: '/programs/{programId}',
    roles: ['admin'],
    body: programSchema,
    async run(deps, req) {
      const { programId } = parse(programPath, req.params, 'path');
      const program = parse(programSchema, req.body, 'body');
      if (program.id !== programId) throw new HttpError(400, 'body.id: must match the path');
      return { body: await updateProgram(deps, program) };
    },
  },
  remove: {
    method: 'DELETE',
    path: '/programs/{programId}',
    roles: ['admin'],
    async run(deps, req) {
      return { body: await deleteProgram(deps, parse(programPath, req.params, 'path').programId) };
    },
  },
  list: {
    method: 'GET',
    path: '/programs',
    roles: [...staff],
    query: listQuery,
    async run(deps, req) {
      const query = parse(listQuery, req.query, 'query');
      // A clinician sees only their programs.
      return {
        body: pageBody('programs', await listVisiblePrograms(deps, req.caller.programs, pageOf(query))),
      };
    },
  },
} satisfies Record<string, Route>;
