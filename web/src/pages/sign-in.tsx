import { useEffect, useRef, useState } from 'react';
import { useLocation, useSearch } from 'wouter';
import {
  type AppConfig,
  completeCognitoSignIn,
  currentSession,
  type Session,
  signInLocal,
  signInWithCognito,
  takeReturn,
} from '../auth.ts';
import { ErrorNote } from '../ui.tsx';

const ENDED: Record<string, string> = {
  idle: 'You were signed out after a while without activity.',
  expired: 'Your session ended; sign in again.',
};

export function SignIn({ config, onSignedIn }: { config: AppConfig; onSignedIn: (s: Session) => void }) {
  const ended = new URLSearchParams(useSearch()).get('ended');
  return (
    <main id="main" className="sign-in">
      <h1>Cadence</h1>
      {ended && ENDED[ended] && <p className="note">{ENDED[ended]}</p>}
      {config.mode === 'local' ? (
        <LocalSignIn onSignedIn={onSignedIn} />
      ) : (
        <button type="button" className="primary" onClick={() => void signInWithCognito(config)}>
          Sign in
        </button>
      )}
    </main>
  );
}

/** npm start only: pick a role and programs; the API takes them from the x-cadence-caller header. */
function LocalSignIn({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const [, navigate] = useLocation();
  const [role, setRole] = useState<'admin' | 'clinician'>('clinician');
  const [programs, setPrograms] = useState<{ id: string; name: string }[]>([]);
  // Undefined until the user or the first list picks: a list that arrives late (or twice, as
  // StrictMode's development effects do) never undoes the user's picks.
  const [picks, setPicks] = useState<string[] | undefined>();
  const picked = picks ?? [];
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    // Local only: the list of programs to pick from, read as a local admin.
    fetch('/api/programs?limit=200', { headers: { 'x-cadence-caller': 'admin' } })
      .then((r) => r.json())
      .then((body: { programs: { id: string; name: string }[] }) => {
        setPrograms(body.programs);
        setPicks((now) => now ?? body.programs.slice(0, 1).map((p) => p.id));
      })
      .catch(setError);
  }, []);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        signInLocal(role, picked);
        onSignedIn(currentSession()!);
        navigate(takeReturn());
      }}
    >
      <p className="note">Local sign-in (npm start only; the deployed app signs in with Cognito).</p>
      <fieldset>
        <legend>Role</legend>
        {(['clinician', 'admin'] as const).map((r) => (
          <label key={r} className="choice">
            <input type="radio" name="role" value={r} checked={role === r} onChange={() => setRole(r)} />
            {r}
          </label>
        ))}
      </fieldset>
      {role === 'clinician' && (
        <fieldset>
          <legend>Programs</legend>
          {programs.map((p) => (
            <label key={p.id} className="choice">
              <input
                type="checkbox"
                name="programs"
                value={p.id}
                checked={picked.includes(p.id)}
                onChange={(e) => {
                  const checked = e.target.checked;
                  setPicks((now = []) => (checked ? [...now, p.id] : now.filter((id) => id !== p.id)));
                }}
              />
              {p.name} ({p.id})
            </label>
          ))}
        </fieldset>
      )}
      <ErrorNote error={error} />
      <button type="submit" className="primary">
        Sign in
      </button>
    </form>
  );
}

export function AuthCallback({
  config,
  onSignedIn,
}: {
  config: AppConfig;
  onSignedIn: (s: Session) => void;
}) {
  const [, navigate] = useLocation();
  const search = useSearch();
  const [error, setError] = useState<unknown>();
  const started = useRef(false);
  useEffect(() => {
    // The code and verifier are good once: StrictMode and re-renders must not trade them twice.
    if (config.mode !== 'cognito' || started.current) return;
    started.current = true;
    completeCognitoSignIn(config, new URLSearchParams(search))
      .then(() => {
        onSignedIn(currentSession()!);
        navigate(takeReturn(), { replace: true });
      })
      .catch(setError);
  }, [config, search, navigate, onSignedIn]);
  return (
    <main id="main" className="sign-in">
      <h1>Signing in…</h1>
      <ErrorNote error={error} />
    </main>
  );
}
