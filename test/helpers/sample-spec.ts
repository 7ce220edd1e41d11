import type { SubmissionSpec } from '../../src/domain/submission-spec/index.ts';

/** The seed's example submission, with every default spelled out. */
export function sampleSpec(overrides: Partial<SubmissionSpec> = {}): SubmissionSpec {
  return {
    image: 'eu.gcr.io/theplayground_repo/my_service:1.0.3',
    service: 'my-service',
    ZOOM_LEVEL: 16,
    PADDING: 24,
    PREDICTOR_CLASS: 'MyPredictor',
    PREDICTOR_PACKAGE: 'my_package.my_module',
    resources: { cpu: 4, memory_gb: 3.2, disk_size_gb: 10 },
    gunicorn: { workers: 2, backlog: 6, timeout: 60 },
    describe: {},
    ...overrides,
  };
}
