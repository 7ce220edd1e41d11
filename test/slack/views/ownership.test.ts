import { describe, expect, it } from 'vitest';
import type { UpdateOfLive } from '../../../src/domain/service-record.ts';
import { transferAnswer, updateOfLiveBlocks } from '../../../src/slack/views/ownership.ts';
import { sampleSpec } from '../../helpers/sample-spec.ts';

const update: UpdateOfLive = {
  project: 'pg-dev-1',
  chosen: 'only_project',
  live: {
    version: 'pg-0007-r1',
    image: sampleSpec().image,
    submissionId: 'PG-0007',
    revision: 1,
    spec: sampleSpec(),
    at: new Date('2026-03-04T14:05:00Z'),
  },
};

const textOf = (blocks: unknown[]) => JSON.stringify(blocks);

describe('updateOfLiveBlocks', () => {
  it('names the live version and says when nothing changes, and which project it compared with', () => {
    const text = textOf(updateOfLiveBlocks(update, sampleSpec()));
    expect(text).toContain(
      '*Update of live `my-service` (`pg-dev-1`)*: live version `pg-0007-r1` from PG-0007 r1',
    );
    expect(text).toContain('No field changes against what is live.');
    expect(text).toContain('the only target project where it is live');
  });

  it('shows a new digest behind the same tag: the model changed although the spec did not', () => {
    const before = `sha256:${'a'.repeat(64)}`;
    const after = `sha256:${'b'.repeat(64)}`;
    const pinned = { ...update, live: { ...update.live, digest: before } };
    const text = textOf(updateOfLiveBlocks(pinned, sampleSpec(), after));
    expect(text).toContain(`• *image digest*: \`${before}\` → \`${after}\``);
    expect(text).not.toContain('No field changes');
    expect(textOf(updateOfLiveBlocks(pinned, sampleSpec(), before))).toContain(
      'No field changes against what is live.',
    );
  });

  it('lists at most twelve changes and counts the rest', () => {
    const next = sampleSpec({
      image: 'eu.gcr.io/p/m:2',
      ZOOM_LEVEL: 17,
      PADDING: 32,
      PREDICTOR_CLASS: 'B',
      PREDICTOR_PACKAGE: 'b.c',
      resources: { cpu: 8, memory_gb: 6, disk_size_gb: 20 },
      gunicorn: { workers: 4, backlog: 8, timeout: 90 },
      describe: { title: 'T', description: 'D' },
    });
    const text = textOf(updateOfLiveBlocks(update, next));
    expect(text.match(/• \*/g)).toHaveLength(12);
    expect(text).toContain('…and 1 more');
  });
});

describe('transferAnswer', () => {
  it('names the new owner, the team when there is one, and the old owner', () => {
    const transfer = {
      project: 'pg-dev-1',
      service: 'my-service',
      from: { userId: 'UPAT' },
      to: { userId: 'UOTTO' },
      by: { userId: 'UALEX' },
    };
    expect(transferAnswer({ kind: 'done', transfer, team: 'STEAM', applied: true }).text).toBe(
      ':handshake: `my-service` in `pg-dev-1` now belongs to <@UOTTO>, with the members of <!subteam^STEAM> (was <@UPAT>). Both were told.',
    );
    expect(
      transferAnswer({ kind: 'ambiguous', service: 'my-service', projects: ['a', 'b'] }).text,
    ).toBe('`my-service` is owned in `a` and `b`: say which with `--project P`.');
  });
});
