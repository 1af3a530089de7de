import type { Route } from '../http.ts';
import { staff } from './common.ts';

/** Who am I: the caller's subject, roles and programs (issue 13). */
export const meRoutes = {
  get: {
    method: 'GET',
    path: '/me',
    roles: [...staff],
    async run(_deps, req) {
      const { subject, roles, programs } = req.caller;
      return { body: { subject, roles, programs } };
    },
  },
} satisfies Record<string, Route>;
