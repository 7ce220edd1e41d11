// Enum fields of a Build in JSON: kept as names inside the stand-in, written as numbers
// when the client asks for `$alt=json;enum-encoding=int` (google-gax's REST transport
// always does, and so does the real API then). Names and numbers come from the client's
// own protos, so they cannot drift from what it decodes.
import { protos } from '@google-cloud/cloudbuild';
import type { Json, JsonObject } from './types.ts';

const v1 = protos.google.devtools.cloudbuild.v1;
type EnumObject = Record<string, number>;

/** Name -> number of a protobufjs enum (its reverse mapping lives on the prototype). */
function enumOf(values: object): EnumObject {
  return Object.fromEntries(
    Object.entries(values).filter(
      (entry): entry is [string, number] => typeof entry[1] === 'number',
    ),
  );
}

const STATUS = enumOf(v1.Build.Status);

/** Enum object per field path; `[]` marks a repeated field. */
const FIELDS: Record<string, EnumObject> = {
  status: STATUS,
  'steps[].status': STATUS,
  'failureInfo.type': enumOf(v1.Build.FailureInfo.FailureType),
  'warnings[].priority': enumOf(v1.Build.Warning.Priority),
  'options.machineType': enumOf(v1.BuildOptions.MachineType),
  'options.logging': enumOf(v1.BuildOptions.LoggingMode),
  'options.substitutionOption': enumOf(v1.BuildOptions.SubstitutionOption),
  'options.logStreamingOption': enumOf(v1.BuildOptions.LogStreamingOption),
  'options.requestedVerifyOption': enumOf(v1.BuildOptions.VerifyOption),
  'options.defaultLogsBucketBehavior': enumOf(v1.BuildOptions.DefaultLogsBucketBehavior),
  'options.sourceProvenanceHash[]': enumOf(v1.Hash.HashType),
};

/** The name of an enum value given as a name or a number; undefined when unknown. */
function nameOf(values: EnumObject, value: Json | undefined): string | undefined {
  if (typeof value === 'string' && Object.hasOwn(values, value)) return value;
  if (typeof value === 'number') {
    return Object.entries(values).find(([, number]) => number === value)?.[0];
  }
  return undefined;
}

function numberOf(values: EnumObject, value: Json | undefined): number | undefined {
  const name = nameOf(values, value);
  return name === undefined ? undefined : values[name];
}

/** A deep copy of `build` with every known enum field as a name (`to: 'name'`) or number. */
export function convertEnums(build: JsonObject, to: 'name' | 'number'): JsonObject {
  const copy = structuredClone(build);
  for (const [path, values] of Object.entries(FIELDS)) {
    convertAt(copy, path.split('.'), (value) =>
      to === 'name' ? nameOf(values, value) : numberOf(values, value),
    );
  }
  return copy;
}

/** Invalid enum values, as `field: value` texts, for a 400 answer. */
export function invalidEnums(build: JsonObject): string[] {
  const problems: string[] = [];
  for (const [path, values] of Object.entries(FIELDS)) {
    convertAt(structuredClone(build), path.split('.'), (value) => {
      const name = nameOf(values, value);
      if (name === undefined) problems.push(`${path}: ${JSON.stringify(value)}`);
      return name;
    });
  }
  return problems;
}

function convertAt(
  node: Json | undefined,
  path: string[],
  convert: (value: Json) => Json | undefined,
): void {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
  const [head = '', ...rest] = path;
  const repeated = head.endsWith('[]');
  const key = repeated ? head.slice(0, -2) : head;
  if (!Object.hasOwn(node, key)) return;
  const value = node[key];
  if (value === undefined) return;
  if (rest.length === 0) {
    if (repeated && Array.isArray(value)) {
      node[key] = value.map((item) => convert(item) ?? item);
    } else if (!repeated) {
      node[key] = convert(value) ?? value;
    }
    return;
  }
  if (repeated && Array.isArray(value)) {
    for (const item of value) convertAt(item, rest, convert);
  } else if (!repeated) {
    convertAt(value, rest, convert);
  }
}
