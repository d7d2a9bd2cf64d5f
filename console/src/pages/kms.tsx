import { useState } from 'preact/hooks';
import { kms } from '../api';
import { ErrorBox, Section, useAction, useLoad } from '../ui';

// Keys lists the KMS keys with their state and aliases.
export function Keys() {
  const list = useLoad(async () => {
    const [keys, aliases] = await Promise.all([kms('ListKeys'), kms('ListAliases')]);
    const byKey: Record<string, string[]> = {};
    for (const a of aliases.Aliases || []) if (a.TargetKeyId) (byKey[a.TargetKeyId] ||= []).push(a.AliasName);
    return Promise.all(
      (keys.Keys || []).map(async (k: any) => ({ ...(await kms('DescribeKey', { KeyId: k.KeyId })).KeyMetadata, aliases: byKey[k.KeyId] || [] })),
    );
  }, []);
  const [desc, setDesc] = useState('');
  const [alias, setAlias] = useState('');
  const [error, busy, run] = useAction();
  const create = (e: Event) => {
    e.preventDefault();
    run(async () => {
      const k = await kms('CreateKey', desc ? { Description: desc } : {});
      if (alias) await kms('CreateAlias', { AliasName: alias.startsWith('alias/') ? alias : 'alias/' + alias, TargetKeyId: k.KeyMetadata.KeyId });
      setDesc('');
      setAlias('');
      list.reload();
    });
  };
  const act = (action: string, input: object) =>
    run(async () => {
      await kms(action, input);
      list.reload();
    });
  return (
    <>
      <Section title="Create a KMS key">
        <form class="row" id="create-kms-key" onSubmit={create}>
          <input placeholder="description" value={desc} onInput={(e) => setDesc(e.currentTarget.value)} />
          <input placeholder="alias (optional)" value={alias} onInput={(e) => setAlias(e.currentTarget.value)} />
          <button disabled={busy}>Create key</button>
        </form>
        <ErrorBox error={error} />
      </Section>
      <Section title="KMS keys">
        <ErrorBox error={list.error} />
        <table id="kms-keys">
          <thead><tr><th>Key ID</th><th>Aliases</th><th>Description</th><th>State</th><th>Created</th><th /></tr></thead>
          <tbody>
            {(list.data || []).map((k: any) => (
              <tr key={k.KeyId}>
                <td><code>{k.KeyId}</code></td>
                <td>{k.aliases.join(', ')}</td>
                <td>{k.Description}</td>
                <td>{k.KeyState}{k.DeletionDate ? ` (deletion ${new Date(k.DeletionDate * 1000).toLocaleDateString()})` : ''}</td>
                <td>{k.CreationDate ? new Date(k.CreationDate * 1000).toLocaleString() : ''}</td>
                <td class="actions">
                  {k.KeyState === 'Enabled' && <button onClick={() => act('DisableKey', { KeyId: k.KeyId })}>Disable</button>}
                  {k.KeyState === 'Disabled' && <button onClick={() => act('EnableKey', { KeyId: k.KeyId })}>Enable</button>}
                  {k.KeyState === 'PendingDeletion' ? (
                    <button onClick={() => act('CancelKeyDeletion', { KeyId: k.KeyId })}>Cancel deletion</button>
                  ) : (
                    <button class="danger" onClick={() => confirm('Schedule this key for deletion in 7 days?') && act('ScheduleKeyDeletion', { KeyId: k.KeyId, PendingWindowInDays: 7 })}>Schedule deletion</button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </>
  );
}
