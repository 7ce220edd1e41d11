import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPython, TEMPLATES } from '../helpers.ts';

describe('the wrapper templates', () => {
  const files = [
    'app.py',
    'check_service.py',
    ...readdirSync(join(TEMPLATES, 'playground_wrapper'))
      .filter((file) => file.endsWith('.py'))
      .map((file) => join('playground_wrapper', file)),
  ];

  it('parse as Python 3.8 (partner images can be old)', () => {
    const result = runPython(
      [
        'import ast, json, sys',
        'out = {}',
        'for path in json.load(sys.stdin):',
        '    try:',
        '        ast.parse(open(path).read(), path, feature_version=(3, 8))',
        '        out[path] = None',
        '    except SyntaxError as exc:',
        '        out[path] = str(exc)',
        'print(json.dumps(out))',
      ].join('\n'),
      files.map((file) => join(TEMPLATES, file)),
    );
    expect(Object.values(result as Record<string, string | null>)).toEqual(files.map(() => null));
  });

  it('check_service.py imports only the standard library', () => {
    const result = runPython(
      [
        'import ast, json, sys',
        'tree = ast.parse(open(json.load(sys.stdin)).read())',
        'names = set()',
        'for node in ast.walk(tree):',
        '    if isinstance(node, ast.Import):',
        '        names.update(a.name.split(".")[0] for a in node.names)',
        '    elif isinstance(node, ast.ImportFrom):',
        '        names.add(node.module.split(".")[0])',
        'print(json.dumps(sorted(n for n in names if n not in sys.stdlib_module_names)))',
      ].join('\n'),
      join(TEMPLATES, 'check_service.py'),
    );
    expect(result).toEqual([]);
  });

  it('pin the wrapper requirements (Flask, gunicorn, PyYAML) and nothing of the partner', () => {
    const lines = readFileSync(join(TEMPLATES, 'requirements.txt'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() && !line.startsWith('#'));
    for (const line of lines) expect(line).toMatch(/^[A-Za-z0-9_.-]+==\d+(\.\d+)*$/);
    const names = lines.map((line) => line.split('==')[0]?.toLowerCase());
    expect(names).toEqual(expect.arrayContaining(['flask', 'gunicorn', 'pyyaml']));
    expect(names).not.toContain('pillow');
    expect(names).not.toContain('numpy');
  });
});
