import createClient, { type Middleware } from 'openapi-fetch';
import { authHeaders, currentSession, touch } from '../auth.ts';
import type { paths } from './openapi.d.ts';

/** One field's message from the API's 400: `body.phone` → `expected E.164 like +12025550101`. */
export interface Issue {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super(message);
  }
  /** The same error with the issues under `body.<prefix>.` moved to `body.` (a nested body's form). */
  unnest(prefix: string): ApiError {
    const issues = this.issues.map((i) => ({ ...i, field: i.field.replace(`body.${prefix}.`, 'body.') }));
    return new ApiError(this.status, this.message, issues);
  }
  /** The message for a form field (`phone` matches `body.phone` and `body.phone.x`). */
  fieldMessage(field: string): string | undefined {
    return this.issues.find((i) => i.field === `body.${field}` || i.field.startsWith(`body.${field}.`))
      ?.message;
  }
}

/** Fired when the API says the session is no longer good (401): the app goes back to sign-in. */
export const onUnauthorized = new EventTarget();

const auth: Middleware = {
  onRequest({ request }) {
    const session = currentSession();
    // Signed out (or idle too long): nothing leaves without a session; the app goes to sign-in.
    if (!session) {
      onUnauthorized.dispatchEvent(new Event('401'));
      throw new ApiError(401, 'You are signed out.');
    }
    for (const [k, v] of Object.entries(authHeaders(session))) request.headers.set(k, v);
    touch();
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) onUnauthorized.dispatchEvent(new Event('401'));
    return response;
  },
};

/** The typed API client: same origin, under /api (CloudFront in AWS, the local server with npm start). */
export const api = createClient<paths>({ baseUrl: '/api' });
api.use(auth);

/** The data of an openapi-fetch answer, or an ApiError carrying the API's message and field issues. */
export function data<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || result.data === undefined) {
    const e = (result.error ?? {}) as { message?: string; issues?: Issue[] };
    throw new ApiError(result.response.status, e.message ?? `HTTP ${result.response.status}`, e.issues ?? []);
  }
  return result.data;
}
