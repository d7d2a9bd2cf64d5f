import { useEffect, useState } from 'preact/hooks';
import { formatBytes } from '../api';
import { ErrorBox, Section } from '../ui';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

// parse reads the Prometheus text format (the lines this page needs).
export function parse(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line[0] === '#') continue;
    const m = line.match(/^([a-zA-Z_:][\w:]*)(\{(.*)\})?\s+(\S+)/);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[3] || '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return out;
}

const sum = (s: Sample[], name: string) => s.filter((x) => x.name === name).reduce((a, x) => a + x.value, 0);

// Server shows the server's state from its Prometheus metrics, scraped
// from the console's own /metrics (the same endpoint and token as the
// API's /_talus/metrics).
export function Server() {
  const [token, setToken] = useState(sessionStorage.getItem('talus.metricsToken') || '');
  const [now, setNow] = useState<{ at: number; s: Sample[] }>();
  const [prev, setPrev] = useState<{ at: number; s: Sample[] }>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    const scrape = async () => {
      try {
        const r = await fetch('metrics', { headers: token ? { Authorization: 'Bearer ' + token } : {} });
        if (r.status === 401) throw new Error('The metrics need a bearer token: enter it below.');
        if (!r.ok) throw new Error(`metrics: HTTP ${r.status}`);
        const s = parse(await r.text());
        if (!live) return;
        setError(undefined);
        setNow((cur) => {
          setPrev(cur);
          return { at: Date.now(), s };
        });
      } catch (e: any) {
        live && setError(String(e.message || e));
      }
    };
    scrape();
    const t = setInterval(scrape, 5000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [token]);
  const s = now?.s || [];
  const version = s.find((x) => x.name === 'talus_build_info')?.labels.version || '';
  const uptime = sum(s, 'talus_uptime_seconds');
  const free = sum(s, 'talus_disk_free_bytes');
  const total = sum(s, 'talus_disk_total_bytes');
  const rates: [string, number][] = [];
  if (now && prev) {
    const dt = (now.at - prev.at) / 1000;
    const byOp = (x: Sample[]) => {
      const m: Record<string, number> = {};
      for (const v of x.filter((v) => v.name === 'talus_http_requests_total')) m[`${v.labels.api} ${v.labels.operation}`] = (m[`${v.labels.api} ${v.labels.operation}`] || 0) + v.value;
      return m;
    };
    const a = byOp(prev.s);
    const b = byOp(now.s);
    for (const k of Object.keys(b)) if (b[k] - (a[k] || 0) > 0) rates.push([k, (b[k] - (a[k] || 0)) / dt]);
    rates.sort((x, y) => y[1] - x[1]);
  }
  const buckets = s.filter((x) => x.name === 'talus_bucket_bytes');
  return (
    <>
      <Section title="Server">
        <ErrorBox error={error} />
        <table class="kv" id="server-info">
          <tbody>
            <tr><th>Version</th><td id="server-version">{version}</td></tr>
            <tr><th>Uptime</th><td>{uptime ? `${Math.floor(uptime / 3600)}h ${Math.floor((uptime % 3600) / 60)}m ${Math.floor(uptime % 60)}s` : ''}</td></tr>
            <tr><th>Disk</th><td>{total ? `${formatBytes(total - free)} used of ${formatBytes(total)} (${formatBytes(free)} free)` : ''}</td></tr>
            <tr><th>Objects</th><td id="server-objects">{now ? sum(s, 'talus_bucket_objects') : ''}</td></tr>
            <tr><th>Bytes stored</th><td>{now ? formatBytes(sum(s, 'talus_bucket_bytes')) : ''}</td></tr>
          </tbody>
        </table>
        <label class="inline">Metrics token
          <input type="password" value={token} onChange={(e) => { sessionStorage.setItem('talus.metricsToken', e.currentTarget.value); setToken(e.currentTarget.value); }} />
        </label>
      </Section>
      <Section title="Request rates (per second, over the last 5 s)">
        {rates.length === 0 ? <p class="muted">{prev ? 'No requests.' : 'Measuring…'}</p> : (
          <table id="rates"><tbody>{rates.map(([k, r]) => <tr key={k}><th>{k}</th><td>{r.toFixed(2)}</td></tr>)}</tbody></table>
        )}
      </Section>
      <Section title="Buckets">
        <table><thead><tr><th>Bucket</th><th>Objects</th><th>Bytes</th></tr></thead>
          <tbody>{buckets.map((b) => (
            <tr key={b.labels.bucket}><td>{b.labels.bucket}</td>
              <td>{s.find((x) => x.name === 'talus_bucket_objects' && x.labels.bucket === b.labels.bucket)?.value}</td>
              <td>{formatBytes(b.value)}</td></tr>
          ))}</tbody></table>
      </Section>
    </>
  );
}
