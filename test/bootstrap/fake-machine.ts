/**
 * A machine made of stand-in executables for the set-up's unit tests: a temp folder with a
 * project, and a bin folder that is the whole PATH (so a real apt-get or npm can never be
 * reached by mistake, and a command left out is "not installed"). Each stand-in is a small
 * shell script that writes its command line to a log, acts on a state folder, and answers.
 */
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Host, Progress } from '../../bootstrap/host.mjs';

export interface FakeMachine {
  /** The project folder. */
  root: string;
  bin: string;
  /** Marker files the stand-ins read and write, e.g. `system-python-ok`. */
  state: string;
  /** A host on this machine: Node 20, root, Debian, the stand-in python3 as the system's. */
  host(overrides?: Partial<Host>): Host;
  /** Every command the stand-ins ran, one line each (`npm ci --no-audit --no-fund`). */
  ran(): string[];
  /** What the set-up wrote (its progress line and messages). */
  written(): string;
  /** Adds or replaces a stand-in; `body` is shell, run after the call is logged. */
  install(name: string, body: string): void;
  /** Sets a marker in the state folder. */
  mark(name: string): void;
}

/** Logs the call; the set-up's module check (a Python program in `-c`) as `NAME -c …`. */
const LOG_CALL = (name: string) =>
  `if [ "$1" = "-c" ]; then echo "${name} -c …" >> "$LOG"; else printf '%s\\n' "${name} $*" >> "$LOG"; fi`;

export function fakeMachine(): FakeMachine {
  const dir = mkdtempSync(join(tmpdir(), 'bootstrap-'));
  const root = join(dir, 'project');
  const bin = join(dir, 'bin');
  const state = join(dir, 'state');
  const log = join(dir, 'ran.log');
  for (const folder of [root, bin, state, join(root, 'src/bundle/templates')]) {
    mkdirSync(folder, { recursive: true });
  }
  writeFileSync(join(root, 'package-lock.json'), '{}\n');
  writeFileSync(join(root, 'src/bundle/templates/requirements.txt'), 'Flask==3.0.3\n');
  writeFileSync(log, '');
  let written = '';

  const install = (name: string, body: string) => {
    const path = join(bin, name);
    writeFileSync(path, `#!/bin/sh\nLOG='${log}'; STATE='${state}'\n${LOG_CALL(name)}\n${body}\n`);
    chmodSync(path, 0o755);
  };
  return {
    root,
    bin,
    state,
    host: (overrides = {}) => ({
      root,
      env: { PATH: bin },
      nodeVersion: '20.20.2',
      nodePath: '/usr/bin/node',
      isRoot: true,
      system: 'debian',
      systemPython: join(bin, 'python3'),
      progress: new Progress((text) => {
        written += text;
      }),
      ...overrides,
    }),
    ran: () => readFileSync(log, 'utf8').split('\n').filter(Boolean),
    written: () => written,
    install,
    mark: (name) => writeFileSync(join(state, name), ''),
  };
}

/** The python stand-ins' answer to the set-up's module check: all present when `marker` is set. */
export function pythonCheck(marker: string): string {
  return `if [ "$1" = "-c" ]; then
  if [ -e "$STATE/${marker}" ]; then exit 0; fi
  echo "gunicorn yaml"; exit 3
fi`;
}

/**
 * npm: `install` (the Node fetch) makes a `.tools/` node that prints v22, unless the
 * registry is marked down; `ci` writes node_modules' lock.
 */
export const NPM = `case "$1" in
  install)
    if [ -e "$STATE/registry-down" ]; then
      echo "npm error code EAI_AGAIN"; echo "npm error request to https://registry.npmjs.org/node failed"; exit 1
    fi
    /bin/mkdir -p .tools/node_modules/.bin
    printf '#!/bin/sh\\necho v22.23.3\\n' > .tools/node_modules/.bin/node
    /bin/chmod +x .tools/node_modules/.bin/node ;;
  ci) /bin/mkdir -p node_modules; : > node_modules/.package-lock.json ;;
esac`;

/**
 * The system's python3: has the modules once `system-python-ok` is marked (apt-get marks
 * it); `-m venv DIR` makes DIR/bin/python from the venv-python stand-in.
 */
export const PYTHON3 = `${pythonCheck('system-python-ok')}
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
  /bin/mkdir -p "$3/bin"; /bin/cp "\${0%/*}/venv-python" "$3/bin/python"
fi`;

/** A venv's python: pip installs when `index-reachable` is marked, like pip without an index otherwise. */
export const VENV_PYTHON = `${pythonCheck('venv-ok')}
if [ "$2" = "pip" ]; then
  if [ -e "$STATE/index-reachable" ]; then : > "$STATE/venv-ok"; exit 0; fi
  echo "ERROR: Could not find a version that satisfies the requirement Flask==3.0.3 (from versions: none)"
  echo "ERROR: No matching distribution found for Flask==3.0.3"; exit 1
fi`;

/** apt-get: `install` gives the system python its modules, unless `apt-fails` is marked. */
export const APT_GET = `if [ "$1" = "install" ]; then
  if [ -e "$STATE/apt-fails" ]; then echo "E: Unable to locate package python3-flask"; exit 100; fi
  : > "$STATE/system-python-ok"
fi`;

/** dpkg-query -W: the packages marked `dpkg-NAME` are installed. */
export const DPKG_QUERY = `shift 3
for p in "$@"; do
  if [ -e "$STATE/dpkg-$p" ]; then echo "$p installed"; else echo "$p not-installed"; fi
done`;

/** gcloud (as a link into its SDK folder, with the Firestore emulator component) and java. */
export function installEmulatorPrerequisites(machine: FakeMachine, component = true): void {
  const sdk = join(machine.state, '..', 'google-cloud-sdk');
  mkdirSync(join(sdk, 'bin'), { recursive: true });
  if (component) mkdirSync(join(sdk, 'platform', 'cloud-firestore-emulator'), { recursive: true });
  writeFileSync(join(sdk, 'bin', 'gcloud'), '#!/bin/sh\n', { mode: 0o755 });
  symlinkSync(join(sdk, 'bin', 'gcloud'), join(machine.bin, 'gcloud'));
  machine.install('java', '');
}
