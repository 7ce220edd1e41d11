// Which Cloud Build machine can test a model: the `test` step runs the wrapped model in the
// build's own worker, so the worker needs at least the memory App Engine will give it.

/**
 * Cloud Build's machine types from the smallest memory up, among those with at least 8
 * vCPUs (decompressing and recompressing multi-GB ML images is CPU-bound). E2 high-CPU
 * machines have 1 GB per vCPU: https://cloud.google.com/compute/docs/general-purpose-machines
 * (e2-highcpu-8: 8 GB, e2-highcpu-32: 32 GB); the names Cloud Build takes are its
 * BuildOptions.MachineType: https://cloud.google.com/build/docs/api/reference/rest/v1/projects.builds#machinetype
 */
const TEST_MACHINES = [
  { name: 'E2_HIGHCPU_8', memoryGb: 8 },
  { name: 'E2_HIGHCPU_32', memoryGb: 32 },
] as const;

export type TestMachine = (typeof TEST_MACHINES)[number];

const LARGEST = TEST_MACHINES[TEST_MACHINES.length - 1] as TestMachine;

/** The smallest machine with at least `memoryGb`; undefined past the largest. */
export function testMachineFor(memoryGb: number): TestMachine | undefined {
  return TEST_MACHINES.find((machine) => machine.memoryGb >= memoryGb);
}

/**
 * Why a version with `memoryGb` cannot be wrapped (no build can test it), with the numbers;
 * undefined when a machine can.
 */
export function testMachineProblem(memoryGb: number): string | undefined {
  if (testMachineFor(memoryGb)) return undefined;
  return `resources.memory_gb ${memoryGb} is more than the largest Cloud Build machine (${LARGEST.name}, ${LARGEST.memoryGb} GB) can test; at most ${LARGEST.memoryGb} GB can be wrapped`;
}
