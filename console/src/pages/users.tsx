import { useState } from 'preact/hooks';
import { elems, iam, text } from '../api';
import { ErrorBox, Section, useAction, useLoad } from '../ui';

// Users lists IAM users; a user's page has its access keys and policies.
export function Users() {
  const list = useLoad(async () => {
    const doc = await iam('ListUsers');
    return elems(doc, 'member').map((m) => ({ name: text(m, 'UserName'), arn: text(m, 'Arn'), created: text(m, 'CreateDate') }));
  }, []);
  const [name, setName] = useState('');
  const [error, busy, run] = useAction();
  const create = (e: Event) => {
    e.preventDefault();
    run(async () => {
      await iam('CreateUser', { UserName: name.trim() });
      setName('');
      list.reload();
    });
  };
  const remove = (u: string) =>
    confirm(`Delete user ${u}? Delete its keys and policies first.`) &&
    run(async () => {
      await iam('DeleteUser', { UserName: u });
      list.reload();
    });
  return (
    <>
      <Section title="Create a user">
        <form class="row" id="create-user" onSubmit={create}>
          <input id="user-name" placeholder="user name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <button disabled={busy || !name}>Create</button>
        </form>
        <ErrorBox error={error} />
      </Section>
      <Section title="Users">
        <ErrorBox error={list.error} />
        <table id="users">
          <thead><tr><th>Name</th><th>ARN</th><th>Created</th><th /></tr></thead>
          <tbody>
            {(list.data || []).map((u) => (
              <tr key={u.name} data-user={u.name}>
                <td><a href={`#/user/${encodeURIComponent(u.name)}`}>{u.name}</a></td>
                <td>{u.arn}</td>
                <td>{new Date(u.created).toLocaleString()}</td>
                <td class="actions"><button class="danger" onClick={() => remove(u.name)}>Delete</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </>
  );
}

export function User({ name }: { name: string }) {
  const keys = useLoad(async () => {
    const doc = await iam('ListAccessKeys', { UserName: name });
    return elems(doc, 'member').map((m) => ({ id: text(m, 'AccessKeyId'), status: text(m, 'Status'), created: text(m, 'CreateDate') }));
  }, [name]);
  const policies = useLoad(async () => {
    const names = elems(await iam('ListUserPolicies', { UserName: name }), 'member').map((m) => m.textContent || '');
    return Promise.all(
      names.map(async (p) => ({ name: p, doc: decodeURIComponent(text(await iam('GetUserPolicy', { UserName: name, PolicyName: p }), 'PolicyDocument')) })),
    );
  }, [name]);
  const [secret, setSecret] = useState<{ id: string; secret: string }>();
  const [pname, setPname] = useState('');
  const [pdoc, setPdoc] = useState('');
  const [error, busy, run] = useAction();
  const newKey = () =>
    run(async () => {
      const doc = await iam('CreateAccessKey', { UserName: name });
      setSecret({ id: text(doc, 'AccessKeyId'), secret: text(doc, 'SecretAccessKey') });
      keys.reload();
    });
  const keyAction = (id: string, action: string, extra: Record<string, string> = {}) =>
    run(async () => {
      await iam(action, { UserName: name, AccessKeyId: id, ...extra });
      keys.reload();
    });
  const putPolicy = (e: Event) => {
    e.preventDefault();
    run(async () => {
      await iam('PutUserPolicy', { UserName: name, PolicyName: pname.trim(), PolicyDocument: pdoc });
      setPname('');
      setPdoc('');
      policies.reload();
    });
  };
  const delPolicy = (p: string) =>
    run(async () => {
      await iam('DeleteUserPolicy', { UserName: name, PolicyName: p });
      policies.reload();
    });
  return (
    <>
      <h1>User {name}</h1>
      <ErrorBox error={error} />
      <Section title="Access keys">
        <ErrorBox error={keys.error} />
        {secret && (
          <div class="notice" id="new-key">
            New key <code>{secret.id}</code>, secret <code id="new-secret">{secret.secret}</code>. The secret is shown only now.
          </div>
        )}
        <table id="keys">
          <thead><tr><th>Access key ID</th><th>Status</th><th>Created</th><th /></tr></thead>
          <tbody>
            {(keys.data || []).map((k) => (
              <tr key={k.id}>
                <td><code>{k.id}</code></td><td>{k.status}</td><td>{new Date(k.created).toLocaleString()}</td>
                <td class="actions">
                  <button onClick={() => keyAction(k.id, 'UpdateAccessKey', { Status: k.status === 'Active' ? 'Inactive' : 'Active' })}>
                    {k.status === 'Active' ? 'Deactivate' : 'Activate'}
                  </button>
                  <button class="danger" onClick={() => keyAction(k.id, 'DeleteAccessKey')}>Delete</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <button id="create-key" disabled={busy} onClick={newKey}>Create access key</button>
      </Section>
      <Section title="Policies">
        <ErrorBox error={policies.error} />
        {(policies.data || []).map((p) => (
          <div key={p.name} class="policy">
            <h3>{p.name} <button class="danger" onClick={() => delPolicy(p.name)}>Delete</button></h3>
            <pre>{p.doc}</pre>
          </div>
        ))}
        <form onSubmit={putPolicy} id="put-policy">
          <input placeholder="policy name" value={pname} onInput={(e) => setPname(e.currentTarget.value)} />
          <textarea rows={8} placeholder='{"Version": "2012-10-17", "Statement": [...]}' value={pdoc} onInput={(e) => setPdoc(e.currentTarget.value)} spellcheck={false} />
          <button class="primary" disabled={busy || !pname || !pdoc}>Put policy</button>
        </form>
      </Section>
    </>
  );
}
