import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { safeFileName, type Attachment } from '../../../src/domain/claim.js';

/** The largest file the web chat takes (10 MB). */
export const WEB_FILE_LIMIT_BYTES = 10 * 1024 * 1024;

/** The file types the web chat takes, by the type the browser names (the bytes must agree). */
export const WEB_FILE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/heic', 'image/heif', 'application/pdf', 'text/plain', 'video/mp4'] as const;
export type WebFileType = (typeof WEB_FILE_TYPES)[number];

/** The declared type, lower-cased without parameters, if it is one the chat takes. */
export function allowedType(contentType: string | undefined): WebFileType | undefined {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return (WEB_FILE_TYPES as readonly string[]).includes(type) ? (type as WebFileType) : undefined;
}

const startsWith = (bytes: Buffer, signature: readonly number[], at = 0) => bytes.length >= at + signature.length && signature.every((byte, i) => bytes[at + i] === byte);
const ascii = (bytes: Buffer, from: number, to: number) => (bytes.length >= to ? bytes.toString('latin1', from, to) : '');

/** ISO base media brands (the `ftyp` box) of HEIF/HEIC stills and of MP4 video. */
const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1', 'avif']);
const MP4_BRANDS = new Set(['isom', 'iso2', 'iso4', 'iso5', 'iso6', 'mp41', 'mp42', 'avc1', 'M4V ', 'dash', 'mp4v', 'MSNV', 'f4v ']);

/** The brands an `ftyp` box names (major and compatible), or undefined when there is no such box. */
function ftypBrands(bytes: Buffer): string[] | undefined {
  if (ascii(bytes, 4, 8) !== 'ftyp' || bytes.length < 16) return undefined;
  const size = Math.min(bytes.readUInt32BE(0), bytes.length, 256);
  const brands = [ascii(bytes, 8, 12)];
  for (let at = 16; at + 4 <= size; at += 4) brands.push(ascii(bytes, at, at + 4));
  return brands;
}

/** Plain text: valid UTF-8 with no NUL and no control characters but tabs, line breaks and form feeds. */
function isPlainText(bytes: Buffer): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // a fatal TextDecoder throws a TypeError exactly for bytes that are not UTF-8
    return false;
  }
  // eslint-disable-next-line no-control-regex -- looking for control characters is the point
  return !/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text);
}

/**
 * Whether a file's bytes are what its declared type says, by their signature ("magic bytes"):
 * a program renamed `photo.jpg` and sent as `image/jpeg` is refused.
 * @example matchesType(Buffer.from('%PDF-1.7…'), 'application/pdf') // true
 */
export function matchesType(bytes: Buffer, type: WebFileType): boolean {
  switch (type) {
    case 'image/jpeg':
      return startsWith(bytes, [0xff, 0xd8, 0xff]);
    case 'image/png':
      return startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    case 'image/gif':
      return ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a';
    case 'image/webp':
      return ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP';
    case 'image/heic':
    case 'image/heif':
      return ftypBrands(bytes)?.some((brand) => HEIF_BRANDS.has(brand)) ?? false;
    case 'video/mp4':
      return ftypBrands(bytes)?.some((brand) => MP4_BRANDS.has(brand)) ?? false;
    case 'application/pdf':
      return ascii(bytes, 0, 5) === '%PDF-';
    case 'text/plain':
      return isPlainText(bytes);
  }
}

/** How the desk files it: photos, videos, the rest as documents. */
export function kindOf(type: WebFileType): Attachment['kind'] {
  if (type.startsWith('image/')) return 'photo';
  if (type.startsWith('video/')) return 'video';
  return 'document';
}

/** The extension each type is saved under. */
const EXTENSIONS: Readonly<Record<WebFileType, string>> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/heic': 'heic',
  'image/heif': 'heif',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
  'video/mp4': 'mp4',
};

/**
 * The name a stored upload is downloaded under: the customer's name without control or bidi
 * characters, quotes or backslashes, and with the extension of the type its bytes were checked
 * as (never the customer's own: `poly.gif.html` of a GIF is saved as `poly.gif`, `page.html` of a
 * PDF as `page.pdf`); a type the chat does not take is saved as `.bin`.
 * @example downloadName('page.html', 'application/pdf') // 'page.pdf'
 */
export function downloadName(name: string | undefined, type: string): string {
  const extension = (EXTENSIONS as Readonly<Record<string, string>>)[type] ?? 'bin';
  const base = (safeFileName(name) ?? 'file').replace(/["\\]/g, '_');
  if (base.toLowerCase().endsWith(`.${extension}`)) return base;
  const stem = base.replace(/\.[^.]*$/, '').trim();
  if (stem.toLowerCase().endsWith(`.${extension}`)) return stem;
  return `${stem === '' ? 'file' : stem}.${extension}`;
}

/**
 * Sends a customer's file as a download, never shown inline (it came from a customer): its name
 * made safe with the extension of its type, a type the desk knows or octet-stream, sandboxed.
 */
export async function sendDownload(res: ServerResponse, file: { readonly name: string | undefined; readonly mimeType: string; readonly size: number | undefined; readonly stream: Readable }): Promise<void> {
  const name = downloadName(file.name, file.mimeType);
  res.writeHead(200, {
    'content-type': allowedType(file.mimeType) ?? 'application/octet-stream',
    ...(file.size !== undefined ? { 'content-length': file.size } : {}),
    'content-disposition': `attachment; filename="${name.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
    'content-security-policy': "default-src 'none'; sandbox",
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  await pipeline(file.stream, res);
}
