import { execFileSync } from 'node:child_process';
import { pythonExecutable } from '../../src/bundle/check.ts';

const REQUIRED_MODULES = ['flask', 'gunicorn', 'yaml', 'PIL', 'numpy'];

/**
 * The Python the wrapper runs under, checked once: a missing module fails the suite
 * with the install command instead of skipping anything.
 */
let checked: string | undefined;

export function requirePython(): string {
  if (checked) return checked;
  const python = pythonExecutable();
  try {
    execFileSync(python, ['-c', `import ${REQUIRED_MODULES.join(', ')}`], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(
      `${python} cannot import ${REQUIRED_MODULES.join(', ')}: install them with\n` +
        '  apt-get install -y python3-flask gunicorn python3-pil python3-numpy python3-yaml\n' +
        `(${(error as Error).message.split('\n')[0]})`,
    );
  }
  checked = python;
  return python;
}

/** Runs a Python snippet and parses the JSON it prints. */
export function runPythonJson(code: string, args: string[] = []): unknown {
  const out = execFileSync(requirePython(), ['-c', code, ...args], { encoding: 'utf8' });
  return JSON.parse(out);
}
