import { freshSteps, type PipelineRun } from '../../src/domain/pipeline-run.ts';

/** A pipeline run of PG-0042 revision 1 that has not started a step yet. */
export function sampleRun(overrides: Partial<PipelineRun> = {}): PipelineRun {
  return {
    attempt: 1,
    project: 'pg-prod',
    service: 'my-service',
    versionId: 'pg-0042-r1',
    promote: true,
    image: 'europe-docker.pkg.dev/pg-bot-1/playground/my-service:pg-0042-r1',
    steps: freshSteps(),
    announced: {},
    ...overrides,
  };
}
