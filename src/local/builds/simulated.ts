// The simulated build of an image that cannot run here (no Docker engine): a timed
// scenario whose step logs say that nothing ran, and what would have.
import { join } from 'node:path';
import type { Scenario, StepScript } from '../cloud-build/server.ts';
import { demoLogs } from './demo-failures.ts';
import { exampleList } from './examples.ts';
import type { BuildInfo } from './read-build.ts';
import type { StepTiming } from './timing.ts';

/** What a simulated build tells people, in its status (shown in the Slack thread). */
export const SIMULATED_NOTE =
  'Simulated build: only examples/ predictors are built and run on this machine (no Docker engine here).';

/** What each step would have run, as its log tells it. */
const SIMULATED_COMMANDS: Record<string, (info: BuildInfo) => string> = {
  bundle: (info) =>
    'error' in info.bundle
      ? 'unpack the wrap bundle'
      : `unpack the wrap bundle (${Object.keys(info.bundle).length} files)`,
  wrap: (info) => `docker build --build-arg base_id=${info.baseImage} -t ${info.image} .`,
  'test-start': (info) => `docker run --detach --name pg-wrapped ${info.image}`,
  test: () => 'check_service.py against the wrapped container',
  push: (info) => `docker push ${info.image}`,
};

/** The scenario of a simulated build; `failStep` (a demo failure) fails. */
export function simulatedScenario(
  info: BuildInfo,
  failStep: string | undefined,
  timing: StepTiming,
  examplesDir: string,
): Scenario {
  const { stepMs, queuedMs, pushMs } = timing;
  const failAt = failStep === undefined ? -1 : info.stepIds.indexOf(failStep);
  const steps = info.stepIds.map((id, i): StepScript => {
    if (i === failAt) {
      return { durationMs: stepMs, status: 'FAILURE', logs: demoLogs(info.service, id) };
    }
    const command = SIMULATED_COMMANDS[id]?.(info) ?? `step ${id}`;
    return {
      durationMs: stepMs,
      logs: [
        `[local mode] simulated, nothing ran: ${command}`,
        `Only docker.io/examples/NAME images with a folder ${join(examplesDir, 'NAME')} run for real${exampleList(examplesDir)}.`,
      ],
    };
  });
  return { queuedMs, pushMs, steps, statusDetail: SIMULATED_NOTE };
}
