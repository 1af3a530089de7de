import { listClientReplies } from '../../../use-cases/inbound-sms.ts';
import { parse, type Route } from '../http.ts';
import { clientPath, listQuery, pageBody, pageOf, staff } from './common.ts';

/**
 * What a client texted: every reply, newest first, with the keyword it was read as, its text (staff
 * read it here, never in an alert) and, for a confirmation, the session it confirmed.
 */
export const messageRoutes = {
  listForClient: {
    method: 'GET',
    path: '/programs/{programId}/clients/{clientId}/messages',
    roles: [...staff],
    query: listQuery,
    async run(deps, req) {
      const { programId, clientId } = parse(clientPath, req.params, 'path');
      const query = parse(listQuery, req.query, 'query');
      return {
        body: pageBody('messages', await listClientReplies(deps, programId, clientId, pageOf(query))),
      };
    },
  },
} satisfies Record<string, Route>;
