// Demo failures: a service id ending in `-fail-STEP` (STEP one of render, wrap, test, push,
// deploy) fails that step on the first attempt of each revision; Retry succeeds.

/** The steps a demo failure can be asked for in, as the checklist names them. */
export const DEMO_FAILURE_STEPS = ['render', 'wrap', 'test', 'push', 'deploy'] as const;
export type DemoFailureStep = (typeof DEMO_FAILURE_STEPS)[number];

/** The build step that fails for a demo failure of each checklist step (deploy: none). */
const BUILD_STEP_OF: Record<Exclude<DemoFailureStep, 'deploy'>, string> = {
  render: 'bundle',
  wrap: 'wrap',
  test: 'test',
  push: 'push',
};

/** Where demo failures are explained to people, quoted in their log lines. */
const DEMO_HINT = 'a service id ending in -fail-<render|wrap|test|push|deploy>';

/** The step a service id asks to fail in (`boats-fail-test` -> `test`), if any. */
export function demoFailureOf(service: string): DemoFailureStep | undefined {
  const match = /-fail-([a-z]+)$/.exec(service);
  const step = match?.[1];
  return DEMO_FAILURE_STEPS.find((candidate) => candidate === step);
}

/**
 * The demo failures of one workspace, each consumed on the first attempt only: a build's
 * attempt key is its submission revision, a deploy's is the version name.
 */
export function demoFailures() {
  const failedOnce = new Set<string>();
  const consume = (key: string, service: string, ofDeploy: boolean) => {
    const step = demoFailureOf(service);
    if (step === undefined || (step === 'deploy') !== ofDeploy || failedOnce.has(key)) {
      return undefined;
    }
    failedOnce.add(key);
    return step;
  };
  return {
    /** The build step this build attempt should fail in, if any. */
    ofBuild(key: string, service: string): string | undefined {
      const step = consume(key, service, false);
      return step && step !== 'deploy' ? BUILD_STEP_OF[step] : undefined;
    },
    /** Whether this deploy attempt should fail. */
    ofDeploy(key: string, service: string): boolean {
      return consume(key, service, true) !== undefined;
    },
  };
}

/** The log of a build step failed on demand. */
export function demoLogs(service: string, stepId: string): string[] {
  return [
    `FAIL demo: a failure in step ${stepId} was asked for by the service id "${service}" (local mode: ${DEMO_HINT} fails that step once; Retry succeeds)`,
  ];
}

/** The operation error of a deploy failed on demand. */
export function demoDeployError(service: string): { code: number; message: string } {
  return {
    code: 9,
    message: `Demo failure (local mode): the service id "${service}" asks for one in deploy (${DEMO_HINT}); Retry succeeds.`,
  };
}
