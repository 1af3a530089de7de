import { defineRoute } from '../http.ts';
import { whoAmI } from '../responses.ts';
import { staff } from './common.ts';

/** Who am I: the caller's subject, roles and programs (issue 13). */
export const meRoutes = {
  get: defineRoute({
    method: 'GET',
    path: '/me',
    roles: staff,
    response: whoAmI,
    run: async (_deps, { caller: { subject, roles, programs } }) => ({ subject, roles, programs }),
  }),
};
