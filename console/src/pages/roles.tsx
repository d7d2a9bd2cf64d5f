import { useEffect, useState } from 'preact/hooks';
import { elems, iam, text } from '../api';
import { ErrorBox, Section, navigate, useAction, useLoad } from '../ui';
import { PrincipalPolicies } from './principal';

const trustSample = `{\n  "Version": "2012-10-17",\n  "Statement": [{\n    "Effect": "Allow",\n    "Principal": {"AWS": "arn:aws:iam::000000000000:root"},\n    "Action": "sts:AssumeRole"\n  }]\n}`;

// Roles lists IAM roles; a role's page has its trust policy and policies.
export function Roles() {
  const list = useLoad(async () => {
    const doc = await iam('ListRoles');
    return elems(doc, 'member').map((m) => ({ name: text(m, 'RoleName'), arn: text(m, 'Arn'), created: text(m, 'CreateDate') }));
  }, []);
  const [name, setName] = useState('');
  const [trust, setTrust] = useState(trustSample);
  const [error, busy, run] = useAction();
  const create = (e: Event) => {
    e.preventDefault();
    run(async () => {
      await iam('CreateRole', { RoleName: name.trim(), AssumeRolePolicyDocument: trust });
      setName('');
      list.reload();
    });
  };
  return (
    <>
      <Section title="Create a role">
        <form id="create-role" onSubmit={create}>
          <input id="role-name" placeholder="role name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <label>Trust policy (who may assume the role)</label>
          <textarea id="role-trust" rows={9} value={trust} onInput={(e) => setTrust(e.currentTarget.value)} spellcheck={false} />
          <button class="primary" disabled={busy || !name || !trust}>Create</button>
        </form>
        <ErrorBox error={error} />
      </Section>
      <Section title="Roles">
        <ErrorBox error={list.error} />
        <table id="roles">
          <thead><tr><th>Name</th><th>ARN</th><th>Created</th></tr></thead>
          <tbody>
            {(list.data || []).map((r) => (
              <tr key={r.name} data-role={r.name}>
                <td><a href={`#/role/${encodeURIComponent(r.name)}`}>{r.name}</a></td>
                <td>{r.arn}</td>
                <td>{new Date(r.created).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </>
  );
}

export function Role({ name }: { name: string }) {
  const role = useLoad(async () => {
    const doc = await iam('GetRole', { RoleName: name });
    return { arn: text(doc, 'Arn'), trust: decodeURIComponent(text(doc, 'AssumeRolePolicyDocument')) };
  }, [name]);
  const [trust, setTrust] = useState('');
  const [saved, setSaved] = useState('');
  useEffect(() => setTrust(role.data?.trust || ''), [role.data]);
  const [error, busy, run] = useAction();
  const save = () =>
    run(async () => {
      setSaved('');
      await iam('UpdateAssumeRolePolicy', { RoleName: name, PolicyDocument: trust });
      setSaved('Saved');
      role.reload();
    });
  const remove = () =>
    confirm(`Delete role ${name}? Detach and delete its policies first.`) &&
    run(async () => {
      await iam('DeleteRole', { RoleName: name });
      navigate('/roles');
    });
  return (
    <>
      <h1>Role {name}</h1>
      <p class="muted">{role.data?.arn}</p>
      <Section title="Trust policy">
        <ErrorBox error={role.error || error} />
        <textarea id="trust-policy" rows={9} value={trust} onInput={(e) => setTrust(e.currentTarget.value)} spellcheck={false} />
        <div class="row">
          <button class="primary" id="save-trust" disabled={busy || !trust} onClick={save}>Update trust policy</button>
          {saved && <span class="ok" id="saved-trust">{saved}</span>}
        </div>
      </Section>
      <PrincipalPolicies kind="Role" name={name} />
      <button class="danger" id="delete-role" disabled={busy} onClick={remove}>Delete role</button>
    </>
  );
}
