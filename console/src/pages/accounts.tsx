import { useState } from 'preact/hooks';
import { elems, iam, text } from '../api';
import { ErrorBox, Section, useAction, useLoad } from '../ui';

interface Account {
  id: string;
  name: string;
  email: string;
  arn: string;
  canonical: string;
  admin: boolean;
  created: string;
}

function account(m: Element): Account {
  return {
    id: text(m, 'AccountId'), name: text(m, 'AccountName'), email: text(m, 'Email'), arn: text(m, 'Arn'),
    canonical: text(m, 'CanonicalUserId'), admin: text(m, 'Admin') === 'true', created: text(m, 'CreateDate'),
  };
}

// Accounts is the administrator's page of Talus accounts (the Talus IAM
// account actions, as talus admin uses them). A new account's root key
// pair is shown once, as the API returns it only then.
export function Accounts() {
  const list = useLoad(async () => elems(await iam('TalusListAccounts'), 'member').map(account), []);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [created, setCreated] = useState<{ id: string; key: string; secret: string }>();
  const [shown, setShown] = useState<Account>();
  const [error, busy, run] = useAction();
  const create = (e: Event) => {
    e.preventDefault();
    run(async () => {
      const doc = await iam('TalusCreateAccount', { AccountName: name.trim(), ...(email.trim() ? { Email: email.trim() } : {}) });
      setCreated({ id: text(doc, 'AccountId'), key: text(doc, 'AccessKeyId'), secret: text(doc, 'SecretAccessKey') });
      setName('');
      setEmail('');
      list.reload();
    });
  };
  const show = (id: string) =>
    run(async () => {
      setShown(account((await iam('TalusGetAccount', { AccountId: id })).getElementsByTagName('Account')[0]));
    });
  const remove = (id: string) =>
    confirm(`Delete account ${id}? It must own no buckets, uploads or users.`) &&
    run(async () => {
      await iam('TalusDeleteAccount', { AccountId: id });
      if (shown?.id === id) setShown(undefined);
      list.reload();
    });
  return (
    <>
      <Section title="Create an account">
        <form class="row" id="create-account" onSubmit={create}>
          <input id="account-name" placeholder="account name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <input id="account-email" placeholder="email (optional)" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
          <button disabled={busy || !name}>Create</button>
        </form>
        {created && (
          <div class="notice" id="new-account">
            Account <code id="new-account-id">{created.id}</code>: root key <code id="new-account-key">{created.key}</code>, secret{' '}
            <code id="new-account-secret">{created.secret}</code>. The secret is shown only now.
          </div>
        )}
        <ErrorBox error={error} />
      </Section>
      {shown && (
        <Section title={`Account ${shown.name}`}>
          <table id="account-detail">
            <tbody>
              <tr><th>ID</th><td>{shown.id}</td></tr>
              <tr><th>ARN</th><td>{shown.arn}</td></tr>
              <tr><th>Canonical user ID</th><td><code>{shown.canonical}</code></td></tr>
              <tr><th>Email</th><td>{shown.email}</td></tr>
              <tr><th>Administrator</th><td>{shown.admin ? 'yes' : 'no'}</td></tr>
              <tr><th>Created</th><td>{new Date(shown.created).toLocaleString()}</td></tr>
            </tbody>
          </table>
        </Section>
      )}
      <Section title="Accounts">
        <ErrorBox error={list.error} />
        <table id="accounts">
          <thead><tr><th>ID</th><th>Name</th><th>Email</th><th>Created</th><th /></tr></thead>
          <tbody>
            {(list.data || []).map((a) => (
              <tr key={a.id} data-account={a.id}>
                <td><a href="javascript:" class="show-account" onClick={() => show(a.id)}>{a.id}</a></td>
                <td>{a.name}{a.admin ? ' (administrator)' : ''}</td>
                <td>{a.email}</td>
                <td>{new Date(a.created).toLocaleString()}</td>
                <td class="actions">{!a.admin && <button class="danger" onClick={() => remove(a.id)}>Delete</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </>
  );
}
