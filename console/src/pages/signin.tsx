import { useState } from 'preact/hooks';
import { s3, setCreds } from '../api';
import { ErrorBox, useAction } from '../ui';

// SignIn checks the keys with a real S3 call (ListBuckets) before keeping
// them for the tab's session.
export function SignIn({ onDone }: { onDone: () => void }) {
  const [ak, setAk] = useState('');
  const [sk, setSk] = useState('');
  const [token, setToken] = useState('');
  const [error, busy, run] = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    run(async () => {
      setCreds({ accessKeyId: ak.trim(), secretAccessKey: sk.trim(), sessionToken: token.trim() || undefined });
      try {
        await s3('', '', { query: { 'max-buckets': '1' } });
      } catch (err) {
        setCreds(null);
        throw err;
      }
      onDone();
    });
  };
  return (
    <form class="card signin" id="signin" onSubmit={submit}>
      <h1>Talus</h1>
      <p>Sign in with an access key, or with temporary (STS) credentials and their session token.</p>
      <label>Access key ID<input id="access-key" value={ak} onInput={(e) => setAk(e.currentTarget.value)} autocomplete="username" /></label>
      <label>Secret access key<input id="secret-key" type="password" value={sk} onInput={(e) => setSk(e.currentTarget.value)} autocomplete="current-password" /></label>
      <label>Session token (STS, optional)<input id="session-token" value={token} onInput={(e) => setToken(e.currentTarget.value)} /></label>
      <ErrorBox error={error} />
      <button id="signin-submit" disabled={busy}>Sign in</button>
    </form>
  );
}
