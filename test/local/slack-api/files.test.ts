// The Slack stand-in's file upload flow (src/local/slack-api/methods/files.ts), through the
// Web API client the bot uses: files.uploadV2 end to end, and each step's errors.
import { describe, expect, it } from 'vitest';
import { client, REVIEW_CHANNEL, sharedStandIn, slackError, standIn } from './fixtures.ts';

const shared = sharedStandIn();

describe('files.uploadV2 against the stand-in', () => {
  it('uploads the bytes and shares the file in a thread, under the root', async () => {
    const { api, web } = shared;
    const root = await web.chat.postMessage({ channel: REVIEW_CHANNEL, text: 'root' });
    const reply = await web.chat.postMessage({
      channel: REVIEW_CHANNEL,
      text: 'reply',
      thread_ts: root.ts as string,
    });
    const content = 'line one\nline two é\n';
    const answer = await web.filesUploadV2({
      channel_id: REVIEW_CHANNEL,
      thread_ts: reply.ts as string,
      filename: 'PG-0042-attempt-2-test.log',
      title: 'PG-0042-attempt-2-test.log',
      content,
      initial_comment: 'The log',
    });
    expect(answer.ok).toBe(true);

    const [file] = api.files();
    expect(file).toMatchObject({
      name: 'PG-0042-attempt-2-test.log',
      title: 'PG-0042-attempt-2-test.log',
      state: 'completed',
      content,
      size: Buffer.byteLength(content),
      length: Buffer.byteLength(content),
      channel: REVIEW_CHANNEL,
      thread_ts: root.ts,
    });
    // The upload URL took the bytes; the share is a reply carrying the file.
    expect(api.callsTo('upload_url')).toMatchObject([{ status: 200 }]);
    const share = api.messages(REVIEW_CHANNEL)[0]?.replies.find((r) => r.files);
    expect(share).toMatchObject({ text: 'The log', files: [{ id: file?.id }] });
  });

  it('keeps a file private without a channel', async () => {
    const { api, web } = shared;
    await web.filesUploadV2({ filename: 'a.log', content: 'x' });
    expect(api.files()).toMatchObject([{ state: 'completed', content: 'x' }]);
    expect(api.files()[0]?.channel).toBeUndefined();
  });
});

describe('files.getUploadURLExternal', () => {
  it('needs a filename and a length: invalid_arguments names the missing one', async () => {
    const { web } = shared;
    const missing = await slackError(web.apiCall('files.getUploadURLExternal', { length: 3 }));
    expect(missing).toMatchObject({
      error: 'invalid_arguments',
      response_metadata: { messages: ['[ERROR] missing required field: filename'] },
    });
    const noLength = await slackError(
      web.apiCall('files.getUploadURLExternal', { filename: 'a.log' }),
    );
    expect(noLength.response_metadata).toMatchObject({
      messages: ['[ERROR] missing required field: length'],
    });
    const zero = await slackError(web.files.getUploadURLExternal({ filename: 'a.log', length: 0 }));
    expect(zero.error).toBe('missing_argument');
  });

  it('needs the files:write scope', async () => {
    const { api, web } = await standIn({ scopes: ['chat:write'] });
    try {
      const refused = await slackError(
        web.files.getUploadURLExternal({ filename: 'a.log', length: 1 }),
      );
      expect(refused).toMatchObject({
        error: 'missing_scope',
        needed: 'files:write',
        provided: 'chat:write',
      });
    } finally {
      await api.close();
    }
  });

  it('gives an upload URL that takes raw bytes once, and answers 404 for any other', async () => {
    const { api, web } = shared;
    const { upload_url, file_id } = await web.files.getUploadURLExternal({
      filename: 'raw.log',
      length: 5,
    });
    const raw = await fetch(upload_url as string, { method: 'POST', body: 'hello' });
    expect([raw.status, await raw.text()]).toEqual([200, 'OK - 5']);
    expect(api.workspace.file(file_id as string)).toMatchObject({ state: 'uploaded' });
    const unknown = await fetch(`${api.origin}/upload/F0NOSUCHONE`, { method: 'POST', body: 'x' });
    expect(unknown.status).toBe(404);
  });
});

describe('files.completeUploadExternal', () => {
  async function uploaded(web: typeof shared.web, content = 'abc') {
    const { upload_url, file_id } = await web.files.getUploadURLExternal({
      filename: 'a.log',
      length: content.length,
    });
    await fetch(upload_url as string, { method: 'POST', body: content });
    return file_id as string;
  }

  it('needs files as a JSON array of ids', async () => {
    const { web } = shared;
    const none = await slackError(web.apiCall('files.completeUploadExternal', {}));
    expect(none).toMatchObject({
      error: 'invalid_arguments',
      response_metadata: { messages: ['[ERROR] missing required field: files'] },
    });
    const notArray = await slackError(
      web.apiCall('files.completeUploadExternal', { files: 'F123' }),
    );
    expect(notArray.error).toBe('invalid_arguments');
    const noId = await slackError(
      web.apiCall('files.completeUploadExternal', { files: [{ title: 'x' }] }),
    );
    expect(noId.response_metadata).toMatchObject({
      messages: ['[ERROR] missing required field: files.id'],
    });
  });

  it('is file_not_found for a file never uploaded, unknown, or completed already', async () => {
    const { web } = shared;
    const { file_id } = await web.files.getUploadURLExternal({ filename: 'a.log', length: 1 });
    const complete = (id: string) =>
      web.files.completeUploadExternal({ files: [{ id }], channel_id: REVIEW_CHANNEL });
    expect((await slackError(complete(file_id as string))).error).toBe('file_not_found');
    expect((await slackError(complete('F0NOSUCHONE'))).error).toBe('file_not_found');
    const id = await uploaded(web);
    expect((await complete(id)).ok).toBe(true);
    expect((await slackError(complete(id))).error).toBe('file_not_found');
  });

  it('refuses a channel the workspace lacks, or one the bot is not in; the file stays uploaded', async () => {
    const { api, web: seededWeb } = await standIn({
      channels: [
        { id: REVIEW_CHANNEL, name: 'review' },
        { id: 'CNOTMEMBER', name: 'elsewhere', botIsMember: false },
      ],
    });
    try {
      const web = client(api);
      const id = await uploaded(web);
      const to = (channel_id: string) =>
        seededWeb.files.completeUploadExternal({ files: [{ id }], channel_id });
      expect((await slackError(to('CNOSUCHONE'))).error).toBe('channel_not_found');
      expect((await slackError(to('CNOTMEMBER'))).error).toBe('not_in_channel');
      expect(api.workspace.file(id)?.state).toBe('uploaded');
      expect((await to(REVIEW_CHANNEL)).ok).toBe(true);
    } finally {
      await api.close();
    }
  });
});
