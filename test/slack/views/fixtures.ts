import type { ViewStateValue } from '@slack/bolt';
import type { ImageResolution } from '../../../src/domain/image-resolution.ts';
import type { Status } from '../../../src/domain/status.ts';
import type { Submission } from '../../../src/domain/submission.ts';
import type { SubmissionSpec } from '../../../src/domain/submission-spec/index.ts';
import { sampleSpec } from '../../helpers/sample-spec.ts';

export const PARTNER = 'U0PARTNER1';
export const APPROVER = 'U0APPROVE1';
export const AT = new Date('2025-03-04T14:05:00Z');

/** A stored submission at revision `revision` (earlier revisions get the same spec). */
export function submission(
  overrides: Partial<Submission> & {
    spec?: Partial<SubmissionSpec>;
    warnings?: { path: string; message: string }[];
    /** Every revision's image resolution (none: a revision stored before digests were kept). */
    image?: ImageResolution;
  } = {},
): Submission {
  const { spec: specOverrides, warnings = [], image, ...rest } = overrides;
  const revision = rest.revision ?? 1;
  const spec = sampleSpec(specOverrides);
  return {
    id: 'PG-0042',
    status: 'submitted' as Status,
    partner: { userId: PARTNER, name: 'Pat Partner' },
    revision,
    revisions: Array.from({ length: revision }, (_, i) => ({
      number: i + 1,
      spec,
      warnings,
      submittedBy: { userId: PARTNER },
      submittedAt: AT,
      ...(image && { image }),
    })),
    createdAt: AT,
    updatedAt: AT,
    ...rest,
  };
}

type Values = Record<string, Record<string, ViewStateValue>>;

/** `view.state.values` as Slack sends it for the submit modal, from path -> typed text. */
export function submitState(
  fields: Record<string, string | null>,
  yaml: string | null = null,
): Values {
  const numeric = new Set([
    'ZOOM_LEVEL',
    'PADDING',
    'resources.cpu',
    'resources.memory_gb',
    'resources.disk_size_gb',
    'gunicorn.workers',
    'gunicorn.backlog',
    'gunicorn.timeout',
  ]);
  const all = [
    'image',
    'service',
    'PREDICTOR_CLASS',
    'PREDICTOR_PACKAGE',
    ...numeric,
    'describe.title',
    'describe.description',
    'describe.organization',
    'describe.email',
  ];
  const values: Values = {};
  for (const path of all) {
    values[path] = {
      value: {
        type: numeric.has(path) ? 'number_input' : 'plain_text_input',
        value: fields[path] ?? null,
      },
    };
  }
  values.yaml = { value: { type: 'plain_text_input', value: yaml } };
  return values;
}

/** The form as a partner leaves it after filling in the seed's example. */
export const FILLED: Record<string, string> = {
  image: 'eu.gcr.io/theplayground_repo/my_service:1.0.3',
  service: 'my-service',
  ZOOM_LEVEL: '16',
  PADDING: '24',
  PREDICTOR_CLASS: 'MyPredictor',
  PREDICTOR_PACKAGE: 'my_package.my_module',
  'resources.cpu': '4',
  'resources.memory_gb': '3.2',
  'resources.disk_size_gb': '10',
  'gunicorn.workers': '2',
  'gunicorn.backlog': '6',
  'gunicorn.timeout': '60',
};
