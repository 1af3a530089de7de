import type { Route } from './http.ts';
import { appRoutes } from './routes/app.ts';
import { clientRoutes } from './routes/clients.ts';
import { clinicianRoutes } from './routes/clinicians.ts';
import { flagRoutes } from './routes/flags.ts';
import { meRoutes } from './routes/me.ts';
import { messageRoutes } from './routes/messages.ts';
import { programRoutes } from './routes/programs.ts';
import { screenRoutes } from './routes/screens.ts';
import { sessionRoutes } from './routes/sessions.ts';

export { clientUpdateSchema, enrolmentSchema } from './routes/clients.ts';

/**
 * The HTTP API: every route parses its input with zod (invalid input is a 400 naming the field)
 * and calls one use case. The routes live by resource in routes/; this table lists them in the
 * order they were added, which is the order docs/openapi.json lists the paths in and the `Allow`
 * header of a 405 lists the methods in.
 */
export const routes: Route[] = [
  programRoutes.create,
  programRoutes.get,
  programRoutes.replace,
  programRoutes.remove,
  clinicianRoutes.put,
  clientRoutes.enrol,
  clientRoutes.get,
  clientRoutes.update,
  sessionRoutes.list,
  sessionRoutes.listForClient,
  sessionRoutes.attendance,
  sessionRoutes.checkIn,
  sessionRoutes.cancel,
  sessionRoutes.reschedule,
  clientRoutes.consent,
  clientRoutes.optOut,
  clientRoutes.optIn,
  clientRoutes.discharge,
  screenRoutes.recordResult,
  screenRoutes.report,
  screenRoutes.draw,
  flagRoutes.list,
  flagRoutes.get,
  flagRoutes.acknowledge,
  flagRoutes.resolve,
  meRoutes.get,
  programRoutes.list,
  clientRoutes.list,
  clinicianRoutes.list,
  messageRoutes.listForClient,
  appRoutes.timeline,
  appRoutes.previewWeek,
];

// Every route of every resource file is in the table, once.
const defined = [
  programRoutes,
  clinicianRoutes,
  clientRoutes,
  sessionRoutes,
  screenRoutes,
  flagRoutes,
  meRoutes,
  messageRoutes,
  appRoutes,
].flatMap((group) => Object.values(group) as Route[]);
if (defined.length !== routes.length || defined.some((r) => !routes.includes(r)))
  throw new Error('routes.ts: the route table misses a route of routes/');
