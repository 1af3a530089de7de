/**
 * Sign-in and the session. Two modes, told by /config.json: `local` (npm start: pick a role and
 * programs; the API reads them from the x-cadence-caller header, which the Lambda never reads) and
 * `cognito` (AWS: Cognito managed login, authorization code with PKCE, the ID token as bearer).
 * The session lives in sessionStorage (gone with the tab) and ends after inactivity.
 */
export type AppConfig =
  | { mode: 'local'; idleMinutes?: number }
  | { mode: 'cognito'; domain: string; clientId: string; idleMinutes?: number };

export type Session =
  | { kind: 'local'; caller: string; role: 'admin' | 'clinician'; programs: string[] }
  | {
      kind: 'cognito';
      idToken: string;
      expiresAt: number;
      role: 'admin' | 'clinician';
      programs: string[] | 'all';
    };

const SESSION_KEY = 'cadence.session';
const ACTIVE_KEY = 'cadence.active';
const VERIFIER_KEY = 'cadence.pkce';
const RETURN_KEY = 'cadence.return';
export const DEFAULT_IDLE_MINUTES = 15;

let config: AppConfig | undefined;

export async function loadConfig(): Promise<AppConfig> {
  if (config) return config;
  const res = await fetch('/config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`config.json: ${res.status}`);
  config = (await res.json()) as AppConfig;
  return config;
}

export const idleMs = (c: AppConfig) => (c.idleMinutes ?? DEFAULT_IDLE_MINUTES) * 60_000;

export function currentSession(): Session | undefined {
  const raw = sessionStorage.getItem(SESSION_KEY);
  if (!raw) return undefined;
  const session = JSON.parse(raw) as Session;
  const last = Number(sessionStorage.getItem(ACTIVE_KEY) ?? 0);
  const expired = session.kind === 'cognito' && session.expiresAt < Date.now();
  if (expired || (config && Date.now() - last > idleMs(config))) {
    signOutLocally();
    return undefined;
  }
  return session;
}

export function touch(): void {
  sessionStorage.setItem(ACTIVE_KEY, String(Date.now()));
}

function start(session: Session): void {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  touch();
}

export function signOutLocally(): void {
  sessionStorage.removeItem(SESSION_KEY);
  sessionStorage.removeItem(ACTIVE_KEY);
}

/** Where to go after sign-in: the page an alert link opened (ids only, no PHI in the path). */
export function rememberReturn(path: string): void {
  if (
    path.startsWith('/') &&
    !path.startsWith('//') &&
    !path.startsWith('/signin') &&
    !path.startsWith('/auth')
  )
    sessionStorage.setItem(RETURN_KEY, path);
}
export function takeReturn(): string {
  const path = sessionStorage.getItem(RETURN_KEY) ?? '/';
  sessionStorage.removeItem(RETURN_KEY);
  return path;
}

export function signInLocal(role: 'admin' | 'clinician', programs: string[]): void {
  const caller = role === 'admin' ? 'admin' : `clinician:${programs.join(',')}`;
  start({ kind: 'local', caller, role, programs });
}

/** The headers that carry the session to the API. */
export function authHeaders(session: Session): Record<string, string> {
  return session.kind === 'local'
    ? { 'x-cadence-caller': session.caller }
    : { authorization: `Bearer ${session.idToken}` };
}

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

const redirectUri = () => `${location.origin}/auth/callback`;

/** Sends the browser to Cognito managed login (code flow, PKCE S256, a state against CSRF). */
export async function signInWithCognito(c: Extract<AppConfig, { mode: 'cognito' }>): Promise<void> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem(VERIFIER_KEY, JSON.stringify({ verifier, state }));
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  const url = new URL(`https://${c.domain}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: c.clientId,
    redirect_uri: redirectUri(),
    scope: 'openid email profile',
    code_challenge_method: 'S256',
    code_challenge: challenge,
    state,
  }).toString();
  location.assign(url.toString());
}

function claimsOf(idToken: string): Record<string, unknown> {
  const payload = idToken.split('.')[1] ?? '';
  return JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
}

/** The callback: trades the code (with the verifier) for tokens; the API verifies the ID token. */
export async function completeCognitoSignIn(
  c: Extract<AppConfig, { mode: 'cognito' }>,
  params: URLSearchParams,
): Promise<void> {
  const saved = JSON.parse(sessionStorage.getItem(VERIFIER_KEY) ?? '{}') as {
    verifier?: string;
    state?: string;
  };
  sessionStorage.removeItem(VERIFIER_KEY);
  const code = params.get('code');
  if (!code || !saved.verifier || params.get('state') !== saved.state)
    throw new Error('sign-in was not completed');
  const res = await fetch(`https://${c.domain}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: c.clientId,
      code,
      redirect_uri: redirectUri(),
      code_verifier: saved.verifier,
    }),
  });
  if (!res.ok) throw new Error('sign-in failed; try again');
  const { id_token: idToken } = (await res.json()) as { id_token: string };
  const claims = claimsOf(idToken);
  const groups = (claims['cognito:groups'] as string[] | undefined) ?? [];
  const role = groups.includes('admin') ? 'admin' : 'clinician';
  const programs = String(claims['custom:programs'] ?? '')
    .split(',')
    .filter(Boolean);
  start({
    kind: 'cognito',
    idToken,
    expiresAt: Number(claims.exp) * 1000,
    role,
    programs: role === 'admin' ? 'all' : programs,
  });
}

export function cognitoLogoutUrl(c: Extract<AppConfig, { mode: 'cognito' }>): string {
  const url = new URL(`https://${c.domain}/logout`);
  url.search = new URLSearchParams({
    client_id: c.clientId,
    logout_uri: `${location.origin}/signin`,
  }).toString();
  return url.toString();
}
