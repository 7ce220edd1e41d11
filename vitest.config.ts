import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One Firestore emulator for the run (or FIRESTORE_EMULATOR_HOST when already set).
    globalSetup: ['test/setup/firestore.ts'],
    // Integration tests start real servers (gunicorn, emulators); give them room.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
