/**
 * Slack gives a handler 3 seconds to answer. Work that must finish before the answer
 * (saving a submission) races this window: when it is slow, the handler answers with
 * advice instead of timing out, and the work goes on; its own continuation reports the
 * result, so nothing is lost or done twice.
 */
export const ACK_WINDOW_MS = 2500;

export type Raced<T> = { done: true; value: T } | { done: false; pending: Promise<T> };

export async function withinAckWindow<T>(work: Promise<T>, ms = ACK_WINDOW_MS): Promise<Raced<T>> {
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<'slow'>((resolve) => {
    timer = setTimeout(() => resolve('slow'), ms);
  });
  try {
    const first = await Promise.race([work.then((value) => ({ value })), slow]);
    return first === 'slow' ? { done: false, pending: work } : { done: true, value: first.value };
  } finally {
    clearTimeout(timer);
  }
}
