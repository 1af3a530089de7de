import * as z from 'zod';
import { flagRuleSchema, flagSchema } from '../../../domain/flag.schema.ts';
import { acknowledgeFlag, getFlagWithAudit, listOpenFlags, resolveFlag } from '../../../use-cases/flags.ts';
import { defineRoute } from '../http.ts';
import { flagPage, flagWithAudit } from '../responses.ts';
import { flagPath, pageBody, pageOf, pageQuery, programPath, staff } from './common.ts';

const flagsQuery = z
  .object({
    severity: z.enum(['warning', 'critical']).optional(),
    rule: flagRuleSchema.optional(),
    ...pageQuery.shape,
  })
  .strict();
const resolveBody = z.object({ note: z.string().min(1).max(500) }).strict();

/** Flags (issue 6): the open-flag queue and each flag's audit trail. */
export const flagRoutes = {
  list: defineRoute({
    method: 'GET',
    path: '/programs/{programId}/flags',
    roles: staff,
    params: programPath,
    query: flagsQuery,
    response: flagPage,
    run: async (deps, { params, query }) =>
      pageBody(
        'flags',
        await listOpenFlags(
          deps,
          params.programId,
          { severity: query.severity, rule: query.rule },
          pageOf(query),
        ),
      ),
  }),
  get: defineRoute({
    method: 'GET',
    path: '/programs/{programId}/flags/{flagId}',
    roles: staff,
    params: flagPath,
    response: flagWithAudit,
    run: (deps, { params }) => getFlagWithAudit(deps, params.programId, params.flagId),
  }),
  acknowledge: defineRoute({
    method: 'POST',
    path: '/programs/{programId}/flags/{flagId}/acknowledge',
    roles: staff,
    params: flagPath,
    response: flagSchema,
    run: (deps, { params, caller }) => acknowledgeFlag(deps, params.programId, params.flagId, caller.subject),
  }),
  resolve: defineRoute({
    method: 'POST',
    path: '/programs/{programId}/flags/{flagId}/resolve',
    roles: staff,
    params: flagPath,
    body: resolveBody,
    response: flagSchema,
    run: (deps, { params, body, caller }) =>
      resolveFlag(deps, params.programId, params.flagId, caller.subject, body.note),
  }),
};
