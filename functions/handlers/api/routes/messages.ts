import { listClientReplies } from '../../../use-cases/inbound-sms.ts';
import { defineRoute } from '../http.ts';
import { messagePage } from '../responses.ts';
import { clientPath, listQuery, pageBody, pageOf, staff } from './common.ts';

/**
 * What a client texted: every reply, newest first, with the keyword it was read as, its text (staff
 * read it here, never in an alert) and, for a confirmation, the session it confirmed.
 */
export const messageRoutes = {
  listForClient: defineRoute({
    method: 'GET',
    path: '/programs/{programId}/clients/{clientId}/messages',
    roles: staff,
    params: clientPath,
    query: listQuery,
    response: messagePage,
    run: async (deps, { params, query }) =>
      pageBody('messages', await listClientReplies(deps, params.programId, params.clientId, pageOf(query))),
  }),
};
