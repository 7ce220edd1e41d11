import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { HEALTH_PATH } from '../../src/bundle/app-engine-config.ts';
import { render } from '../../src/bundle/render.ts';
import { runPythonJson } from '../helpers/python.ts';
import { sampleSpec } from '../helpers/sample-spec.ts';

/** Executes a gunicorn.conf.py the way gunicorn does (exec of its source) and reports its settings. */
const READ_GUNICORN_CONF = `
import json, os, sys
os.environ.pop("PORT", None)
if len(sys.argv) > 2:
    os.environ["PORT"] = sys.argv[2]
settings = {}
exec(open(sys.argv[1]).read(), settings)
print(json.dumps({k: settings[k] for k in ("bind", "workers", "backlog", "timeout", "accesslog", "errorlog")}))
`;

function writeTemp(name: string, content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'pg-render-')), name);
  writeFileSync(file, content);
  return file;
}

describe('render', () => {
  it('produces the seed bundle layout', () => {
    expect(Object.keys(render(sampleSpec(), { project: 'playground-prod' })).sort()).toEqual([
      'Dockerfile',
      'app/app.py',
      'app/app.yaml',
      'app/gunicorn.conf.py',
      'app/openapi.yaml',
      'app/playground_wrapper/__init__.py',
      'app/playground_wrapper/describe.py',
      'app/playground_wrapper/errors.py',
      'app/playground_wrapper/json_values.py',
      'app/playground_wrapper/predictor.py',
      'app/playground_wrapper/process_request.py',
      'app/playground_wrapper/results.py',
      'app/playground_wrapper/rings.py',
      'app/playground_wrapper/settings.py',
      'app/playground_wrapper/tiles.py',
      'check_service.py',
      'requirements.txt',
    ]);
  });

  it('copies every module of the wrapper package verbatim (a new module cannot be left out)', () => {
    const bundle = render(sampleSpec());
    const folder = fileURLToPath(
      new URL('../../src/bundle/templates/playground_wrapper/', import.meta.url),
    );
    const modules = readdirSync(folder).filter((file) => file.endsWith('.py'));
    expect(modules.length).toBeGreaterThan(1);
    for (const file of modules) {
      expect(bundle[`app/playground_wrapper/${file}`]).toBe(
        readFileSync(join(folder, file), 'utf8'),
      );
    }
  });

  it('writes a valid App Engine flexible custom-runtime app.yaml holding the seed settings', () => {
    const spec = sampleSpec({
      resources: { cpu: 2, memory_gb: 7.5, disk_size_gb: 20 },
      describe: { title: 'Boats', email: 'ml@example.com' },
    });
    const appYaml = load(render(spec, { project: 'playground-prod' })['app/app.yaml'] ?? '');
    expect(appYaml).toMatchObject({
      runtime: 'custom',
      env: 'flex',
      service: 'my-service',
      resources: { cpu: 2, memory_gb: 7.5, disk_size_gb: 20 },
      liveness_check: { path: HEALTH_PATH },
      readiness_check: { path: HEALTH_PATH },
      env_variables: {
        PREDICTOR_CLASS: 'MyPredictor',
        PREDICTOR_PACKAGE: 'my_package.my_module',
        PROJECT_NAME: 'playground-prod',
        ZOOM_LEVEL: '16',
        PADDING: '24',
        SERVICE_NAME: 'my-service',
        PARTNER_IMAGE: 'eu.gcr.io/theplayground_repo/my_service:1.0.3',
        DESCRIBE_TITLE: 'Boats',
        DESCRIBE_EMAIL: 'ml@example.com',
      },
    });
    const env = (appYaml as { env_variables: Record<string, unknown> }).env_variables;
    expect(Object.values(env).every((value) => typeof value === 'string')).toBe(true);
    expect(env).not.toHaveProperty('DESCRIBE_DESCRIPTION');
  });

  it('leaves PROJECT_NAME empty until an approver picks a project', () => {
    const appYaml = load(render(sampleSpec())['app/app.yaml'] ?? '') as {
      env_variables: Record<string, string>;
    };
    expect(appYaml.env_variables.PROJECT_NAME).toBe('');
  });

  it('refuses a project id that Google Cloud would refuse', () => {
    expect(() => render(sampleSpec(), { project: 'Bad_Project' })).toThrow(
      /project: "Bad_Project" is not a Google Cloud project id/,
    );
  });

  it('writes a gunicorn.conf.py that Python reads back as the spec settings', () => {
    const conf = render(sampleSpec({ gunicorn: { workers: 3, backlog: 64, timeout: 600 } }))[
      'app/gunicorn.conf.py'
    ];
    const file = writeTemp('gunicorn.conf.py', conf ?? '');
    expect(runPythonJson(READ_GUNICORN_CONF, [file])).toEqual({
      bind: '0.0.0.0:8080',
      workers: 3,
      backlog: 64,
      timeout: 600,
      accesslog: '-',
      errorlog: '-',
    });
    expect(runPythonJson(READ_GUNICORN_CONF, [file, '9123'])).toMatchObject({
      bind: '0.0.0.0:9123',
    });
  });

  it('refuses a gunicorn value that is not a positive integer instead of writing it', () => {
    const spec = sampleSpec({ gunicorn: { workers: 1.5, backlog: 6, timeout: 60 } });
    expect(() => render(spec)).toThrow(/gunicorn.workers must be a positive integer/);
  });
});
