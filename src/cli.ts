#!/usr/bin/env -S node --disable-warning=ExperimentalWarning
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { doctorLine, indexCommand, runDoctor } from './app/doctor.ts';
import { runCheck } from './bundle/check.ts';
import { render } from './bundle/render.ts';
import { writeBundle } from './bundle/write.ts';
import { type Config, ConfigError, readConfig } from './config.ts';
import { createDoctorSetup, requiredIndexes } from './doctor-setup.ts';
import { CodedError } from './domain/errors.ts';
import { projectIdProblem } from './domain/project-id.ts';
import { formatIssue, parseSpecYaml, tileSettingProblem } from './domain/submission-spec/index.ts';
import { createFirestore } from './store/firestore-client.ts';

const USAGE = `Usage:
  playground-deploy render SPEC.yaml --out DIR [--project ID]
      Validates a submission spec and writes its wrap bundle into DIR (new or empty).
  playground-deploy check URL [--padding N] [--zoom Z] [--timeout SECONDS]
      Runs the Playground acceptance checks against a running wrapped service.
  playground-deploy doctor
      Checks the real set-up the bot's environment names (Google permissions per project,
      App Engine applications, registry access, Firestore and its indexes, Slack) and
      prints, per check, ok or what is wrong with the fix. Exit code 1 when any is wrong.
  playground-deploy indexes [--project ID]
      Prints the gcloud commands that create the composite indexes of firestore.indexes.json.
  playground-deploy help`;

/** A usage or input problem: printed without a stack trace, exit code 2 for usage. */
class CliError extends CodedError<'usage' | 'invalid_input'> {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(exitCode === 2 ? 'usage' : 'invalid_input', message);
    this.exitCode = exitCode;
  }
}

async function renderCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: 'string' }, project: { type: 'string' } },
  });
  const [specPath, ...extra] = positionals;
  if (!specPath || extra.length > 0) throw new CliError('render takes exactly one SPEC.yaml');
  if (!values.out) throw new CliError('render needs --out DIR');
  const text = await readFile(specPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new CliError(`cannot read ${specPath}: ${error.code ?? error.message}`, 1);
  });
  const result = parseSpecYaml(text);
  for (const warning of result.warnings) console.error(`warning: ${formatIssue(warning)}`);
  if (!result.ok) {
    for (const error of result.errors) console.error(`error: ${formatIssue(error)}`);
    console.error(`${specPath}: ${result.errors.length} problem(s); nothing was written.`);
    return 1;
  }
  let bundle: ReturnType<typeof render>;
  try {
    bundle = render(result.spec, values.project === undefined ? {} : { project: values.project });
  } catch (error) {
    throw new CliError((error as Error).message, 1);
  }
  await writeBundle(bundle, values.out).catch((error: Error) => {
    throw new CliError(error.message, 1);
  });
  console.log(`Wrote ${Object.keys(bundle).length} files to ${values.out}`);
  return 0;
}

function integerOption(name: 'padding' | 'zoom', raw: string | undefined, fallback: number) {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  const problem = tileSettingProblem(name, value);
  if (problem) throw new CliError(`--${name}: ${problem}`);
  return value;
}

async function checkCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      padding: { type: 'string' },
      zoom: { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const [url, ...extra] = positionals;
  if (!url || extra.length > 0) throw new CliError('check takes exactly one URL');
  if (!/^https?:\/\/[^\s]+$/.test(url)) {
    throw new CliError(`URL: "${url}" is not an http:// or https:// address`);
  }
  const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeout !== undefined && !(timeout > 0)) {
    throw new CliError(`--timeout: "${values.timeout}" is not a positive number of seconds`);
  }
  const { code } = await runCheck(url, {
    padding: integerOption('padding', values.padding, 24),
    zoom: integerOption('zoom', values.zoom, 16),
    ...(timeout === undefined ? {} : { timeout }),
    json: values.json ?? false,
  });
  return code;
}

async function doctorCommand(args: string[]): Promise<never> {
  if (args.length > 0) throw new CliError('doctor takes no arguments; it reads the environment');
  let config: Config;
  try {
    config = readConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new CliError(error.message, 1);
  }
  const doctor = createDoctorSetup(config, createFirestore({ projectId: config.gcp.project }));
  const report = await runDoctor(doctor.probes, doctor.under);
  for (const check of report.checks) console.log(doctorLine(check));
  console.log(
    report.problems === 0
      ? `All ${report.checks.length} checks passed.`
      : `${report.problems} of ${report.checks.length} checks found a problem.`,
  );
  // Exits here rather than closing the clients: one may still be retrying a call the doctor
  // gave up on (Firestore's rejects that retry unhandled once terminated). Output to a
  // pipe or file is written synchronously, so none is lost.
  process.exit(report.problems === 0 ? 0 : 1);
}

function indexesCommand(args: string[]): number {
  const { values } = parseArgs({ args, options: { project: { type: 'string' } } });
  const project = values.project ?? process.env.GOOGLE_CLOUD_PROJECT;
  if (!project) throw new CliError('indexes needs --project ID (or GOOGLE_CLOUD_PROJECT)');
  const problem = projectIdProblem(project);
  if (problem) throw new CliError(`--project: ${problem}`);
  // gcloud creates one index per command and reads no indexes file; each command is
  // refused with ALREADY_EXISTS for an index that is there, so all may be run again.
  for (const index of requiredIndexes()) console.log(indexCommand(project, index));
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'render':
        return await renderCommand(rest);
      case 'check':
        return await checkCommand(rest);
      case 'doctor':
        return await doctorCommand(rest);
      case 'indexes':
        return indexesCommand(rest);
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return 0;
      default:
        throw new CliError(command ? `unknown command "${command}"` : 'no command given');
    }
  } catch (error) {
    // parseArgs throws TypeErrors with a code for unknown or malformed options.
    const known =
      error instanceof CliError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    if (!known) throw error;
    console.error(`playground-deploy: ${(error as Error).message}`);
    if (!(error instanceof CliError) || error.exitCode === 2) console.error(USAGE);
    return error instanceof CliError ? error.exitCode : 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
