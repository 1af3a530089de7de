import * as z from 'zod';
import { boundedDateSchema, entityIdSchema } from '../../../domain/common.schema.ts';
import { screenResultSchema, screenSchema } from '../../../domain/screen.schema.ts';
import {
  getVerifiedDraw,
  programScreensReport,
  recordStaffScreenResult,
} from '../../../use-cases/screens.ts';
import { defineRoute } from '../http.ts';
import { screensReport, verifiedDraw } from '../responses.ts';
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
  recordResult: defineRoute({
    method: 'POST',
    path: '/programs/{programId}/screens/results',
    roles: staff,
    params: programPath,
    body: screenResultBody,
    status: 201,
    response: screenSchema,
    run: (deps, { params, body }) => recordStaffScreenResult(deps, { programId: params.programId, ...body }),
  }),
  report: defineRoute({
    method: 'GET',
    path: '/programs/{programId}/screens/report',
    roles: staff,
    params: programPath,
    query: dateRange,
    response: screensReport,
    run: (deps, { params, query }) => programScreensReport(deps, params.programId, query.from, query.to),
  }),
  draw: defineRoute({
    method: 'GET',
    path: '/programs/{programId}/screens/draws/{date}',
    roles: staff,
    params: drawPath,
    response: verifiedDraw,
    run: (deps, { params }) => getVerifiedDraw(deps, params.programId, params.date),
  }),
};
