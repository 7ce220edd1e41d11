// A generated tile for the live check's process call, as the acceptance test makes one
// (check_service.py): a square 8-bit RGB PNG of 256 + 2 × padding px (a field-like
// gradient with a road and two bright patches, so a detector has edges to look at), and
// the ground resolution of the spec's zoom. No image library: PNG is a few zlib chunks.
import { crc32, deflateSync } from 'node:zlib';

/** Metres per pixel at the equator at zoom 0 (Web Mercator, 256 px tiles). */
const EQUATOR_RESOLUTION = 156_543.03392;

/** The `resolution` of a process request at `zoom`. */
export function resolutionAt(zoom: number): number {
  return EQUATOR_RESOLUTION / 2 ** zoom;
}

function chunk(kind: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(kind, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** The RGB of one pixel of a `size` px tile. */
function pixel(x: number, y: number, size: number): [number, number, number] {
  if (Math.abs(x - y) < 6) return [120, 120, 120]; // a diagonal road
  const roof = size / 5 <= x && x < size / 5 + size / 6 && size / 4 <= y && y < size / 4 + size / 7;
  if (roof) return [230, 225, 215];
  const dx = x - (2 * size) / 3;
  const dy = y - (2 * size) / 3;
  if (dx * dx + dy * dy < (size / 10) ** 2) return [200, 70, 60];
  return [60 + Math.floor((x * 90) / size), 90 + Math.floor((y * 80) / size), 50 + ((x ^ y) & 31)];
}

/** A `size` × `size` PNG tile. */
export function tilePng(size: number): Buffer {
  const rows = Buffer.alloc(size * (1 + 3 * size));
  for (let y = 0; y < size; y += 1) {
    const row = y * (1 + 3 * size); // each row starts with filter type 0 (none)
    for (let x = 0; x < size; x += 1) rows.set(pixel(x, y, size), row + 1 + 3 * x);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit, RGB, deflate, no filter method, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
