// Slack's file upload flow, as @slack/web-api's files.uploadV2 walks it:
//
//   1. files.getUploadURLExternal { filename, length } -> { upload_url, file_id }
//      (https://docs.slack.dev/reference/methods/files.getUploadURLExternal: both arguments
//      required; a missing one is `invalid_arguments` with an `[ERROR]` line naming it, and a
//      `length` of 0 is `missing_argument`, "typically only occurs when the length provided
//      is 0").
//   2. POST the bytes to upload_url, raw or multipart form encoded; Slack answers HTTP 200
//      when the upload worked (same page, "Usage info"). The stand-in answers `OK - N` with
//      the bytes it took, and 404 for an upload it does not await.
//   3. files.completeUploadExternal { files: [{ id, title }], channel_id, thread_ts,
//      initial_comment } (https://docs.slack.dev/reference/methods/files.completeUploadExternal:
//      `files` required, a JSON array of ids with optional titles; without channel_id the
//      file stays private; "This method can only be called once", so a file not uploaded,
//      or completed already, is `file_not_found`). Sharing into a channel the workspace does
//      not have is `channel_not_found`, into one the bot is not in `not_in_channel`, as for
//      chat.postMessage.
import type { Args, JsonObject, SlackResult } from '../types.ts';
import type { Workspace } from '../workspace.ts';
import { fail, invalidArguments, jsonArg, str } from './args.ts';

/** Path under the stand-in's origin where upload URLs point: `/upload/F…`. */
export const UPLOAD_PATH = '/upload/';

/** files.getUploadURLExternal; `uploadBase` is the stand-in's origin + UPLOAD_PATH. */
export function getUploadURLExternal(ws: Workspace, args: Args, uploadBase: string): SlackResult {
  const filename = str(args, 'filename');
  const rawLength = str(args, 'length');
  const problems = [
    ...(filename ? [] : ['missing required field: filename']),
    ...(rawLength === undefined ? ['missing required field: length'] : []),
  ];
  if (problems.length > 0) return invalidArguments(problems);
  const length = Number(rawLength);
  if (!Number.isInteger(length) || length < 0) {
    return invalidArguments([`invalid type for field: length (expected an integer)`]);
  }
  if (length === 0) return fail('missing_argument');
  const file = ws.announceFile(filename as string, length);
  return { ok: true, upload_url: `${uploadBase}${file.id}`, file_id: file.id };
}

/** The `files` argument: a JSON array of `{ id, title? }`, or the problem with it. */
function filesArg(args: Args): { id: string; title?: string }[] | string {
  if (args.files === undefined) return 'missing required field: files';
  const parsed = jsonArg(args, 'files');
  const value = parsed.ok ? parsed.value : undefined;
  if (!Array.isArray(value) || value.length === 0) {
    return 'invalid type for field: files (expected a non-empty array of objects)';
  }
  const files: { id: string; title?: string }[] = [];
  for (const item of value as unknown[]) {
    const entry = (typeof item === 'object' && item !== null ? item : {}) as JsonObject;
    if (typeof entry.id !== 'string' || entry.id === '') return 'missing required field: files.id';
    files.push({
      id: entry.id,
      ...(typeof entry.title === 'string' && entry.title !== '' ? { title: entry.title } : {}),
    });
  }
  return files;
}

export function completeUploadExternal(ws: Workspace, args: Args): SlackResult {
  const files = filesArg(args);
  if (typeof files === 'string') return invalidArguments([files]);
  if (files.some((f) => ws.file(f.id)?.state !== 'uploaded')) return fail('file_not_found');
  const asked = str(args, 'channel_id');
  let channel: string | undefined;
  let threadTs = str(args, 'thread_ts');
  if (asked) {
    channel = ws.resolveChannel(asked);
    if (!channel) return fail('channel_not_found');
    const id = channel;
    if (ws.channels().find((c) => c.id === id)?.botIsMember === false) {
      return fail('not_in_channel');
    }
    // A reply's ts files the share under the thread's root, as chat.postMessage does.
    const parent = threadTs ? ws.findMessage(channel, threadTs) : undefined;
    if (parent) threadTs = parent.thread_ts ?? parent.ts;
  }
  const comment = str(args, 'initial_comment');
  const done = files.map((f) =>
    ws.completeFile(f.id, {
      ...(f.title ? { title: f.title } : {}),
      ...(channel ? { channel } : {}),
      ...(channel && threadTs ? { thread_ts: threadTs } : {}),
      ...(comment ? { comment } : {}),
    }),
  );
  return {
    ok: true,
    files: done.map((f) => ({ id: f.id, name: f.name, title: f.title, size: f.size })),
  };
}

/**
 * The bytes a client posted to an upload URL: the first file part of a multipart form (what
 * files.uploadV2 sends), or the body itself.
 */
export async function uploadedBytes(body: Buffer, contentType: string): Promise<Buffer> {
  if (!/^multipart\/form-data/i.test(contentType)) return body;
  const form = await new Response(new Uint8Array(body), {
    headers: { 'content-type': contentType },
  }).formData();
  for (const value of form.values()) {
    if (typeof value !== 'string') return Buffer.from(await value.arrayBuffer());
  }
  const [first] = [...form.values()];
  return Buffer.from(typeof first === 'string' ? first : '');
}
