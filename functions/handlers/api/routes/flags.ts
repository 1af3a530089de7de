import * as z from 'zod';
import { flagRuleSchema } from '../../../domain/flag.schema.ts';
import { acknowledgeFlag, getFlagWithAudit, listOpenFlags, resolveFlag } from '../../../use-cases/flags.ts';
import { parse, type Route } from '../http.ts';
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
  list: {
    method: 'GET',
    path: '/programs/{programId}/flags',
    roles: [...staff],
    query: flagsQuery,
    async run(deps, req) {
      const { programId } = parse(programPath, req.params, 'path');
      const query = parse(flagsQuery, req.query, 'query');
      const filter = { severity: query.severity, rule: query.rule };
      return { body: pageBody('flags', await listOpenFlags(deps, programId, filter, pageOf(query))) };
    },
  },
  get: {
    method: 'GET',
    path: '/programs/{programId}/flags/{flagId}',
    roles: [...staff],
    async run(deps, req) {
      const { programId, flagId } = parse(flagPath, req.params, 'path');
      return { body: await getFlagWithAudit(deps, programId, flagId) };
    },
  },
  acknowledge: {
    method: 'POST',
    path: '/programs/{programId}/flags/{flagId}/acknowledge',
    roles: [...staff],
    async run(deps, req) {
      const { programId, flagId } = parse(flagPath, req.params, 'path');
      return { body: await acknowledgeFlag(deps, programId, flagId, req.caller.subject) };
    },
  },
  resolve: {
    method: 'POST',
    path: '/programs/{programId}/flags/{flagId}/resolve',
    roles: [...staff],
    body: resolveBody,
    async run(deps, req) {
      const { programId, flagId } = parse(flagPath, req.params, 'path');
      const { note } = parse(resolveBody, req.body, 'body');
      return { body: await resolveFlag(deps, programId, flagId, req.caller.subject, note) };
    },
  },
} satisfies Record<string, Route>;
