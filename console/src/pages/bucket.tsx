import { useEffect, useState } from 'preact/hooks';
import { s3, s3xml, text } from '../api';
import { ErrorBox, Section, navigate, useAction, useLoad } from '../ui';
import { Objects } from './objects';
import { TagEditor } from './tags';

// Bucket is one bucket: its objects, or its settings.
export function Bucket({ bucket, tab, rest }: { bucket: string; tab: string; rest: string }) {
  const link = (t: string) => `#/bucket/${encodeURIComponent(bucket)}/${t}`;
  return (
    <>
      <h1>{bucket}</h1>
      <nav class="tabs">
        <a href={link('objects')} class={tab !== 'settings' ? 'active' : ''}>Objects</a>
        <a href={link('settings')} id="settings-tab" class={tab === 'settings' ? 'active' : ''}>Settings</a>
      </nav>
      {tab === 'settings' ? <Settings bucket={bucket} /> : <Objects bucket={bucket} prefix={rest} />}
    </>
  );
}

function Settings({ bucket }: { bucket: string }) {
  return (
    <>
      <Versioning bucket={bucket} />
      <Section title="Tags"><TagEditor bucket={bucket} /></Section>
      <Setting bucket={bucket} sub="policy" title="Bucket policy (JSON)" missing="NoSuchBucketPolicy" json
        sample={`{\n  "Version": "2012-10-17",\n  "Statement": [{\n    "Effect": "Allow",\n    "Principal": "*",\n    "Action": "s3:GetObject",\n    "Resource": "arn:aws:s3:::${bucket}/*"\n  }]\n}`} />
      <Setting bucket={bucket} sub="cors" title="CORS" missing="NoSuchCORSConfiguration"
        sample={`<CORSConfiguration>\n  <CORSRule>\n    <AllowedOrigin>https://example.com</AllowedOrigin>\n    <AllowedMethod>GET</AllowedMethod>\n    <AllowedHeader>*</AllowedHeader>\n    <MaxAgeSeconds>3000</MaxAgeSeconds>\n  </CORSRule>\n</CORSConfiguration>`} />
      <Setting bucket={bucket} sub="lifecycle" title="Lifecycle" missing="NoSuchLifecycleConfiguration"
        sample={`<LifecycleConfiguration>\n  <Rule>\n    <ID>expire-old</ID>\n    <Filter><Prefix>logs/</Prefix></Filter>\n    <Status>Enabled</Status>\n    <Expiration><Days>30</Days></Expiration>\n  </Rule>\n</LifecycleConfiguration>`} />
      <Setting bucket={bucket} sub="encryption" title="Default encryption" missing="ServerSideEncryptionConfigurationNotFoundError"
        sample={`<ServerSideEncryptionConfiguration>\n  <Rule>\n    <ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault>\n  </Rule>\n</ServerSideEncryptionConfiguration>`} />
      <Setting bucket={bucket} sub="notification" title="Event notifications" missing="" noDelete
        sample={`<NotificationConfiguration>\n  <QueueConfiguration>\n    <Id>created</Id>\n    <Queue>arn:aws:sqs:us-east-1:000000000000:webhook</Queue>\n    <Event>s3:ObjectCreated:*</Event>\n  </QueueConfiguration>\n</NotificationConfiguration>`} />
      <Setting bucket={bucket} sub="replication" title="Replication" missing="ReplicationConfigurationNotFoundError"
        sample={`<ReplicationConfiguration>\n  <Role>arn:aws:iam::000000000000:role/replication</Role>\n  <Rule>\n    <ID>all</ID>\n    <Priority>1</Priority>\n    <Status>Enabled</Status>\n    <Filter><Prefix></Prefix></Filter>\n    <DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication>\n    <Destination><Bucket>arn:aws:s3:::destination-bucket</Bucket></Destination>\n  </Rule>\n</ReplicationConfiguration>`} />
      <Setting bucket={bucket} sub="website" title="Static website" missing="NoSuchWebsiteConfiguration"
        sample={`<WebsiteConfiguration>\n  <IndexDocument><Suffix>index.html</Suffix></IndexDocument>\n  <ErrorDocument><Key>error.html</Key></ErrorDocument>\n</WebsiteConfiguration>`} />
      <Setting bucket={bucket} sub="object-lock" title="Object Lock" missing="ObjectLockConfigurationNotFoundError" noDelete
        sample={`<ObjectLockConfiguration>\n  <ObjectLockEnabled>Enabled</ObjectLockEnabled>\n  <Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days></DefaultRetention></Rule>\n</ObjectLockConfiguration>`} />
    </>
  );
}

function Versioning({ bucket }: { bucket: string }) {
  const st = useLoad(async () => text(await s3xml(bucket, '', { query: { versioning: '' } }), 'Status'), [bucket]);
  const [error, busy, run] = useAction();
  const set = (status: string) =>
    run(async () => {
      await s3(bucket, '', {
        method: 'PUT', query: { versioning: '' }, integrity: true, headers: { 'Content-Type': 'application/xml' },
        body: `<VersioningConfiguration><Status>${status}</Status></VersioningConfiguration>`,
      });
      st.reload();
    });
  return (
    <Section title="Versioning">
      <ErrorBox error={st.error || error} />
      <p>Status: <b id="versioning-status">{st.data || 'Disabled'}</b></p>
      <div class="row">
        <button id="versioning-enable" disabled={busy || st.data === 'Enabled'} onClick={() => set('Enabled')}>Enable</button>
        <button id="versioning-suspend" disabled={busy || st.data !== 'Enabled'} onClick={() => set('Suspended')}>Suspend</button>
      </div>
    </Section>
  );
}

// Setting edits one bucket subresource's document as text: S3 validates
// it, and its error is shown as S3 sent it.
function Setting(p: { bucket: string; sub: string; title: string; missing: string; sample: string; json?: boolean; noDelete?: boolean }) {
  const doc = useLoad(async () => {
    try {
      const r = await s3(p.bucket, '', { query: { [p.sub]: '' } });
      const body = await r.text();
      if (p.json) return body;
      // An empty document (a bucket without notifications) is "not configured".
      if (!new DOMParser().parseFromString(body, 'application/xml').documentElement.children.length) return '';
      return prettyXML(body);
    } catch (e: any) {
      if (e.code === p.missing) return '';
      throw e;
    }
  }, [p.bucket, p.sub]);
  const [value, setValue] = useState('');
  const [saved, setSaved] = useState('');
  useEffect(() => setValue(doc.data || ''), [doc.data]);
  const [error, busy, run] = useAction();
  const save = () =>
    run(async () => {
      setSaved('');
      await s3(p.bucket, '', { method: 'PUT', query: { [p.sub]: '' }, body: value, integrity: true, headers: { 'Content-Type': p.json ? 'application/json' : 'application/xml' } });
      setSaved('Saved');
      doc.reload();
    });
  const remove = () =>
    run(async () => {
      await s3(p.bucket, '', { method: 'DELETE', query: { [p.sub]: '' } });
      setSaved('Removed');
      doc.reload();
    });
  return (
    <Section title={p.title}>
      <ErrorBox error={doc.error || error} />
      {doc.data === '' && <p class="muted">Not configured.</p>}
      <textarea id={`setting-${p.sub}`} rows={8} value={value} onInput={(e) => setValue(e.currentTarget.value)} spellcheck={false} />
      <div class="row">
        <button class="primary" id={`save-${p.sub}`} disabled={busy || !value} onClick={save}>Save</button>
        {!value && <button id={`example-${p.sub}`} onClick={() => setValue(p.sample)}>Start from an example</button>}
        {!p.noDelete && doc.data && <button class="danger" disabled={busy} onClick={remove}>Remove</button>}
        {saved && <span class="ok" id={`saved-${p.sub}`}>{saved}</span>}
      </div>
    </Section>
  );
}

// prettyXML puts each element on its own line, indented, for editing.
function prettyXML(xml: string): string {
  let depth = 0;
  return xml
    .replace(/<\?xml[^>]*\?>\s*/, '')
    .replace(/>\s*</g, '>\n<')
    .split('\n')
    .map((line) => {
      if (/^<\//.test(line)) depth--;
      const out = '  '.repeat(Math.max(depth, 0)) + line;
      if (/^<[^!?/][^>]*[^/]>$/.test(line) && !/<\//.test(line)) depth++;
      return out;
    })
    .join('\n');
}

export { navigate };
