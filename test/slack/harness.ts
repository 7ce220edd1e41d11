import { type ChildProcess, spawn } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { App } from '@slack/bolt';
import { afterEach } from 'vitest';
import { createBot, type Bot as RunningBot, type TrackerTuning } from '../../src/bot.ts';
import { readConfig } from '../../src/config.ts';
import { type AppEngineApiStandIn, startAppEngineApi } from '../../src/local/app-engine/server.ts';
import { type CloudBuildStandIn, startCloudBuildApi } from '../../src/local/cloud-build/server.ts';
import { cloudBuildLogSource } from '../../src/local/cloud-logging/from-cloud-build.ts';
import {
  type CloudLoggingStandIn,
  startCloudLoggingApi,
} from '../../src/local/cloud-logging/server.ts';
import { answerObject } from '../../src/local/page/bot-requests.ts';
import { type RegistryStandIn, startRegistry } from '../../src/local/registry/server.ts';
import { viewStateValues } from '../../src/local/slack-api/payloads.ts';
import { type SlackApiStandIn, startSlackApi } from '../../src/local/slack-api/server.ts';
import type { StoredView } from '../../src/local/slack-api/types.ts';
import {
  startVersionService,
  type VersionServiceStandIn,
} from '../../src/local/version-service.ts';
import { createLogger } from '../../src/log.ts';
import { boltLogger } from '../../src/slack/bolt-logger.ts';
import {
  EVENTS_PATH,
  type GuardedReceiverOptions,
  guardedReceiver,
} from '../../src/slack/receiver.ts';
import { CALLBACK_ID } from '../../src/slack/views/ids.ts';
import type { FirestoreStore } from '../../src/store/firestore-store.ts';
import { eventually } from '../helpers/eventually.ts';
import {
  blockActions,
  type MessageRef,
  type SlackResponse,
  send,
  slashCommand,
  viewSubmission,
} from '../helpers/slack-requests.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { emulatorHost } from '../setup/firestore-project.ts';

export const SECRET = 'test-signing-secret';
export const TOKEN = 'xoxb-test-bot-token';
export const PARTNER = 'UPARTNER01';
export const OTHER_PARTNER = 'UPARTNER02';

/**
 * A Bolt app with nothing of the bot but the guarded receiver (signed with SECRET, its log
 * dropped, `options` beside), and no Slack behind it. Handlers are added by the test.
 */
export function guardedBoltApp(
  options: Omit<GuardedReceiverOptions, 'signingSecret' | 'logger'> = {},
): App {
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  const logger = createLogger('warn', sink);
  return new App({
    token: TOKEN,
    // Known, so Bolt never calls auth.test (there is no Slack here).
    botId: 'BBOT000001',
    botUserId: 'UBOT000001',
    logger: boltLogger(logger),
    receiver: guardedReceiver({ signingSecret: SECRET, logger, ...options }),
  });
}

/** Starts `app` on a free port; answers its events URL. */
export async function eventsUrl(app: App): Promise<string> {
  const server = (await app.start(0)) as unknown as { address(): AddressInfo };
  return `http://127.0.0.1:${server.address().port}${EVENTS_PATH}`;
}
export const APPROVER = 'UAPPROVER1';
/** A member of the approvers' user group, not listed by id. */
export const GROUP_APPROVER = 'UAPPROVER2';
export const APPROVER_GROUP = 'SAPPROVERS';
export const REVIEW_CHANNEL = 'CREVIEW001';
// Slack follow-ups run after the HTTP answer: tests wait for them with `eventually`.
export { eventually };

export const PROJECTS = ['pg-prod-1', 'pg-dev-1'];

/** The image the tests' forms name (test/slack/fill.ts), known to the registry stand-in. */
export const FORM_IMAGE = { repository: 'theplayground_repo/my_service', tag: '1.0.3' };
/** A private repository: readable only with READER_TOKEN, not with the bot's other tokens. */
export const PRIVATE_REPOSITORY = 'partner-project/private/model';
export const READER_TOKEN = 'ya29.stand-in-reader';
export const OUTSIDER_TOKEN = 'ya29.stand-in-outsider';

/** One JSON log line as the bot wrote it. */
export type LogLine = Record<string, unknown> & { message?: string; severity?: string };

/**
 * The real bot (Bolt over HTTP, Firestore store on the emulator) wired to the Slack
 * stand-in, plus helpers that act as Slack does: signed commands, clicks, submissions.
 */
export interface Bot extends SlackActions {
  api: SlackApiStandIn;
  url: string;
  cloudBuild: CloudBuildStandIn;
  appEngine: AppEngineApiStandIn;
  /** Cloud Logging, serving the Cloud Build stand-in's build logs (LOGGING_API_URL). */
  logging: CloudLoggingStandIn;
  /** The partner images' registry (REGISTRY_API_URL). */
  registry: RegistryStandIn;
  /** What every deployed version serves at its versionUrl, for the bot's live check. */
  versions: VersionServiceStandIn;
  running: RunningBot;
  store: FirestoreStore;
  /** Stops and restarts the bot's way to Firestore (connections refused, open ones cut). */
  firestoreProxy: TcpProxy;
  logs: LogLine[];
  /** The environment the instance was configured from (what a bot process would be given). */
  env: Record<string, string>;
  /** Another bot instance on the same Firestore project, Slack and Google stand-ins. */
  another(tuning?: TrackerTuning): Promise<Bot>;
  /** Ends this instance as a crash would: no graceful hand-over of its leases. */
  kill(): Promise<void>;
  close(): Promise<void>;
}

/** Acting as Slack does towards a bot at some URL: signed commands, clicks, submissions. */
export interface SlackActions {
  command(userId: string, text: string, options?: { retryNum?: number }): Promise<SlackResponse>;
  /** The modal on top of the user's stack, once the bot has opened one (after its ack). */
  modal(userId: string, options?: { besides?: StoredView[] }): Promise<StoredView>;
  /** Submits the user's top modal with the given field values (others keep their initial values). */
  submit(
    userId: string,
    typed?: Record<string, string | null>,
    view?: StoredView,
  ): Promise<SlackResponse>;
  click(
    userId: string,
    actionId: string,
    value: string,
    where?: { message?: MessageRef },
  ): Promise<SlackResponse>;
}

/** What bot instances share: the stand-ins, the Firestore project and the way to it. */
interface World {
  api: SlackApiStandIn;
  cloudBuild: CloudBuildStandIn;
  appEngine: AppEngineApiStandIn;
  logging: CloudLoggingStandIn;
  registry: RegistryStandIn;
  versions: VersionServiceStandIn;
  firestoreProxy: TcpProxy;
  projectId: string;
}

async function startWorld(): Promise<World> {
  // The bot reaches the emulator through a proxy, so a test can take Firestore away.
  const firestoreProxy = await startTcpProxy(emulatorHost());
  const api = await startSlackApi({
    botToken: TOKEN,
    users: [
      { id: PARTNER, name: 'pat', real_name: 'Pat Partner' },
      { id: OTHER_PARTNER, name: 'otto', real_name: 'Otto Other' },
      { id: APPROVER, name: 'alex', real_name: 'Alex Approver' },
      { id: GROUP_APPROVER, name: 'gabi', real_name: 'Gabi Group' },
    ],
    usergroups: [{ id: APPROVER_GROUP, handle: 'playground-approvers', users: [GROUP_APPROVER] }],
  });
  const cloudBuild = await startCloudBuildApi({});
  const appEngine = await startAppEngineApi({
    apps: PROJECTS.map((id) => ({ id, services: ['default'] })),
  });
  const logging = await startCloudLoggingApi({ source: cloudBuildLogSource(cloudBuild) });
  const registry = await startRegistry({
    images: [FORM_IMAGE, { repository: PRIVATE_REPOSITORY, tag: '1.0' }],
    private: { [PRIVATE_REPOSITORY]: [`oauth2accesstoken:${READER_TOKEN}`] },
    accounts: [`oauth2accesstoken:${OUTSIDER_TOKEN}`],
  });
  // Versions answer at a URL the live check reaches (a test's own onDeploy hook replaces this).
  const versions = await startVersionService();
  appEngine.onDeploy({ versionUrl: () => versions.url });
  const projectId = `test-${Math.random().toString(36).slice(2, 10)}`;
  return { api, cloudBuild, appEngine, logging, registry, versions, firestoreProxy, projectId };
}

/** Fast polling, so pipelines move in test time. */
export const FAST_TRACKING: TrackerTuning = {
  tickMs: 25,
  discoverMs: 100,
  leaseMs: 3_000,
  callsPerMinute: 6_000,
  backoff: { initialMs: 20, factor: 1.5, maxMs: 200 },
};

/** Fast polling, and message retries in test time: 100 ms, doubled up to 1 s. */
export const FAST_DELIVERY: TrackerTuning = {
  ...FAST_TRACKING,
  delivery: { backoffMs: 100, maxBackoffMs: 1_000 },
};

/** For a file whose tests each start a bot on fresh stand-ins: closed after each test. */
export function botPerTest(
  tuning: TrackerTuning = FAST_DELIVERY,
): (env?: Record<string, string>) => Promise<Bot> {
  let current: Bot | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (env = {}) => {
    current = await startBot(env, tuning);
    return current;
  };
}

export async function startBot(
  env: Record<string, string> = {},
  tuning: TrackerTuning = FAST_TRACKING,
  shared?: World,
): Promise<Bot> {
  const world = shared ?? (await startWorld());
  const { api, cloudBuild, appEngine, logging, registry, versions, firestoreProxy, projectId } =
    world;
  const botEnv: Record<string, string> = {
    SLACK_BOT_TOKEN: TOKEN,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: api.url,
    PORT: '3000',
    PLAYGROUND_REVIEW_CHANNEL: REVIEW_CHANNEL,
    PLAYGROUND_APPROVERS: `${APPROVER},${APPROVER_GROUP}`,
    GOOGLE_CLOUD_PROJECT: projectId,
    PLAYGROUND_TARGET_PROJECTS: PROJECTS.join(','),
    PLAYGROUND_REGISTRY: 'europe-docker.pkg.dev/pg-bot-1/playground',
    FIRESTORE_EMULATOR_HOST: firestoreProxy.host,
    CLOUD_BUILD_API_URL: cloudBuild.url,
    APPENGINE_API_URL: appEngine.url,
    LOGGING_API_URL: logging.url,
    REGISTRY_API_URL: registry.url,
    LOG_LEVEL: 'debug',
    ...env,
  };
  const config = readConfig(botEnv);
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  const logger = createLogger('debug', sink);
  const running = withEmulatorHost(firestoreProxy.host, () => createBot(config, logger, tuning));
  const server = (await running.start(0)) as Server;
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;

  let stopped = false;
  const bot: Bot = {
    api,
    url,
    cloudBuild,
    appEngine,
    logging,
    registry,
    versions,
    running,
    store: running.store,
    firestoreProxy,
    logs,
    env: botEnv,
    ...slackActions(api, url),
    another: (more = tuning) => startBot(env, more, world),
    async kill() {
      stopped = true;
      await running.stop({ releaseLeases: false });
    },
    async close() {
      if (!stopped) await running.stop();
      if (shared) return;
      await firestoreProxy.close();
      await Promise.all([
        api.close(),
        cloudBuild.close(),
        appEngine.close(),
        logging.close(),
        registry.close(),
        versions.close(),
      ]);
    },
  };
  return bot;
}

/** Signed requests to the bot at `url`, made as Slack makes them, with the stand-in's triggers. */
export function slackActions(api: SlackApiStandIn, url: string): SlackActions {
  const actions: SlackActions = {
    command: (userId, text, options = {}) =>
      send(
        url,
        slashCommand({
          userId,
          text,
          channelId: 'CGENERAL01',
          triggerId: api.issueTrigger(userId),
          responseUrl: api.issueResponseUrl({ userId, channelId: 'CGENERAL01' }),
        }),
        { secret: SECRET, ...options },
      ),
    modal(userId, options = {}) {
      const seen = new Set((options.besides ?? []).map((v) => v.id));
      return eventually(() => {
        const top = api.openViews(userId).at(-1);
        if (!top || seen.has(top.id)) throw new Error(`${userId} has no new modal open`);
        // A click opens a loading modal first; what replaces it is the modal meant.
        if (top.callback_id === CALLBACK_ID.loading)
          throw new Error(`${userId}'s modal is loading`);
        return top;
      });
    },
    async submit(userId, typed = {}, given?: StoredView) {
      const view = given ?? (await actions.modal(userId));
      const answer = await send(
        url,
        viewSubmission({
          userId,
          triggerId: api.issueTrigger(userId),
          view: {
            id: view.id,
            callback_id: view.callback_id,
            private_metadata: view.private_metadata,
            hash: view.hash,
            state: { values: viewStateValues(view.blocks, typed) },
          },
        }),
        { secret: SECRET },
      );
      // Slack acts on the answer: an empty one closes the modal, `update` replaces it...
      // (the stand-in does not see answers, so the harness applies them as the page does).
      if (answer.status === 200 && answerObject(answer)?.response_action !== 'errors') {
        api.workspace.answerSubmission(userId, view, answerObject(answer));
      }
      return answer;
    },
    click(userId, actionId, value, where = {}) {
      return send(
        url,
        blockActions({
          userId,
          actionId,
          blockId: 'actions',
          value,
          triggerId: api.issueTrigger(userId),
          ...(where.message ? { message: where.message } : {}),
        }),
        { secret: SECRET },
      );
    },
  };
  return actions;
}

/** The outbox key (src/slack/announce.ts) a post carries in its metadata (a JSON string in a form-encoded call). */
export function keyOf(args: Record<string, unknown>): unknown {
  const raw = args.metadata;
  const metadata = (typeof raw === 'string' ? JSON.parse(raw) : raw) as
    | { event_payload?: { key?: unknown } }
    | undefined;
  return metadata?.event_payload?.key;
}

/** A bot process (`node src/main.ts`) and what it wrote to stdout and stderr so far. */
export interface BotProcess {
  process: ChildProcess;
  output(): string;
}

/** Starts the bot as a process with `env` (and this PATH); resolves once it logs ready. */
export async function spawnBot(env: Record<string, string>): Promise<BotProcess> {
  const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
  const child = spawn(process.execPath, [main], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (output.includes('"message":"ready"')) {
        clearInterval(timer);
        resolve();
      }
    }, 50);
    child.once('exit', () => {
      clearInterval(timer);
      reject(new Error(`the bot exited before ready:\n${output}`));
    });
  });
  return { process: child, output: () => output };
}

/**
 * The Firestore client prefers process.env.FIRESTORE_EMULATOR_HOST (set for the test
 * workers) over its settings, so the bot is made while it names the proxy.
 */
function withEmulatorHost<T>(host: string, make: () => T): T {
  const saved = process.env.FIRESTORE_EMULATOR_HOST;
  process.env.FIRESTORE_EMULATOR_HOST = host;
  try {
    return make();
  } finally {
    process.env.FIRESTORE_EMULATOR_HOST = saved;
  }
}
