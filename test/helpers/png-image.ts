import { deflateSync } from 'node:zlib';

/**
 * A real, decodable PNG of `width` × `height` pixels that looks like a photographed letter (paper with
 * lines of dark "text"), something a browser can draw (a file of magic bytes alone would not), for tests
 * of photo uploads.
 */
export function pngImage(width: number, height: number, options: { grain?: number } = {}): Buffer {
  // A camera's grain (± `grain` per channel, the same every run): what makes a phone photo megabytes.
  let seed = 2463534242;
  const grain = () => {
    if (!options.grain) return 0;
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return ((seed >>> 0) % (2 * options.grain + 1)) - options.grain;
  };
  const rows = Buffer.alloc((width * 3 + 1) * height);
  const margin = Math.round(width / 10);
  const lineEvery = Math.max(8, Math.round(height / 20));
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    rows[row] = 0; // filter: none
    const textLine = y > lineEvery * 2 && y % lineEvery < lineEvery / 3;
    const lineEnd = width - margin - ((y * 37) % (width / 3)); // ragged right edge, as text is
    for (let x = 0; x < width; x++) {
      const at = row + 1 + x * 3;
      const ink = textLine && x > margin && x < lineEnd;
      rows[at] = (ink ? 60 : 230) + grain();
      rows[at + 1] = (ink ? 60 : 226) + grain();
      rows[at + 2] = (ink ? 70 : 214) + grain();
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB, deflate, no filter set, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
