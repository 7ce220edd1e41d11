import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One Firestore emulator for the run (or FIRESTORE_EMULATOR_HOST when already set).
    globalSetup: ['test/setup/firestore.ts'],
    // Integration tests start real servers (gunicorn, emulators); give them room.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Most tests wait on servers, timers and the emulator rather than compute: three files
    // at once halve the run on a 2-core machine (Vitest's default there is one).
    maxWorkers: 3,
  },
});
