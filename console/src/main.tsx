/** The lake's console: sign in with the API key, then the pages (pages/Shell.tsx). */
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { LakeApi } from './lib/api';
import { forgetKey, storedKey, storeKey } from './lib/session';
import { Shell } from './pages/Shell';
import { SignIn } from './pages/SignIn';
import './styles.css';

function App() {
  const [key, setKey] = useState<string | null>(() => storedKey());
  const [refusal, setRefusal] = useState<unknown>(null);
  const api = useMemo(
    () =>
      key
        ? new LakeApi(key, (failure) => {
            // The lake refused the key (changed, or the lake restarted with another): nothing but the refusal.
            forgetKey();
            setRefusal(failure);
            setKey(null);
          })
        : null,
    [key],
  );
  // A session ends with its key (sign-out, a refusal, another key): its API stops calling the lake.
  useEffect(() => () => api?.close(), [api]);
  if (!api)
    return (
      <SignIn
        refusal={refusal}
        onSignedIn={(k) => {
          storeKey(k);
          setRefusal(null);
          setKey(k);
        }}
      />
    );
  return (
    <Shell
      api={api}
      onSignOut={() => {
        forgetKey();
        setKey(null);
      }}
    />
  );
}

const root = document.getElementById('app')!;
root.textContent = ''; // the loading note
render(<App />, root);
