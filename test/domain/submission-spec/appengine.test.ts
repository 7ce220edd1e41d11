import { describe, expect, it } from 'vitest';
import {
  checkVersionId,
  isValidCpu,
  memoryRange,
  parseSpec,
  SPEC_DEFAULTS,
} from '../../../src/domain/submission-spec/index.ts';
import { errorsFor, errorsOf, expectOneError, expectValid, input } from './helpers.ts';

const VALID_CPUS = [1, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32];
VALID_CPUS.push(36, 40, 44, 48, 52, 56, 60, 64, 68, 72, 76, 80);

describe('service', () => {
  it.each(['default-model', 'a', '0', 'my-service', 'a-b-c', '1-2', 'svc--x', 'x'.repeat(63)])(
    'accepts %j',
    (service) => {
      expect(expectValid({ service }).service).toBe(service);
    },
  );

  it('refuses "default", the project\'s own service, whatever is configured', () => {
    expectOneError(
      { service: ' default ' },
      'service',
      '"default" is the target project\'s own default service, not a partner\'s; choose another service id, e.g. my-model',
    );
  });

  it('refuses a reserved service id only when it is passed in (configuration)', () => {
    expect(parseSpec(input({ service: 'status' })).ok).toBe(true);
    expect(
      errorsOf(parseSpec(input({ service: 'status' }), { reservedServices: ['status'] })),
    ).toEqual([
      {
        path: 'service',
        message: '"status" is reserved by the Playground team; choose another service id',
      },
    ]);
    // Another problem with the service id is said instead, not both.
    expect(
      errorsOf(parseSpec(input({ service: 'Status' }), { reservedServices: ['status'] })).map(
        (e) => e.message,
      ),
    ).toEqual(['"Status" has uppercase letters; a service id is lowercase: try "status"']);
  });

  it('trims surrounding whitespace', () => {
    expect(expectValid({ service: '  my-service\n' }).service).toBe('my-service');
  });

  it.each([
    [
      'My-Service',
      '"My-Service" has uppercase letters; a service id is lowercase: try "my-service"',
    ],
    ['DEFAULT', '"DEFAULT" has uppercase letters; a service id is lowercase: try "default"'],
    [
      'my_service',
      /not a valid service id \(lowercase letters, digits and hyphens.*\): try "my-service"$/,
    ],
    ['My Service', /not a valid service id.*try "my-service"$/],
    ['my.service', /try "my-service"$/],
    ['-svc', /"-svc" starts or ends with a hyphen/],
    ['svc-', /"svc-" starts or ends with a hyphen/],
    ['-', /starts or ends with a hyphen/],
    ['x'.repeat(64), /is 64 characters; a service id is at most 63/],
    [
      'svc$',
      /^"svc\$" is not a valid service id \(lowercase letters, digits and hyphens, not starting or ending with a hyphen\)$/,
    ],
    ['svc;rm', /not a valid service id/],
    ['café', /not a valid service id/],
  ])('rejects %j', (service, message) => {
    expectOneError({ service }, 'service', message);
  });

  it('reports missing, empty and non-text values', () => {
    expectOneError({ service: undefined }, 'service', /^missing; give the App Engine service id/);
    expectOneError({ service: null }, 'service', /^missing/);
    expectOneError({ service: '' }, 'service', /^empty; give the App Engine service id/);
    expectOneError(
      { service: 123 },
      'service',
      'expected text, got the number 123; put it in quotes',
    );
    expectOneError({ service: ['a'] }, 'service', 'expected text, got a list');
  });
});

describe('checkVersionId', () => {
  it.each(['v1', '20240101t120000', '1', 'a-b', 'x'.repeat(40)])('accepts %j', (version) => {
    expect(checkVersionId(version, 'svc', 'proj')).toEqual([]);
  });

  it.each([
    ['', /^empty/],
    ['V1', /"V1" has uppercase letters; a version id is lowercase: try "v1"/],
    ['v_1', /not a valid version id/],
    ['-v1', /starts or ends with a hyphen/],
    ['x'.repeat(64), /is 64 characters; a version id is at most 63/],
    ['ah-builder', /"ah-builder" starts with "ah-", which App Engine reserves/],
    ['ah-', /starts or ends with a hyphen/],
    ['default', /"default" is a name App Engine reserves/],
    ['latest', /"latest" is a name App Engine reserves/],
  ])('rejects %j', (version, message) => {
    const issues = checkVersionId(version, 'svc', 'proj');
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('version');
    expect(issues[0]?.message).toMatch(message);
  });

  it('allows ah inside or without the hyphen', () => {
    expect(checkVersionId('ahead', 's', 'p')).toEqual([]);
    expect(checkVersionId('v-ah-1', 's', 'p')).toEqual([]);
  });

  it('limits VERSION-dot-SERVICE-dot-PROJECT to 63 characters, saying by how much', () => {
    const service = 'my-service'; // 10
    const project = 'playground-prod'; // 15; with the two -dot- that is 35, leaving 28
    expect(checkVersionId('v'.repeat(28), service, project)).toEqual([]);
    const over1 = checkVersionId('v'.repeat(29), service, project);
    expect(over1).toHaveLength(1);
    expect(over1[0]?.message).toMatch(
      /is 64 characters, 1 more than App Engine allows in a host name \(63\); shorten the version id by 1 character$/,
    );
    const over5 = checkVersionId('v'.repeat(33), service, project);
    expect(over5[0]?.message).toMatch(
      /is 68 characters, 5 more .*shorten the version id by 5 characters$/,
    );
  });

  it('says when the service and project leave no room for a version id', () => {
    const issues = checkVersionId('v1', 'a'.repeat(30), 'b'.repeat(30));
    expect(issues[0]?.message).toMatch(
      /72 characters, 9 more.*no room for a version id; use a shorter service id/,
    );
  });
});

describe('resources', () => {
  it('defaults to the seed values', () => {
    expect(expectValid({}).resources).toEqual({ cpu: 4, memory_gb: 3.2, disk_size_gb: 10 });
    expect(expectValid({ resources: null }).resources).toEqual(SPEC_DEFAULTS.resources);
    expect(expectValid({ resources: {} }).resources).toEqual(SPEC_DEFAULTS.resources);
  });

  it('fills in defaults for fields not given, and reads numeric text', () => {
    expect(expectValid({ resources: { cpu: '2' } }).resources).toEqual({
      cpu: 2,
      memory_gb: 3.2,
      disk_size_gb: 10,
    });
    expect(
      expectValid({ resources: { cpu: '', memory_gb: ' 4.5 ', disk_size_gb: '20' } }).resources,
    ).toEqual({
      cpu: 4,
      memory_gb: 4.5,
      disk_size_gb: 20,
    });
  });

  it.each(VALID_CPUS)('accepts %i CPUs with memory at both edges', (cpu) => {
    const { min, max } = memoryRange(cpu);
    expect(expectValid({ resources: { cpu, memory_gb: min / 100 } }).resources.memory_gb).toBe(
      min / 100,
    );
    expect(expectValid({ resources: { cpu, memory_gb: max / 100 } }).resources.memory_gb).toBe(
      max / 100,
    );
    expect(
      expectValid({ resources: { cpu: String(cpu), memory_gb: String(max / 100) } }).resources.cpu,
    ).toBe(cpu);
  });

  it.each(VALID_CPUS)('rejects memory just outside the range for %i CPUs', (cpu) => {
    const { min, max } = memoryRange(cpu);
    const plural = cpu === 1 ? 'CPU' : 'CPUs';
    if (cpu > 1) {
      const low = (min - 1) / 100;
      expectOneError(
        { resources: { cpu, memory_gb: low } },
        'resources.memory_gb',
        `${low} is too little for ${cpu} ${plural} (at least ${min / 100})`,
      );
    }
    const high = (max + 1) / 100;
    const tooMuch =
      cpu === 80 // past the most any instance has
        ? `${high} is more than App Engine allows (0.5 to 519.6 GB)`
        : `${high} is too much for ${cpu} ${plural} (at most ${max / 100}); ask for more CPUs or less memory`;
    expectOneError({ resources: { cpu, memory_gb: high } }, 'resources.memory_gb', tooMuch);
  });

  it('follows memory_gb = cpu * [0.9 - 6.5] - 0.4', () => {
    expect(memoryRange(1)).toEqual({ min: 50, max: 610 });
    expect(memoryRange(2)).toEqual({ min: 140, max: 1260 });
    expect(memoryRange(4)).toEqual({ min: 320, max: 2560 });
    expect(memoryRange(80)).toEqual({ min: 7160, max: 51960 });
  });

  it('says the range for the given CPU count', () => {
    expectOneError(
      { resources: { cpu: 4, memory_gb: 40 } },
      'resources.memory_gb',
      '40 is too much for 4 CPUs (at most 25.6); ask for more CPUs or less memory',
    );
    expectOneError(
      { resources: { memory_gb: 3.19 } },
      'resources.memory_gb',
      '3.19 is too little for 4 CPUs (at least 3.2)',
    );
  });

  it('blames the default memory when only cpu was raised', () => {
    expectOneError(
      { resources: { cpu: 8 } },
      'resources.memory_gb',
      '3.2 (the default) is too little for 8 CPUs (at least 6.8); set resources.memory_gb',
    );
    expectOneError({ resources: { cpu: 8, memory_gb: '' } }, 'resources.memory_gb', /the default/);
  });

  it('applies the memory range to the default CPU count when cpu is blank', () => {
    expectOneError(
      { resources: { cpu: '', memory_gb: 30 } },
      'resources.memory_gb',
      /too much for 4 CPUs/,
    );
  });

  it.each([1, 2, 4, 32, 36, 80])('isValidCpu(%i)', (cpu) => expect(isValidCpu(cpu)).toBe(true));
  it.each([0, 3, 5, 31, 33, 34, 38, 78, 81, 84])('not isValidCpu(%i)', (cpu) =>
    expect(isValidCpu(cpu)).toBe(false),
  );

  it.each([
    [
      3,
      '3 is not a CPU count App Engine offers (1, an even number up to 32, or a multiple of 4 from 32 to 80): try 2 or 4',
    ],
    [34, /34 is not a CPU count.*try 32 or 36$/],
    [78, /try 76 or 80$/],
    [0, '0 is less than App Engine allows (1 to 80)'],
    [81, '81 is more than App Engine allows (1 to 80)'],
    [2.5, '2.5 is not a whole number; give a whole number from 1 to 80'],
    ['four', '"four" is not a number; give a whole number from 1 to 80'],
    [true, 'expected a number, got true (a yes/no value); give a whole number from 1 to 80'],
  ])('rejects cpu %j', (cpu, message) => {
    expectOneError({ resources: { cpu } }, 'resources.cpu', message);
  });

  it.each([
    [0, '0 is less than App Engine allows (0.5 to 519.6 GB)'],
    [-1, '-1 is less than App Engine allows (0.5 to 519.6 GB)'],
    [600, '600 is more than App Engine allows (0.5 to 519.6 GB)'],
    ['lots', '"lots" is not a number; give a number from 0.5 to 519.6 GB'],
  ])('rejects memory_gb %j on its own', (memory_gb, message) => {
    expectOneError({ resources: { memory_gb } }, 'resources.memory_gb', message);
  });

  it.each([10, 10240, '500'])('accepts disk_size_gb %j', (disk_size_gb) => {
    expect(expectValid({ resources: { disk_size_gb } }).resources.disk_size_gb).toBe(
      Number(disk_size_gb),
    );
  });

  it.each([
    [9, '9 is less than App Engine allows (10 to 10240 GB)'],
    [10241, '10241 is more than App Engine allows (10 to 10240 GB)'],
    [10.5, '10.5 is not a whole number; give a whole number from 10 to 10240 GB'],
  ])('rejects disk_size_gb %j', (disk_size_gb, message) => {
    expectOneError({ resources: { disk_size_gb } }, 'resources.disk_size_gb', message);
  });

  it('reports every resources problem at once, the memory rule included', () => {
    const errors = errorsFor({ resources: { cpu: 2, memory_gb: 13, disk_size_gb: 5, gpus: 1 } });
    expect(errors.map((error) => error.path)).toEqual([
      'resources.gpus',
      'resources.disk_size_gb',
      'resources.memory_gb',
    ]);
  });

  it('rejects a resources value that is not a mapping', () => {
    expectOneError(
      { resources: 'big' },
      'resources',
      'expected a mapping like `resources: {cpu: ...}`, got text',
    );
    expectOneError({ resources: [4] }, 'resources', /got a list/);
  });
});
