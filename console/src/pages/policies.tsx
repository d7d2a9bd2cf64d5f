import { useState } from 'preact/hooks';
import { elems, iam, text } from '../api';
import { ErrorBox, Section, navigate, useAction, useLoad } from '../ui';

// Policies lists the customer managed policies; a policy's page has its
// versions and attachments.
export function Policies() {
  const list = useLoad(async () => {
    const doc = await iam('ListPolicies', { Scope: 'Local' });
    return elems(doc, 'member').map((m) => ({
      name: text(m, 'PolicyName'), arn: text(m, 'Arn'), version: text(m, 'DefaultVersionId'), attachments: text(m, 'AttachmentCount'),
    }));
  }, []);
  const [name, setName] = useState('');
  const [doc, setDoc] = useState('');
  const [error, busy, run] = useAction();
  const create = (e: Event) => {
    e.preventDefault();
    run(async () => {
      await iam('CreatePolicy', { PolicyName: name.trim(), PolicyDocument: doc });
      setName('');
      setDoc('');
      list.reload();
    });
  };
  return (
    <>
      <Section title="Create a managed policy">
        <form id="create-policy" onSubmit={create}>
          <input id="policy-name" placeholder="policy name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <textarea id="policy-document" rows={8} placeholder='{"Version": "2012-10-17", "Statement": [...]}' value={doc} onInput={(e) => setDoc(e.currentTarget.value)} spellcheck={false} />
          <button class="primary" disabled={busy || !name || !doc}>Create</button>
        </form>
        <ErrorBox error={error} />
      </Section>
      <Section title="Managed policies">
        <ErrorBox error={list.error} />
        <table id="policies">
          <thead><tr><th>Name</th><th>ARN</th><th>Default version</th><th>Attachments</th></tr></thead>
          <tbody>
            {(list.data || []).map((p) => (
              <tr key={p.arn} data-policy={p.name}>
                <td><a href={`#/policy/${encodeURIComponent(p.arn)}`}>{p.name}</a></td>
                <td>{p.arn}</td><td>{p.version}</td><td>{p.attachments}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </>
  );
}

export function Policy({ arn }: { arn: string }) {
  const versions = useLoad(async () => {
    const doc = await iam('ListPolicyVersions', { PolicyArn: arn });
    return Promise.all(
      elems(doc, 'member').map(async (m) => {
        const id = text(m, 'VersionId');
        const v = await iam('GetPolicyVersion', { PolicyArn: arn, VersionId: id });
        return { id, isDefault: text(m, 'IsDefaultVersion') === 'true', created: text(m, 'CreateDate'), doc: decodeURIComponent(text(v, 'Document')) };
      }),
    );
  }, [arn]);
  // Who has the policy attached: each user's, group's and role's
  // attached policies, as the IAM actions talus admin uses list them.
  const entities = useLoad(async () => {
    const of = async (kind: string) => {
      const names = elems(await iam(`List${kind}s`), 'member').map((m) => text(m, `${kind}Name`));
      const has = await Promise.all(
        names.map(async (n) => elems(await iam(`ListAttached${kind}Policies`, { [`${kind}Name`]: n }), 'member').some((m) => text(m, 'PolicyArn') === arn)),
      );
      return names.filter((_, i) => has[i]);
    };
    const [users, groups, roles] = await Promise.all([of('User'), of('Group'), of('Role')]);
    return { users, groups, roles };
  }, [arn]);
  const [doc, setDoc] = useState('');
  const [asDefault, setAsDefault] = useState(true);
  const [kind, setKind] = useState('User');
  const [who, setWho] = useState('');
  const [error, busy, run] = useAction();
  const newVersion = (e: Event) => {
    e.preventDefault();
    run(async () => {
      await iam('CreatePolicyVersion', { PolicyArn: arn, PolicyDocument: doc, SetAsDefault: String(asDefault) });
      setDoc('');
      versions.reload();
    });
  };
  const setDefault = (id: string) =>
    run(async () => {
      await iam('SetDefaultPolicyVersion', { PolicyArn: arn, VersionId: id });
      versions.reload();
    });
  const delVersion = (id: string) =>
    run(async () => {
      await iam('DeletePolicyVersion', { PolicyArn: arn, VersionId: id });
      versions.reload();
    });
  const attach = (e: Event) => {
    e.preventDefault();
    run(async () => {
      await iam(`Attach${kind}Policy`, { [`${kind}Name`]: who.trim(), PolicyArn: arn });
      setWho('');
      entities.reload();
    });
  };
  const detach = (k: string, n: string) =>
    run(async () => {
      await iam(`Detach${k}Policy`, { [`${k}Name`]: n, PolicyArn: arn });
      entities.reload();
    });
  const remove = () =>
    confirm(`Delete policy ${arn}? Detach it and delete its other versions first.`) &&
    run(async () => {
      await iam('DeletePolicy', { PolicyArn: arn });
      navigate('/policies');
    });
  const e = entities.data;
  const rows = e ? [...e.users.map((n) => ['User', n]), ...e.groups.map((n) => ['Group', n]), ...e.roles.map((n) => ['Role', n])] : [];
  return (
    <>
      <h1>Policy {arn.replace(/^.*:policy\//, '')}</h1>
      <p class="muted">{arn}</p>
      <ErrorBox error={error} />
      <Section title="Versions">
        <ErrorBox error={versions.error} />
        {(versions.data || []).map((v) => (
          <div key={v.id} class="policy" data-version={v.id}>
            <h3>
              {v.id} {v.isDefault ? <b class="ok">default</b> : (
                <>
                  <button class="set-default" onClick={() => setDefault(v.id)}>Set as default</button>
                  <button class="danger" onClick={() => delVersion(v.id)}>Delete</button>
                </>
              )}
            </h3>
            <pre>{v.doc}</pre>
          </div>
        ))}
        <form id="create-version" onSubmit={newVersion}>
          <textarea id="version-document" rows={8} placeholder="the new version's document" value={doc} onInput={(ev) => setDoc(ev.currentTarget.value)} spellcheck={false} />
          <div class="row">
            <label><input type="checkbox" checked={asDefault} onChange={(ev) => setAsDefault(ev.currentTarget.checked)} /> Set as default</label>
            <button class="primary" disabled={busy || !doc}>Create version</button>
          </div>
        </form>
      </Section>
      <Section title="Attached to">
        <ErrorBox error={entities.error} />
        <table id="entities">
          <thead><tr><th>Kind</th><th>Name</th><th /></tr></thead>
          <tbody>
            {rows.map(([k, n]) => (
              <tr key={k + n} data-entity={`${k}:${n}`}>
                <td>{k}</td><td>{n}</td>
                <td class="actions"><button class="danger" onClick={() => detach(k, n)}>Detach</button></td>
              </tr>
            ))}
          </tbody>
        </table>
        <form class="row" id="attach-to" onSubmit={attach}>
          <select id="attach-kind" value={kind} onChange={(ev) => setKind(ev.currentTarget.value)}>
            <option>User</option><option>Group</option><option>Role</option>
          </select>
          <input id="attach-name" placeholder="name" value={who} onInput={(ev) => setWho(ev.currentTarget.value)} />
          <button disabled={busy || !who}>Attach</button>
        </form>
      </Section>
      <button class="danger" id="delete-policy" disabled={busy} onClick={remove}>Delete policy</button>
    </>
  );
}
