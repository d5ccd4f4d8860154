// Sign-in: paste an API token; it is checked against the controller and kept in sessionStorage.
import { useState } from 'preact/hooks';
import { ApiFailure } from '../api.ts';
import { signIn, type Session } from '../session.ts';

/** The sign-in form; calls `onSignedIn` with the session once the token is accepted. */
export function SignIn(props: { onSignedIn: (s: Session) => void; initialError?: string }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState(props.initialError ?? '');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      props.onSignedIn(await signIn(token.trim()));
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 401) {
        setError('This token was not accepted: it is unknown, revoked or mistyped.');
      } else if (err instanceof ApiFailure) {
        setError(`Sign-in failed: ${err.message}`);
      } else {
        setError(`Sign-in failed: ${String(err)}`);
      }
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="sign-in">
      <h1>Sign in to Stampede</h1>
      <form onSubmit={(e) => void submit(e)}>
        <label for="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          placeholder="sta_…"
          value={token}
          onInput={(e) => setToken((e.target as HTMLInputElement).value)}
          required
        />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {error === '' ? null : (
          <p class="error" role="alert" data-testid="sign-in-error">
            {error}
          </p>
        )}
      </form>
      <p class="hint">
        The token stays in this tab's session storage. The controller prints the admin token once at
        its first start; admins make more with <code>POST /api/v1/tokens</code>.
      </p>
    </section>
  );
}
