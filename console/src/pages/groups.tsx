import { useState } from 'preact/hooks';
import { elems, iam, text } from '../api';
import { ErrorBox, Section, useAction, useLoad } from '../ui';
import { PrincipalPolicies } from './principal';

// Groups lists IAM groups; a group's page has its members and policies.
export function Groups() {
  const list = useLoad(async () => {
    const doc = await iam('ListGroups');
    return elems(doc, 'member').map((m) => ({ name: text(m, 'GroupName'), arn: text(m, 'Arn'), created: text(m, 'CreateDate') }));
  }, []);
  const [name, setName] = useState('');
  const [error, busy, run] = useAction();
  const create = (e: Event) => {
    e.preventDefault();
    run(async () => {
      await iam('CreateGroup', { GroupName: name.trim() });
      setName('');
      list.reload();
    });
  };
  const remove = (g: string) =>
    confirm(`Delete group ${g}? Remove its members and policies first.`) &&
    run(async () => {
      await iam('DeleteGroup', { GroupName: g });
      list.reload();
    });
  return (
    <>
      <Section title="Create a group">
        <form class="row" id="create-group" onSubmit={create}>
          <input id="group-name" placeholder="group name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <button disabled={busy || !name}>Create</button>
        </form>
        <ErrorBox error={error} />
      </Section>
      <Section title="Groups">
        <ErrorBox error={list.error} />
        <table id="groups">
          <thead><tr><th>Name</th><th>ARN</th><th>Created</th><th /></tr></thead>
          <tbody>
            {(list.data || []).map((g) => (
              <tr key={g.name} data-group={g.name}>
                <td><a href={`#/group/${encodeURIComponent(g.name)}`}>{g.name}</a></td>
                <td>{g.arn}</td>
                <td>{new Date(g.created).toLocaleString()}</td>
                <td class="actions"><button class="danger" onClick={() => remove(g.name)}>Delete</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </>
  );
}

export function Group({ name }: { name: string }) {
  const members = useLoad(async () => {
    const doc = await iam('GetGroup', { GroupName: name });
    return elems(doc, 'member').map((m) => text(m, 'UserName'));
  }, [name]);
  const [user, setUser] = useState('');
  const [error, busy, run] = useAction();
  const add = (e: Event) => {
    e.preventDefault();
    run(async () => {
      await iam('AddUserToGroup', { GroupName: name, UserName: user.trim() });
      setUser('');
      members.reload();
    });
  };
  const drop = (u: string) =>
    run(async () => {
      await iam('RemoveUserFromGroup', { GroupName: name, UserName: u });
      members.reload();
    });
  return (
    <>
      <h1>Group {name}</h1>
      <Section title="Members">
        <ErrorBox error={members.error || error} />
        <table id="members">
          <thead><tr><th>User</th><th /></tr></thead>
          <tbody>
            {(members.data || []).map((u) => (
              <tr key={u} data-user={u}>
                <td><a href={`#/user/${encodeURIComponent(u)}`}>{u}</a></td>
                <td class="actions"><button class="danger" onClick={() => drop(u)}>Remove</button></td>
              </tr>
            ))}
          </tbody>
        </table>
        <form class="row" id="add-member" onSubmit={add}>
          <input id="member-name" placeholder="user name" value={user} onInput={(e) => setUser(e.currentTarget.value)} />
          <button disabled={busy || !user}>Add user</button>
        </form>
      </Section>
      <PrincipalPolicies kind="Group" name={name} />
    </>
  );
}
