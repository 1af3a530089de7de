import * as z from 'zod';
import { boundedDateSchema, entityIdSchema } from '../../../domain/common.schema.ts';
import { screenResultSchema } from '../../../domain/screen.schema.ts';
import {
  getVerifiedDraw,
  programScreensReport,
  recordStaffScreenResult,
} from '../../../use-cases/screens.ts';
import { parse, type Route } from '../http.ts';
import { drawPath, programPath, staff } from './common.ts';

const screenResultBody = z
  .object({
    clientId: entityIdSchema,
    date: boundedDateSchema,
    result: screenResultSchema,
  })
  .strict();
const dateRange = z
  .object({ from: boundedDateSchema, to: boundedDateSchema })
  .strict()
  .refine((r) => r.from <= r.to, { error: 'expected from on or before to', path: ['from'] });

/** Screens (issue 5): results, the fairness report, and each day's draw. */
export const screenRoutes = {
  recordResult: {
    method: 'POST',
    path: '/programs/{programId}/screens/results',
    roles: [...staff],
    body: screenResultBody,
    async run(deps, req) {
      const { programId } = parse(programPath, req.params, 'path');
      const input = parse(screenResultBody, req.body, 'body');
      return { status: 201, body: await recordStaffScreenResult(deps, { programId, ...input }) };
    },
  },
  report: {
    method: 'GET',
    path: '/programs/{programId}/screens/report',
    roles: [...staff],
    query: dateRange,
    async run(deps, req) {
      const { programId } = parse(programPath, req.params, 'path');
      const { from, to } = parse(dateRange, req.query, 'query');
      return { body: await programScreensReport(deps, programId, from, to) };
    },
  },
  draw: {
    method: 'GET',
    path: '/programs/{programId}/screens/draws/{date}',
    roles: [...staff],
    async run(deps, req) {
      const { programId, date } = parse(drawPath, req.params, 'path');
      return { body: await getVerifiedDraw(deps, programId, date) };
    },
  },
} satisfies Record<string, Route>;
