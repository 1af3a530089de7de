import * as z from 'zod';
import {
  boundedDateSchema,
  boundedInstantSchema,
  isoWeekSchema,
  utcInstantSchema,
} from '../../../domain/common.schema.ts';
import { attendanceStatusSchema, sessionSchema } from '../../../domain/session.schema.ts';
import { addDays } from '../../../domain/zoned-time.ts';
import { recordStaffAttendance } from '../../../use-cases/attendance.ts';
import { cancelSessionById, moveSession } from '../../../use-cases/session-changes.ts';
import { listClientSessions, listProgramSessions } from '../../../use-cases/session-lists.ts';
import { defineRoute } from '../http.ts';
import { clientSessions, programSessions } from '../responses.ts';
import { clientPath, pageOf, pageQuery, programPath, sessionPath, staff } from './common.ts';

/** The longest date range one session listing may span. */
const MAX_RANGE_DAYS = 92;

const weekQuery = z
  .object({
    week: isoWeekSchema.optional(),
    from: boundedDateSchema.optional(),
    to: boundedDateSchema.optional(),
    ...pageQuery.shape,
  })
  .strict()
  .refine((q) => (q.week ? !q.from && !q.to : q.from && q.to), {
    error: 'expected either week, or from and to (local dates)',
    path: ['week'],
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, {
    error: 'expected from on or before to',
    path: ['from'],
  })
  .refine((q) => !q.from || !q.to || addDays(q.from, MAX_RANGE_DAYS - 1) >= q.to, {
    error: `expected at most ${MAX_RANGE_DAYS} days from from to to`,
    path: ['to'],
  });
const rangeQuery = z
  .object({ from: utcInstantSchema.optional(), to: utcInstantSchema.optional() })
  .strict()
  .refine((r) => !r.from || !r.to || r.from <= r.to, {
    error: 'expected from on or before to',
    path: ['from'],
  });
const attendanceBody = z.object({ status: attendanceStatusSchema }).strict();
const rescheduleBody = z.object({ start: boundedInstantSchema }).strict();

/** Sessions: the schedule, attendance, cancelling and moving. */
export const sessionRoutes = {
  list: defineRoute({
    method: 'GET',
    path: '/programs/{programId}/sessions',
    roles: staff,
    params: programPath,
    query: weekQuery,
    response: programSessions,
    run: (deps, { params, query }) =>
      listProgramSessions(
        deps,
        params.programId,
        // The schema makes sure of either week, or from and to.
        query.week ? { week: query.week } : { from: query.from!, to: query.to!, page: pageOf(query) },
      ),
  }),
  listForClient: defineRoute({
    method: 'GET',
    path: '/programs/{programId}/clients/{clientId}/sessions',
    roles: staff,
    params: clientPath,
    query: rangeQuery,
    response: clientSessions,
    run: (deps, { params, query }) => listClientSessions(deps, params.programId, params.clientId, query),
  }),
  attendance: defineRoute({
    method: 'POST',
    path: '/programs/{programId}/sessions/{sessionId}/attendance',
    roles: staff,
    params: sessionPath,
    body: attendanceBody,
    response: sessionSchema,
    run: (deps, { params, body }) => recordStaffAttendance(deps, { ...params, status: body.status }),
  }),
  checkIn: defineRoute({
    method: 'POST',
    path: '/programs/{programId}/sessions/{sessionId}/check-in',
    roles: staff,
    params: sessionPath,
    response: sessionSchema,
    run: (deps, { params }) => recordStaffAttendance(deps, { ...params, status: 'present' }),
  }),
  cancel: defineRoute({
    method: 'POST',
    path: '/programs/{programId}/sessions/{sessionId}/cancel',
    roles: staff,
    params: sessionPath,
    response: sessionSchema,
    run: (deps, { params }) => cancelSessionById(deps, params.programId, params.sessionId),
  }),
  reschedule: defineRoute({
    method: 'POST',
    path: '/programs/{programId}/sessions/{sessionId}/reschedule',
    roles: staff,
    params: sessionPath,
    body: rescheduleBody,
    response: sessionSchema,
    run: (deps, { params, body }) => moveSession(deps, { ...params, start: body.start }),
  }),
};
