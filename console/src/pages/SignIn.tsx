/**
 * Sign in with the lake's API key. The key is tried on GET /tables before it is kept: a refused key keeps nothing
 * and shows nothing but the refusal; a lake that does not answer is said so.
 */
import { useState } from 'preact/hooks';
import { LakeApi } from '../lib/api';
import { ApiFailure } from '../lib/api-error';
import { ErrorBox } from '../components/ErrorBox';

export function SignIn({ refusal, onSignedIn }: { refusal: unknown; onSignedIn: (key: string) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>(refusal);
  const [checking, setChecking] = useState(false);
  const [empty, setEmpty] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    const k = key.trim();
    // Blanks only: said so, and an earlier refusal (of another key) no longer shown.
    setEmpty(!k);
    if (!k) {
      setError(null);
      return;
    }
    // A header carries ISO-8859-1 only (fetch would throw its own words): a key is plain text.
    if (/[^\x20-\x7e]/.test(k)) {
      setError(new Error('An API key is plain ASCII text: this one has characters a request cannot carry.'));
      return;
    }
    setChecking(true);
    setError(null);
    try {
      await new LakeApi(k).tables();
      onSignedIn(k);
    } catch (err) {
      // The lake checks the key before the route runs: a route that fails (5xx) took the key; the pages say the rest.
      if (err instanceof ApiFailure && err.status >= 500) return onSignedIn(k);
      setError(
        err instanceof TypeError
          ? new Error(
              `The lake at ${location.origin} does not answer: is npm start running? (${err.message})`,
            )
          : err,
      );
      setChecking(false);
    }
  };
  const refused = error instanceof ApiFailure && error.refusesKey;
  return (
    <main class="sign-in">
      <h1>Data lake console</h1>
      <form onSubmit={(e) => void submit(e)}>
        <label for="api-key">API key</label>
        <p class="muted" id="api-key-help">
          The key <code>npm start</code> prints (saved in <code>.lake/api-key</code>). It is kept for this tab
          only.
        </p>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autocomplete="off"
          aria-describedby="api-key-help"
          value={key}
          onInput={(e) => setKey((e.target as HTMLInputElement).value)}
          aria-invalid={empty ? 'true' : undefined}
          required
        />
        {empty ? (
          <p class="error" role="alert">
            Enter the API key: it has no characters but blanks.
          </p>
        ) : null}
        <button type="submit" class="primary" disabled={checking}>
          {checking ? 'Checking…' : 'Sign in'}
        </button>
      </form>
      <ErrorBox error={error} title={refused ? 'The lake refused this key' : 'Could not sign in'} />
    </main>
  );
}
