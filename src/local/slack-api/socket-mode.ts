// A Socket Mode stand-in: the WebSocket that `apps.connections.open` hands out. It greets each
// connection with Slack's `hello`, sends envelopes (a slash command, an interaction) and
// hands back the client's ack. Just enough of RFC 6455 for one local client: text frames,
// ping answered with pong, close; no extensions, no fragmented messages.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { listen } from '../../lib/listen.ts';
import type { JsonObject } from './types.ts';

const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const TEXT = 0x1;
const CLOSE = 0x8;
const PING = 0x9;
const PONG = 0xa;

export interface SocketModeStandIn {
  /** `ws://127.0.0.1:PORT/link`: what apps.connections.open answers. */
  url: string;
  /** Resolves once a client has connected and been sent `hello`. */
  connected(): Promise<void>;
  /** Sends an envelope of `type` with `payload`; resolves with the client's ack. */
  send(type: string, payload: JsonObject): Promise<JsonObject>;
  close(): Promise<void>;
}

function frame(opcode: number, data: Buffer): Buffer {
  const length = data.length;
  const head =
    length < 126
      ? Buffer.from([0x80 | opcode, length])
      : length < 65536
        ? Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff])
        : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigLength(length)]);
  return Buffer.concat([head, data]);
}

function bigLength(length: number): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64BE(BigInt(length));
  return buffer;
}

/** Whole frames at the start of `buffer` (client frames are masked) and what is left. */
function readFrames(buffer: Buffer): { frames: { opcode: number; data: Buffer }[]; rest: Buffer } {
  // (Buffers here are node's own, never shared memory.)
  const frames: { opcode: number; data: Buffer }[] = [];
  let at = 0;
  for (;;) {
    if (buffer.length - at < 2) break;
    const opcode = (buffer[at] as number) & 0x0f;
    const masked = ((buffer[at + 1] as number) & 0x80) !== 0;
    let length = (buffer[at + 1] as number) & 0x7f;
    let offset = at + 2;
    if (length === 126) {
      if (buffer.length < offset + 2) break;
      length = buffer.readUInt16BE(offset);
      offset += 2;
    } else if (length === 127) {
      if (buffer.length < offset + 8) break;
      length = Number(buffer.readBigUInt64BE(offset));
      offset += 8;
    }
    const maskAt = offset;
    if (masked) offset += 4;
    if (buffer.length < offset + length) break;
    const data = Buffer.from(buffer.subarray(offset, offset + length));
    if (masked) {
      for (let i = 0; i < data.length; i += 1) {
        data[i] = (data[i] as number) ^ (buffer[maskAt + (i % 4)] as number);
      }
    }
    frames.push({ opcode, data });
    at = offset + length;
  }
  return { frames, rest: buffer.subarray(at) };
}

/** Starts the Socket Mode stand-in on loopback, for the app `appId`. */
export async function startSocketMode(appId = 'A0LOCAL001'): Promise<SocketModeStandIn> {
  const sockets = new Set<Socket>();
  const acks = new Map<string, (ack: JsonObject) => void>();
  let current: Socket | undefined;
  let onConnect: (() => void) | undefined;
  const connected = new Promise<void>((resolve) => (onConnect = resolve));
  let sequence = 0;

  const server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' });
    res.end('WebSocket only');
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    const key = req.headers['sec-websocket-key'];
    if (typeof key !== 'string') return socket.destroy();
    const accept = createHash('sha1').update(`${key}${HANDSHAKE_GUID}`).digest('base64');
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      const { frames, rest } = readFrames(Buffer.concat([pending, chunk]));
      pending = rest;
      for (const { opcode, data } of frames) {
        if (opcode === PING) socket.write(frame(PONG, data));
        else if (opcode === CLOSE) socket.end(frame(CLOSE, Buffer.alloc(0)));
        else if (opcode === TEXT) {
          const ack = JSON.parse(data.toString('utf8')) as JsonObject;
          const id = typeof ack.envelope_id === 'string' ? ack.envelope_id : '';
          acks.get(id)?.(ack);
          acks.delete(id);
        }
      }
    });
    const hello = {
      type: 'hello',
      num_connections: 1,
      debug_info: { host: 'socket-mode-stand-in', approximate_connection_time: 3600 },
      connection_info: { app_id: appId },
    };
    socket.write(frame(TEXT, Buffer.from(JSON.stringify(hello))));
    current = socket;
    onConnect?.();
  });
  await listen(server, 0, '127.0.0.1');
  const { port } = server.address() as AddressInfo;

  return {
    url: `ws://127.0.0.1:${port}/link`,
    connected: () => connected,
    async send(type, payload) {
      await connected;
      sequence += 1;
      const envelopeId = `env-${sequence}`;
      const acked = new Promise<JsonObject>((resolve) => acks.set(envelopeId, resolve));
      const envelope = { envelope_id: envelopeId, type, payload, accepts_response_payload: true };
      current?.write(frame(TEXT, Buffer.from(JSON.stringify(envelope))));
      return acked;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
