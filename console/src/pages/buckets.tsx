import { useState } from 'preact/hooks';
import { s3, s3xml, elems, text } from '../api';
import { ErrorBox, Section, navigate, useAction, useLoad } from '../ui';

export function Buckets() {
  const list = useLoad(async () => {
    const doc = await s3xml('', '');
    return elems(doc, 'Bucket').map((b) => ({ name: text(b, 'Name'), created: text(b, 'CreationDate') }));
  }, []);
  const [name, setName] = useState('');
  const [lock, setLock] = useState(false);
  const [error, busy, run] = useAction();
  const create = (e: Event) => {
    e.preventDefault();
    run(async () => {
      await s3(name.trim(), '', { method: 'PUT', headers: lock ? { 'x-amz-bucket-object-lock-enabled': 'true' } : {} });
      setName('');
      list.reload();
    });
  };
  const remove = (b: string) =>
    confirm(`Delete bucket ${b}? It must be empty.`) &&
    run(async () => {
      await s3(b, '', { method: 'DELETE' });
      list.reload();
    });
  return (
    <>
      <Section title="Create a bucket">
        <form class="row" id="create-bucket" onSubmit={create}>
          <input id="bucket-name" placeholder="bucket-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <label class="inline"><input type="checkbox" checked={lock} onChange={(e) => setLock(e.currentTarget.checked)} /> Object Lock</label>
          <button disabled={busy || !name}>Create</button>
        </form>
        <ErrorBox error={error} />
      </Section>
      <Section title="Buckets">
        <ErrorBox error={list.error} />
        <table id="buckets">
          <thead><tr><th>Name</th><th>Created</th><th /></tr></thead>
          <tbody>
            {(list.data || []).map((b) => (
              <tr key={b.name} data-bucket={b.name}>
                <td><a href={`#/bucket/${encodeURIComponent(b.name)}`}>{b.name}</a></td>
                <td>{new Date(b.created).toLocaleString()}</td>
                <td class="actions">
                  <button onClick={() => navigate(`/bucket/${encodeURIComponent(b.name)}/settings`)}>Settings</button>
                  <button class="danger" onClick={() => remove(b.name)}>Delete</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {list.data && list.data.length === 0 && <p class="muted">No buckets yet.</p>}
      </Section>
    </>
  );
}
