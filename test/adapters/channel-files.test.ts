import { describe, expect, it } from 'vitest';
import { text } from 'node:stream/consumers';
import { limitedBody } from '../../adapters/files/channel-files.js';

/** #25: a channel file is streamed within the size limit, whatever its length says. */

const chunks = (count: number, size: number) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < count; i++) controller.enqueue(new Uint8Array(size).fill(0x61));
      controller.close();
    },
  });

describe('limitedBody', () => {
  it('passes a file within the limit through whole', async () => {
    const fetched = limitedBody(new Response(chunks(4, 100)), 400);
    if (!fetched.ok) throw new Error('expected the file');
    expect((await text(fetched.file.stream)).length).toBe(400);
  });

  it('answers too_big when the declared length is over the limit, without reading', () => {
    expect(limitedBody(new Response(chunks(1, 10), { headers: { 'content-length': '401' } }), 400)).toEqual({ ok: false, reason: 'too_big' });
  });

  it('cuts a file that grows past the limit without saying its length', async () => {
    const fetched = limitedBody(new Response(chunks(5, 100)), 400);
    if (!fetched.ok) throw new Error('expected the stream');
    await expect(text(fetched.file.stream)).rejects.toThrow('file over the size limit');
  });
});
