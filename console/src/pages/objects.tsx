import { useState } from 'preact/hooks';
import { elems, formatBytes, presign, s3, s3xml, text } from '../api';
import { upload } from '../upload';
import { ErrorBox, Section, useAction, useLoad } from '../ui';
import { TagEditor } from './tags';

interface Entry {
  key: string;
  size: number;
  modified: string;
  etag: string;
}

// Objects browses a bucket by folder (prefix and "/" delimiter).
export function Objects({ bucket, prefix }: { bucket: string; prefix: string }) {
  const list = useLoad(async () => {
    const q: Record<string, string> = { 'list-type': '2', delimiter: '/' };
    if (prefix) q.prefix = prefix;
    const folders: string[] = [];
    const objects: Entry[] = [];
    let token = '';
    do {
      const doc = await s3xml(bucket, '', { query: token ? { ...q, 'continuation-token': token } : q });
      for (const p of elems(doc, 'CommonPrefixes')) folders.push(text(p, 'Prefix'));
      for (const c of elems(doc, 'Contents'))
        objects.push({ key: text(c, 'Key'), size: Number(text(c, 'Size')), modified: text(c, 'LastModified'), etag: text(c, 'ETag') });
      token = text(doc, 'NextContinuationToken');
    } while (token);
    return { folders, objects };
  }, [bucket, prefix]);
  const [selected, setSelected] = useState<string>();
  const [progress, setProgress] = useState<{ name: string; done: number; total: number }>();
  const [folder, setFolder] = useState('');
  const [error, busy, run] = useAction();
  const go = (p: string) => {
    setSelected(undefined);
    location.hash = `#/bucket/${encodeURIComponent(bucket)}/objects/${encodeURIComponent(p)}`;
  };
  const onFiles = (files: FileList | null) =>
    files &&
    run(async () => {
      for (const f of Array.from(files)) {
        setProgress({ name: f.name, done: 0, total: f.size });
        await upload(bucket, prefix + f.name, f, (done, total) => setProgress({ name: f.name, done, total }));
      }
      list.reload();
    });
  const mkdir = (e: Event) => {
    e.preventDefault();
    run(async () => {
      await s3(bucket, prefix + folder.replace(/\/*$/, '/'), { method: 'PUT', body: '' });
      setFolder('');
      list.reload();
    });
  };
  const crumbs = prefix.split('/').filter(Boolean);
  return (
    <>
      <Section title="Objects">
        <nav class="crumbs">
          <a onClick={() => go('')}>{bucket}</a>
          {crumbs.map((c, i) => (
            <span key={i}> / <a onClick={() => go(crumbs.slice(0, i + 1).join('/') + '/')}>{c}</a></span>
          ))}
        </nav>
        <div class="row">
          <label class="upload">Upload files <input id="upload-input" type="file" multiple onChange={(e) => onFiles(e.currentTarget.files)} /></label>
          <form class="row" onSubmit={mkdir}>
            <input placeholder="new-folder" value={folder} onInput={(e) => setFolder(e.currentTarget.value)} />
            <button disabled={!folder || busy}>Create folder</button>
          </form>
          <button onClick={list.reload}>Refresh</button>
        </div>
        {progress && (
          <div class="progress">
            {progress.name}: <progress id="upload-progress" max={progress.total || 1} value={progress.done} /> {formatBytes(progress.done)} of {formatBytes(progress.total)}
            {progress.done === progress.total && !busy && <span id="upload-done"> done</span>}
          </div>
        )}
        <ErrorBox error={error || list.error} />
        <table id="objects">
          <thead><tr><th>Name</th><th>Size</th><th>Last modified</th></tr></thead>
          <tbody>
            {(list.data?.folders || []).map((f) => (
              <tr key={f} class="folder"><td><a onClick={() => go(f)}>📁 {f.slice(prefix.length)}</a></td><td /><td /></tr>
            ))}
            {(list.data?.objects || []).filter((o) => o.key !== prefix).map((o) => (
              <tr key={o.key} data-key={o.key} class={selected === o.key ? 'selected' : ''}>
                <td><a onClick={() => setSelected(o.key)}>{o.key.slice(prefix.length)}</a></td>
                <td>{formatBytes(o.size)}</td>
                <td>{new Date(o.modified).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      {selected && <ObjectDetail bucket={bucket} objKey={selected} onGone={() => { setSelected(undefined); list.reload(); }} />}
    </>
  );
}

function ObjectDetail({ bucket, objKey, onGone }: { bucket: string; objKey: string; onGone: () => void }) {
  const head = useLoad(async () => {
    const r = await s3(bucket, objKey, { method: 'HEAD' });
    const h: [string, string][] = [];
    // The object's own headers, not the transport's.
    r.headers.forEach((v, k) => /^(access-control-|vary$|date$|server$|x-amz-id-2$|x-amz-request-id$)/.test(k) || h.push([k, v]));
    return h;
  }, [bucket, objKey]);
  const versions = useLoad(async () => {
    const doc = await s3xml(bucket, '', { query: { versions: '', prefix: objKey } });
    return [...elems(doc, 'Version'), ...elems(doc, 'DeleteMarker')]
      .filter((v) => text(v, 'Key') === objKey)
      .map((v) => ({
        id: text(v, 'VersionId'),
        latest: text(v, 'IsLatest') === 'true',
        marker: v.tagName === 'DeleteMarker',
        size: Number(text(v, 'Size') || 0),
        modified: text(v, 'LastModified'),
      }));
  }, [bucket, objKey]);
  const [link, setLink] = useState('');
  const [expiry, setExpiry] = useState(3600);
  const [error, busy, run] = useAction();
  const name = objKey.split('/').pop() || objKey;
  const download = (versionId?: string) =>
    run(async () => {
      const q: Record<string, string> = { 'response-content-disposition': `attachment; filename="${name.replace(/"/g, '')}"` };
      if (versionId) q.versionId = versionId;
      const a = document.createElement('a');
      a.href = await presign(bucket, objKey, 300, q);
      a.download = name;
      document.body.appendChild(a);
      a.click();
      a.remove();
    });
  const share = () => run(async () => setLink(await presign(bucket, objKey, expiry)));
  const remove = (versionId?: string) =>
    confirm(versionId ? `Delete version ${versionId}?` : `Delete ${objKey}?`) &&
    run(async () => {
      await s3(bucket, objKey, { method: 'DELETE', query: versionId ? { versionId } : {} });
      versionId ? versions.reload() : onGone();
    });
  return (
    <Section title={objKey}>
      <div class="row">
        <button id="download" onClick={() => download()} disabled={busy}>Download</button>
        <button class="danger" id="delete-object" onClick={() => remove()} disabled={busy}>Delete</button>
        <span class="inline">Share link valid for
          <select value={expiry} onChange={(e) => setExpiry(Number(e.currentTarget.value))}>
            <option value={900}>15 minutes</option><option value={3600}>1 hour</option><option value={86400}>1 day</option><option value={604800}>7 days</option>
          </select>
        </span>
        <button id="share" onClick={share}>Create share link</button>
      </div>
      {link && <p><input id="share-link" class="wide" readOnly value={link} onFocus={(e) => e.currentTarget.select()} /></p>}
      <ErrorBox error={error} />
      <h3>Metadata</h3>
      <ErrorBox error={head.error} />
      <table class="kv" id="metadata">
        <tbody>{(head.data || []).map(([k, v]) => <tr key={k}><th>{k}</th><td>{v}</td></tr>)}</tbody>
      </table>
      <h3>Tags</h3>
      <TagEditor bucket={bucket} objKey={objKey} />
      <h3>Versions</h3>
      <ErrorBox error={versions.error} />
      <table id="versions">
        <thead><tr><th>Version</th><th>Size</th><th>Modified</th><th /></tr></thead>
        <tbody>
          {(versions.data || []).map((v) => (
            <tr key={v.id}>
              <td>{v.id}{v.latest ? ' (latest)' : ''}{v.marker ? ' delete marker' : ''}</td>
              <td>{v.marker ? '' : formatBytes(v.size)}</td>
              <td>{new Date(v.modified).toLocaleString()}</td>
              <td class="actions">
                {!v.marker && <button onClick={() => download(v.id)}>Download</button>}
                <button class="danger" onClick={() => remove(v.id)}>Delete</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
