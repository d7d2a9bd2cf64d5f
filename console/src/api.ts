// Every call the console makes goes to Talus's public S3, IAM and KMS
// APIs, signed in the browser with SigV4 (aws4fetch) using the keys the
// user signed in with. Nothing here talks to a private endpoint.
import { AwsClient } from 'aws4fetch';

export interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface Config {
  endpoint: string; // the S3/IAM/KMS API, e.g. http://host:9000
  region: string;
}

export class APIError extends Error {
  constructor(public status: number, public code: string, message: string) {
    super(code ? `${code}: ${message}` : message);
  }
}

let cfg: Config;
let creds: Creds | null = null;
const clients: Record<string, AwsClient> = {};

export async function loadConfig(): Promise<Config> {
  const r = await fetch('config.json');
  const c = await r.json();
  const endpoint = c.endpoint || `${location.protocol}//${location.hostname}:${c.apiPort}`;
  cfg = { endpoint: endpoint.replace(/\/$/, ''), region: c.region };
  return cfg;
}

export function config(): Config {
  return cfg;
}

export function setCreds(c: Creds | null) {
  creds = c;
  for (const k of Object.keys(clients)) delete clients[k];
  if (c) sessionStorage.setItem('talus.creds', JSON.stringify(c));
  else sessionStorage.removeItem('talus.creds');
}

export function savedCreds(): Creds | null {
  const s = sessionStorage.getItem('talus.creds');
  return s ? JSON.parse(s) : null;
}

export function signedIn(): Creds | null {
  return creds;
}

function client(service: string): AwsClient {
  if (!creds) throw new APIError(0, 'NotSignedIn', 'Sign in first.');
  if (!clients[service]) {
    clients[service] = new AwsClient({ ...creds, service, region: cfg.region, retries: 0 });
  }
  return clients[service];
}

// encodeKey escapes an object key for the path, keeping its slashes.
export function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

export function s3url(bucket = '', key = '', query: Record<string, string> = {}): string {
  let u = cfg.endpoint + '/';
  if (bucket) u += encodeURIComponent(bucket);
  if (key) u += '/' + encodeKey(key);
  const q = new URLSearchParams(query).toString().replace(/=(&|$)/g, '$1');
  return q ? `${u}?${q}` : u;
}

// xmlError turns an S3 error body into an APIError.
function xmlError(status: number, text: string): APIError {
  const doc = new DOMParser().parseFromString(text || '<x/>', 'application/xml');
  const code = doc.querySelector('Code')?.textContent || `HTTP${status}`;
  const msg = doc.querySelector('Message')?.textContent || '';
  return new APIError(status, code, msg);
}

export interface S3Options {
  method?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: BodyInit | null;
  // integrity adds the body's SHA-256 checksum (x-amz-checksum-sha256).
  integrity?: boolean;
}

// sha256 is the base64 SHA-256 of a document.
async function sha256(text: string): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return btoa(String.fromCharCode(...d));
}

// s3 sends one signed S3 request; a non-2xx answer throws its S3 error.
// Configuration documents carry their SHA-256 checksum (integrity): S3
// requires an integrity header on some (CORS, lifecycle, Object Lock),
// and browsers have no MD5 for Content-MD5.
export async function s3(bucket: string, key: string, o: S3Options = {}): Promise<Response> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.integrity && typeof o.body === 'string') headers['x-amz-checksum-sha256'] = await sha256(o.body);
  const req = await client('s3').sign(s3url(bucket, key, o.query), {
    method: o.method || 'GET',
    headers,
    body: o.body,
  });
  const r = await fetch(req);
  if (!r.ok) throw xmlError(r.status, await r.text());
  return r;
}

export async function s3xml(bucket: string, key: string, o: S3Options = {}): Promise<Document> {
  const r = await s3(bucket, key, o);
  return new DOMParser().parseFromString(await r.text(), 'application/xml');
}

// presign returns a GET URL for the object, valid for seconds.
export async function presign(bucket: string, key: string, seconds: number, query: Record<string, string> = {}): Promise<string> {
  const u = new URL(s3url(bucket, key, query));
  u.searchParams.set('X-Amz-Expires', String(seconds));
  const req = await client('s3').sign(u.toString(), { method: 'GET', aws: { signQuery: true } });
  return req.url;
}

// iam calls an IAM query action and returns the response document.
export async function iam(action: string, params: Record<string, string> = {}): Promise<Document> {
  const body = new URLSearchParams({ Action: action, Version: '2010-05-08', ...params }).toString();
  const req = await client('iam').sign(cfg.endpoint + '/', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
  });
  const r = await fetch(req);
  const text = await r.text();
  if (!r.ok) throw xmlError(r.status, text);
  return new DOMParser().parseFromString(text, 'application/xml');
}

// kms calls a KMS JSON action.
export async function kms(action: string, input: object = {}): Promise<any> {
  const req = await client('kms').sign(cfg.endpoint + '/', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'TrentService.' + action },
    body: JSON.stringify(input),
  });
  const r = await fetch(req);
  const out = await r.json().catch(() => ({}));
  if (!r.ok) throw new APIError(r.status, out.__type || `HTTP${r.status}`, out.message || '');
  return out;
}

// texts returns the text of every element named tag under node.
export function texts(node: Document | Element, tag: string): string[] {
  return Array.from(node.getElementsByTagName(tag)).map((e) => e.textContent || '');
}

export function text(node: Document | Element, tag: string): string {
  return node.getElementsByTagName(tag)[0]?.textContent || '';
}

export function elems(node: Document | Element, tag: string): Element[] {
  return Array.from(node.getElementsByTagName(tag));
}

export function escapeXML(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

export function formatBytes(n: number): string {
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i ? n.toFixed(1) : n} ${u[i]}`;
}
