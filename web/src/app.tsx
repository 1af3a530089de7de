import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link, Redirect, Route, Switch, useLocation, useParams } from 'wouter';
import { api, data, onUnauthorized } from './api/client.ts';
import {
  type AppConfig,
  cognitoLogoutUrl,
  currentSession,
  idleMs,
  rememberReturn,
  type Session,
  signOutLocally,
} from './auth.ts';
import { ClientPage } from './pages/client.tsx';
import { EnrolPage } from './pages/enrol.tsx';
import { FlagPage } from './pages/flag.tsx';
import { FlagsPage } from './pages/flags.tsx';
import { ScreensPage } from './pages/screens.tsx';
import { SettingsPage } from './pages/settings.tsx';
import { AuthCallback, SignIn } from './pages/sign-in.tsx';
import { TodayPage } from './pages/today.tsx';
import { ErrorNote, Loading } from './ui.tsx';

/**
 * Routes hold ids only (no names, phone numbers or results): an alert's link
 * `/programs/{programId}/clients/{clientId}` is a page here, opened after sign-in.
 */
export function App({ config }: { config: AppConfig }) {
  const [location, navigate] = useLocation();
  const [session, setSession] = useState<Session | undefined>(() => currentSession());
  const queryClient = useQueryClient();

  const signOut = (why?: 'idle' | 'expired') => {
    signOutLocally();
    // Where the user was, to come back to after signing in again (ids only).
    if (why) rememberReturn(location);
    // Cognito's own session ends too when the user signs out on purpose.
    if (config.mode === 'cognito' && !why) window.location.assign(cognitoLogoutUrl(config));
    else navigate(why ? `/signin?ended=${why}` : '/signin');
    queryClient.clear();
    setSession(undefined);
  };

  // The listeners are registered once and call the latest signOut: re-registering on every render
  // would leave a gap in which a page's first API call (its 401) finds nobody listening.
  const signOutRef = useRef(signOut);
  signOutRef.current = signOut;
  const signedIn = session !== undefined;

  // The session ends after inactivity: checked every 15 s and on every API call.
  useEffect(() => {
    if (!signedIn) return;
    const timer = setInterval(
      () => {
        if (!currentSession()) signOutRef.current('idle');
      },
      Math.min(15_000, idleMs(config) / 4),
    );
    const onActivity = () => currentSession() && sessionStorage.setItem('cadence.active', String(Date.now()));
    const events = ['pointerdown', 'keydown'] as const;
    for (const e of events) window.addEventListener(e, onActivity);
    const on401 = () => signOutRef.current('expired');
    onUnauthorized.addEventListener('401', on401);
    return () => {
      clearInterval(timer);
      for (const e of events) window.removeEventListener(e, onActivity);
      onUnauthorized.removeEventListener('401', on401);
    };
  }, [signedIn, config]);

  if (location === '/signin' || location === '/auth/callback') {
    return (
      <Switch>
        <Route path="/signin">
          <SignIn config={config} onSignedIn={(s) => setSession(s)} />
        </Route>
        <Route path="/auth/callback">
          <AuthCallback config={config} onSignedIn={(s) => setSession(s)} />
        </Route>
      </Switch>
    );
  }
  if (!session) {
    rememberReturn(location);
    return <Redirect to="/signin" />;
  }
  return (
    <Switch>
      <Route path="/">
        <Home />
      </Route>
      <Route path="/programs/:programId" nest>
        <Shell session={session} onSignOut={() => signOut()} />
      </Route>
      <Route>
        <main id="main">
          <h1>Not found</h1>
          <Link href="/">Go to Today</Link>
        </main>
      </Route>
    </Switch>
  );
}

function Home() {
  const programs = useQuery({
    queryKey: ['programs'],
    queryFn: async () => data(await api.GET('/programs')),
  });
  if (programs.isPending) return <Loading what="your programs" />;
  if (programs.isError)
    return (
      <main id="main">
        <h1>Your programs could not be read</h1>
        <ErrorNote error={programs.error} />
        <button type="button" onClick={() => void programs.refetch()}>
          Try again
        </button>
      </main>
    );
  const first = programs.data?.programs[0];
  if (!first)
    return (
      <main id="main">
        <h1>No program</h1>
        <p>You have no program yet. An administrator can add you to one.</p>
      </main>
    );
  return <Redirect to={`/programs/${first.id}/today`} />;
}

function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const { programId } = useParams<{ programId: string }>();
  const [, navigate] = useLocation();
  const programs = useQuery({
    queryKey: ['programs'],
    queryFn: async () => data(await api.GET('/programs')),
  });
  const isAdmin = session.role === 'admin';
  const tabs = [
    ['today', 'Today'],
    ['flags', 'Flags'],
    ['screens', 'Screens'],
    ['enrol', 'Enrol'],
    ...(isAdmin ? [['settings', 'Settings']] : []),
  ] as const;
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Cadence</span>
        <label className="program-pick">
          <span className="visually-hidden">Program</span>
          <select
            value={programId}
            onChange={(e) => navigate(`~/programs/${e.target.value}/today`)}
            aria-label="Program"
          >
            {(programs.data?.programs ?? [{ id: programId, name: programId }]).map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="link" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <Switch>
        <Route path="/today">
          <TodayPage programId={programId} />
        </Route>
        <Route path="/flags">
          <FlagsPage programId={programId} />
        </Route>
        <Route path="/flags/:flagId">{(p) => <FlagPage programId={programId} flagId={p.flagId} />}</Route>
        <Route path="/clients/:clientId">
          {(p) => <ClientPage programId={programId} clientId={p.clientId} session={session} />}
        </Route>
        <Route path="/enrol">
          <EnrolPage programId={programId} />
        </Route>
        <Route path="/screens">
          <ScreensPage programId={programId} session={session} />
        </Route>
        <Route path="/settings">
          <SettingsPage programId={programId} />
        </Route>
        <Route>
          <Redirect to="/today" />
        </Route>
      </Switch>
      <nav className="tabs" aria-label="Sections">
        {tabs.map(([path, label]) => (
          <Link key={path} href={`/${path}`} className={(active) => (active ? 'active' : '')}>
            {label}
          </Link>
        ))}
      </nav>
    </>
  );
}
