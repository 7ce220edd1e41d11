import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { appEngineSettings, wrapperEnv } from '../../src/bundle/app-engine-config.ts';
import { render } from '../../src/bundle/render.ts';
import type { SubmissionSpec } from '../../src/domain/submission-spec/index.ts';
import { validSpecArb } from '../domain/submission-spec/arbitraries.ts';
import { parseDockerfile } from '../helpers/dockerfile.ts';
import { runPythonJson } from '../helpers/python.ts';

/** Reads every rendered app.yaml with PyYAML and every gunicorn.conf.py with exec, as the wrapper does. */
const READ_BUNDLES = `
import json, os, sys, yaml
os.environ.pop("PORT", None)
out = []
for folder in sys.argv[1:]:
    with open(os.path.join(folder, "app.yaml")) as f:
        app_yaml = yaml.safe_load(f)
    conf = {}
    exec(open(os.path.join(folder, "gunicorn.conf.py")).read(), conf)
    out.append({"env": app_yaml["env_variables"], "resources": app_yaml["resources"],
                "gunicorn": {k: conf[k] for k in ("workers", "backlog", "timeout")}})
print(json.dumps(out))
`;

describe('no accepted spec value escapes its place in a generated file', () => {
  it('Dockerfile and app.yaml (js-yaml) parse back to exactly the values given', () => {
    fc.assert(
      fc.property(
        validSpecArb,
        fc.constantFrom('playground-prod', 'my-proj-123'),
        (spec, project) => {
          const bundle = render(spec, { project });
          const instructions = parseDockerfile(bundle.Dockerfile ?? '');
          expect(instructions[0]).toEqual({ keyword: 'ARG', args: `base_id=${spec.image}` });
          expect(instructions).toHaveLength(13);
          expect(load(bundle['app/app.yaml'] ?? '')).toEqual({
            ...appEngineSettings(spec),
            env_variables: wrapperEnv(spec, project),
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('PyYAML and Python read app.yaml and gunicorn.conf.py back to exactly the values given', () => {
    const specs: SubmissionSpec[] = fc.sample(validSpecArb, 150);
    const root = mkdtempSync(join(tmpdir(), 'pg-roundtrip-'));
    const folders = specs.map((spec, index) => {
      const bundle = render(spec, { project: 'playground-prod' });
      const folder = join(root, String(index));
      mkdirSync(folder);
      writeFileSync(join(folder, 'app.yaml'), bundle['app/app.yaml'] ?? '');
      writeFileSync(join(folder, 'gunicorn.conf.py'), bundle['app/gunicorn.conf.py'] ?? '');
      return folder;
    });
    const read = runPythonJson(READ_BUNDLES, folders) as {
      env: Record<string, string>;
      resources: SubmissionSpec['resources'];
      gunicorn: SubmissionSpec['gunicorn'];
    }[];
    read.forEach((bundle, index) => {
      const spec = specs[index] as SubmissionSpec;
      expect(bundle.env).toEqual(wrapperEnv(spec, 'playground-prod'));
      expect(bundle.resources).toEqual(spec.resources);
      expect(bundle.gunicorn).toEqual(spec.gunicorn);
    });
  });
});
