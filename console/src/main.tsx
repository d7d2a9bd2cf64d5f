import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { config, loadConfig, savedCreds, setCreds, signedIn } from './api';
import { navigate, useRoute } from './ui';
import { SignIn } from './pages/signin';
import { Buckets } from './pages/buckets';
import { Bucket } from './pages/bucket';
import { User, Users } from './pages/users';
import { Keys } from './pages/kms';
import { Server } from './pages/server';
import { Group, Groups } from './pages/groups';
import { Policies, Policy } from './pages/policies';
import { Role, Roles } from './pages/roles';
import { Accounts } from './pages/accounts';

function App() {
  const [ready, setReady] = useState(false);
  const [, setAuthed] = useState(0);
  const route = useRoute();
  useEffect(() => {
    loadConfig().then(() => {
      const c = savedCreds();
      if (c) setCreds(c);
      setReady(true);
    });
  }, []);
  if (!ready) return <p>Loading…</p>;
  const creds = signedIn();
  if (!creds) return <SignIn onDone={() => { setAuthed((n) => n + 1); navigate('/buckets'); }} />;
  const [page, a = '', b = '', ...rest] = route;
  let body;
  switch (page) {
    case 'bucket':
      body = <Bucket bucket={a} tab={b} rest={rest.join('/')} />;
      break;
    case 'users':
      body = <Users />;
      break;
    case 'user':
      body = <User name={a} />;
      break;
    case 'groups':
      body = <Groups />;
      break;
    case 'group':
      body = <Group name={a} />;
      break;
    case 'policies':
      body = <Policies />;
      break;
    case 'policy':
      body = <Policy arn={[a, b, ...rest].filter(Boolean).join('/')} />;
      break;
    case 'roles':
      body = <Roles />;
      break;
    case 'role':
      body = <Role name={a} />;
      break;
    case 'accounts':
      body = <Accounts />;
      break;
    case 'kms':
      body = <Keys />;
      break;
    case 'server':
      body = <Server />;
      break;
    default:
      body = <Buckets />;
  }
  const signOut = () => {
    setCreds(null);
    setAuthed((n) => n + 1);
  };
  const nav = (p: string, label: string) => (
    <a href={`#/${p}`} class={page === p || (p === 'buckets' && (page === 'bucket' || !page)) || (p === 'users' && page === 'user') || page === p.replace(/s$/, '') || (p === 'policies' && page === 'policy') ? 'active' : ''}>{label}</a>
  );
  return (
    <>
      <header>
        <b>Talus</b>
        <nav id="nav">
          {nav('buckets', 'Buckets')}
          {nav('users', 'Users, keys and policies')}
          {nav('groups', 'Groups')}
          {nav('policies', 'Managed policies')}
          {nav('roles', 'Roles')}
          {nav('accounts', 'Accounts')}
          {nav('kms', 'KMS keys')}
          {nav('server', 'Server')}
        </nav>
        <span class="who" title={config().endpoint}>{creds.accessKeyId} <button id="signout" onClick={signOut}>Sign out</button></span>
      </header>
      <main>{body}</main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
