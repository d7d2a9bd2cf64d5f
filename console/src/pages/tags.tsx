import { useEffect, useState } from 'preact/hooks';
import { elems, escapeXML, s3, s3xml, text } from '../api';
import { ErrorBox, useAction, useLoad } from '../ui';

// TagEditor edits a bucket's tags, or an object's when objKey is set.
export function TagEditor({ bucket, objKey = '' }: { bucket: string; objKey?: string }) {
  const loaded = useLoad(async () => {
    try {
      const doc = await s3xml(bucket, objKey, { query: { tagging: '' } });
      return elems(doc, 'Tag').map((t) => [text(t, 'Key'), text(t, 'Value')] as [string, string]);
    } catch (e: any) {
      if (e.code === 'NoSuchTagSet') return [];
      throw e;
    }
  }, [bucket, objKey]);
  const [rows, setRows] = useState<[string, string][]>([]);
  useEffect(() => setRows(loaded.data || []), [loaded.data]);
  const [error, busy, run] = useAction();
  const [saved, setSaved] = useState(false);
  const set = (i: number, j: 0 | 1, v: string) => setRows(rows.map((r, k) => (k === i ? (j ? [r[0], v] : [v, r[1]]) : r)));
  const save = () =>
    run(async () => {
      setSaved(false);
      const tags = rows.filter((r) => r[0]);
      if (tags.length === 0) await s3(bucket, objKey, { method: 'DELETE', query: { tagging: '' } });
      else {
        const body = `<Tagging><TagSet>${tags.map(([k, v]) => `<Tag><Key>${escapeXML(k)}</Key><Value>${escapeXML(v)}</Value></Tag>`).join('')}</TagSet></Tagging>`;
        await s3(bucket, objKey, { method: 'PUT', query: { tagging: '' }, body, integrity: true, headers: { 'Content-Type': 'application/xml' } });
      }
      setSaved(true);
    });
  return (
    <div class="tags">
      <ErrorBox error={loaded.error || error} />
      {rows.map((r, i) => (
        <div class="row" key={i}>
          <input placeholder="key" value={r[0]} onInput={(e) => set(i, 0, e.currentTarget.value)} />
          <input placeholder="value" value={r[1]} onInput={(e) => set(i, 1, e.currentTarget.value)} />
          <button onClick={() => setRows(rows.filter((_, k) => k !== i))}>Remove</button>
        </div>
      ))}
      <div class="row">
        <button onClick={() => setRows([...rows, ['', '']])}>Add tag</button>
        <button class="primary" onClick={save} disabled={busy}>Save tags</button>
        {saved && <span class="ok">Saved</span>}
      </div>
    </div>
  );
}
