// Entry of the web UI: the sign-in gate, the navigation bar and the page of the current hash.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { NotFound } from './common.tsx';
import { ComparisonPage, Comparisons } from './pages/comparisons.tsx';
import { Generators } from './pages/generators.tsx';
import { Overview } from './pages/overview.tsx';
import { RunPage } from './pages/run.tsx';
import { Runs } from './pages/runs.tsx';
import { SignIn } from './pages/sign-in.tsx';
import { href, useRoute, type Route } from './router.ts';
import { signIn, signOut, storedToken, type Session } from './session.ts';

function CurrentPage(props: { session: Session; route: Route }) {
  const [first, second] = props.route.parts;
  if (first === undefined) return <Overview session={props.session} />;
  if (first === 'runs' && second === undefined)
    return <Runs session={props.session} route={props.route} />;
  if (first === 'runs' && second !== undefined)
    return <RunPage session={props.session} runId={second} />;
  if (first === 'generators' && second === undefined)
    return <Generators session={props.session} route={props.route} />;
  if (first === 'comparisons' && second === undefined)
    return <Comparisons session={props.session} />;
  if (first === 'comparisons' && second !== undefined)
    return <ComparisonPage session={props.session} id={second} />;
  return <NotFound what={`The page ${location.hash}`} />;
}

function App() {
  const route = useRoute();
  const [session, setSession] = useState<Session | null>(null);
  const [restoring, setRestoring] = useState(storedToken() !== null);
  const [restoreError, setRestoreError] = useState('');
  useEffect(() => {
    const token = storedToken();
    if (token === null) return;
    signIn(token)
      .then(setSession)
      .catch(() => {
        signOut();
        setRestoreError('Your session has ended: sign in again.');
      })
      .finally(() => setRestoring(false));
  }, []);
  if (restoring) return <p>Signing in…</p>;
  if (session === null) {
    return (
      <main>
        <SignIn
          onSignedIn={setSession}
          {...(restoreError === '' ? {} : { initialError: restoreError })}
        />
      </main>
    );
  }
  return (
    <>
      <header>
        <nav aria-label="Main">
          <a class="brand" href={href()}>
            Stampede
          </a>
          <a href={href()}>Overview</a>
          <a href={href('runs')}>Runs</a>
          <a href={href('comparisons')}>Comparisons</a>
          <a href={href('generators')}>Generators</a>
          <span class="scope" data-testid="scope">
            {session.isAdmin ? 'admin' : session.canRun ? 'run' : 'read-only'}
          </span>
          <button
            type="button"
            onClick={() => {
              signOut();
              setSession(null);
            }}
          >
            Sign out
          </button>
        </nav>
      </header>
      <main>
        <CurrentPage session={session} route={route} />
      </main>
    </>
  );
}

const root = document.getElementById('root');
if (root !== null) render(<App />, root);
