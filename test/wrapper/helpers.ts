/**
 * Test helpers for the generated Python wrapper: start the real app under gunicorn,
 * make tiles, call the endpoints and run the acceptance check script.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';
import { dump } from 'js-yaml';
import { type GunicornService, startGunicorn as launchGunicorn } from '../../src/local/gunicorn.ts';
import { requirePython } from '../helpers/python.ts';
import { runProcess } from '../helpers/run-process.ts';

/** Debian's Python, the one with python3-flask, gunicorn, python3-yaml, python3-pil, numpy. */
export const PYTHON = requirePython();
export const TEMPLATES = fileURLToPath(new URL('../../src/bundle/templates/', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../fixtures/predictors/', import.meta.url));
export const CHECK_SCRIPT = join(TEMPLATES, 'check_service.py');
export const EQUATOR_RESOLUTION = 156543.03392;
/** Codes the Playground retries; a bad request or a bad result must never get one. */
export const TRANSIENT = [408, 423, 429, 500, 502, 503, 504];

/** Python's environment for the wrapper: fixtures importable, no __pycache__ in the repo. */
export function pythonEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, PYTHONPATH: FIXTURES, PYTHONDONTWRITEBYTECODE: '1', ...extra };
}

export interface ServiceOptions {
  predictorPackage: string;
  predictorClass: string;
  padding?: number;
  zoom?: number;
  /** Extra or replaced env_variables (e.g. DESCRIBE_TITLE). */
  env?: Record<string, string>;
  /** env_variables to leave out, for configuration-error tests. */
  omit?: string[];
}

export interface Service {
  url: string;
  dir: string;
  /** What gunicorn and the app printed so far (stdout and stderr). */
  logs(): string;
  stop(): Promise<void>;
}

/** The app.yaml shape the renderer produces: App Engine settings plus env_variables. */
export function appYaml(options: ServiceOptions): string {
  const env: Record<string, string> = {
    PREDICTOR_CLASS: options.predictorClass,
    PREDICTOR_PACKAGE: options.predictorPackage,
    PROJECT_NAME: 'playground-test',
    ZOOM_LEVEL: String(options.zoom ?? 16),
    PADDING: String(options.padding ?? 0),
    SERVICE_NAME: 'test-service',
    PARTNER_IMAGE: 'eu.gcr.io/partner/model:1.4.2',
    ...options.env,
  };
  for (const key of options.omit ?? []) delete env[key];
  return dump({
    runtime: 'custom',
    env: 'flex',
    resources: { cpu: 4, memory_gb: 3.2, disk_size_gb: 10 },
    env_variables: env,
  });
}

/**
 * Starts the wrapper under real gunicorn with a test app.yaml and a minimal
 * gunicorn.conf.py (one worker, short timeouts).
 */
export async function startService(options: ServiceOptions): Promise<Service> {
  const dir = mkdtempSync(join(tmpdir(), 'wrapper-'));
  for (const file of ['app.py', 'openapi.yaml']) {
    copyFileSync(join(TEMPLATES, file), join(dir, file));
  }
  cpSync(join(TEMPLATES, 'playground_wrapper'), join(dir, 'playground_wrapper'), {
    recursive: true,
    filter: (source) => !source.endsWith('__pycache__'),
  });
  writeFileSync(join(dir, 'app.yaml'), appYaml(options));
  writeFileSync(
    join(dir, 'gunicorn.conf.py'),
    'workers = 1\ntimeout = 30\ngraceful_timeout = 2\naccesslog = "-"\n',
  );
  return startGunicorn(dir);
}

/**
 * Runs `gunicorn --config DIR/gunicorn.conf.py app:APP` in DIR (an `app/` folder of a
 * bundle) with the fixtures importable, through the local mode's launcher
 * (src/local/gunicorn.ts). Resolves once gunicorn listens, not once the predictor is
 * loaded: call waitHealthy. `stop()` ends the process group and removes DIR.
 */
export async function startGunicorn(dir: string): Promise<Service> {
  let service: GunicornService;
  try {
    service = await launchGunicorn({ appDir: dir, env: pythonEnv(), python: PYTHON });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: service.url,
    dir,
    logs: service.logs,
    stop: async () => {
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls health until 200; returns the milliseconds it took. */
export async function waitHealthy(url: string, timeoutMs = 20_000): Promise<number> {
  const started = Date.now();
  let last = '';
  while (Date.now() - started < timeoutMs) {
    try {
      const response = await fetch(`${url}/api/v1/health`);
      last = `${response.status} ${await response.text()}`;
      if (response.status === 200) return Date.now() - started;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} not healthy within ${timeoutMs} ms (last: ${last})`);
}

export interface JsonAnswer {
  status: number;
  contentType: string;
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies are inspected field by field
  body: any;
  text: string;
}

export async function request(
  url: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<JsonAnswer> {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set('Content-Type', 'application/json');
  const response = await fetch(url, {
    ...rest,
    headers,
    body: json !== undefined ? JSON.stringify(json) : rest.body,
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body,
    text,
  };
}

/** POST /api/v1/process with a JSON value (or a raw string body). */
export function processRequest(
  service: Service,
  payload: unknown,
  headers: Record<string, string> = {},
): Promise<JsonAnswer> {
  if (typeof payload === 'string') {
    return request(`${service.url}/api/v1/process`, {
      method: 'POST',
      body: payload,
      headers: { 'Content-Type': 'application/json', ...headers },
    });
  }
  return request(`${service.url}/api/v1/process`, { method: 'POST', json: payload, headers });
}

export function resolutionAt(zoom: number): number {
  return EQUATOR_RESOLUTION / 2 ** zoom;
}

export interface PngOptions {
  /** Colour channels: 3 (RGB) or 4 (RGBA). */
  channels?: 3 | 4;
  /** A white rectangle [x0, y0, x1, y1) on the dark pattern. */
  bright?: [number, number, number, number];
}

/** A small PNG encoder (8-bit RGB or RGBA, no filtering) for test tiles. */
export function makePng(width: number, height = width, options: PngOptions = {}): Buffer {
  const channels = options.channels ?? 3;
  const stride = width * channels + 1;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    raw[y * stride] = 0;
    for (let x = 0; x < width; x++) {
      const at = y * stride + 1 + x * channels;
      const [x0, y0, x1, y1] = options.bright ?? [-1, -1, -1, -1];
      const lit = x >= x0 && x < x1 && y >= y0 && y < y1;
      raw[at] = lit ? 255 : (x * 3) % 120;
      raw[at + 1] = lit ? 255 : (y * 5) % 120;
      raw[at + 2] = lit ? 255 : ((x ^ y) & 63) + 20;
      if (channels === 4) raw[at + 3] = 255;
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = channels === 4 ? 6 : 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export function pngTile(size: number, options: PngOptions = {}): string {
  return makePng(size, size, options).toString('base64');
}

/** A real JPEG from Pillow (baseline or progressive), base64. */
export function jpegTile(size: number, progressive = false): string {
  const script = [
    'import base64, io, sys',
    'from PIL import Image',
    'size, progressive = int(sys.argv[1]), sys.argv[2] == "1"',
    'img = Image.new("RGB", (size, size), (40, 90, 60))',
    'img.paste((250, 250, 250), (30, 40, 70, 90))',
    'out = io.BytesIO()',
    'img.save(out, "JPEG", quality=90, progressive=progressive)',
    'sys.stdout.write(base64.b64encode(out.getvalue()).decode())',
  ].join('\n');
  const result = spawnSync(PYTHON, ['-c', script, String(size), progressive ? '1' : '0'], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`Pillow could not make a JPEG: ${result.stderr}`);
  return result.stdout;
}

export interface CheckRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs check_service.py against a URL with extra arguments. */
export async function runCheckScript(args: string[]): Promise<CheckRun> {
  const started = Date.now();
  const run = await runProcess(PYTHON, [CHECK_SCRIPT, ...args], pythonEnv());
  return { ...run, ms: Date.now() - started };
}

/** The PASS/FAIL lines of a check run. */
export function checkLines(run: CheckRun): string[] {
  return run.stdout.split('\n').filter((line) => /^(PASS|FAIL) /.test(line));
}

export const ALL_CHECKS = [
  'health',
  'describe',
  'openapi',
  'process',
  'error-bad-json',
  'error-empty-tiles',
  'error-wrong-size',
  'error-bad-base64',
  'error-not-image',
];

/** Runs a Python snippet with the templates folder importable; returns parsed JSON stdout. */
export function runPython(script: string, input: unknown = null): unknown {
  return pythonJson(['-c', script], input);
}

/** Runs a Python file (its folder importable too, as Python does) like runPython. */
export function runPythonFile(path: string): unknown {
  return pythonJson([path], null);
}

function pythonJson(args: string[], input: unknown): unknown {
  const result = spawnSync(PYTHON, args, {
    input: JSON.stringify(input),
    encoding: 'utf8',
    env: pythonEnv({ PYTHONPATH: `${TEMPLATES}:${FIXTURES}` }),
  });
  if (result.status !== 0) throw new Error(`python failed (${result.status}):\n${result.stderr}`);
  return JSON.parse(result.stdout);
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
