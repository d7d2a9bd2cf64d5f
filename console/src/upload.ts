// upload stores a file as one PUT, or above partSize as a multipart upload
// with a few parts in flight, reporting progress as parts complete.
import { s3, s3xml, text, escapeXML } from './api';

export const partSize = 8 << 20;
const inFlight = 3;

export async function upload(bucket: string, key: string, file: Blob, progress: (done: number, total: number) => void) {
  const type = (file as File).type || 'application/octet-stream';
  if (file.size <= partSize) {
    await s3(bucket, key, { method: 'PUT', body: file, headers: { 'Content-Type': type } });
    progress(file.size, file.size);
    return;
  }
  const created = await s3xml(bucket, key, { method: 'POST', query: { uploads: '' }, headers: { 'Content-Type': type } });
  const uploadId = text(created, 'UploadId');
  const count = Math.ceil(file.size / partSize);
  const etags: string[] = new Array(count);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const part = file.slice(i * partSize, Math.min(file.size, (i + 1) * partSize));
      const r = await s3(bucket, key, { method: 'PUT', query: { partNumber: String(i + 1), uploadId }, body: part });
      etags[i] = r.headers.get('ETag') || '';
      done += part.size;
      progress(done, file.size);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
    const body =
      '<CompleteMultipartUpload>' +
      etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${escapeXML(e)}</ETag></Part>`).join('') +
      '</CompleteMultipartUpload>';
    await s3(bucket, key, { method: 'POST', query: { uploadId }, body, headers: { 'Content-Type': 'application/xml' } });
  } catch (e) {
    await s3(bucket, key, { method: 'DELETE', query: { uploadId } }).catch(() => {});
    throw e;
  }
}
