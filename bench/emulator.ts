// The Firestore emulator a benchmark runs against: FIRESTORE_EMULATOR_HOST when set,
// otherwise one started for the run and stopped after it (Ctrl-C included: its Java
// server runs in its own process group and must not be left behind).
import { type FirestoreEmulator, startFirestoreEmulator } from '../src/local/firestore-emulator.ts';

/** Runs `work` with FIRESTORE_EMULATOR_HOST set (the bots' Firestore clients read it). */
export async function withEmulator<T>(work: (host: string) => Promise<T>): Promise<T> {
  let emulator: FirestoreEmulator | undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void (emulator?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
    });
  }
  try {
    if (!process.env.FIRESTORE_EMULATOR_HOST) {
      console.error('starting the Firestore emulator…');
      emulator = await startFirestoreEmulator();
      process.env.FIRESTORE_EMULATOR_HOST = emulator.host;
    }
    return await work(process.env.FIRESTORE_EMULATOR_HOST as string);
  } finally {
    await emulator?.stop();
  }
}
