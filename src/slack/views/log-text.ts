// Log lines as people read them: what a terminal would show, without its colour codes.
// Shared by the failure replies (a few lines in a code block) and Show log (a file).

/** A log line without terminal colour codes and other control characters (tabs kept). */
export function plainLogLine(line: string): string {
  const ESC = String.fromCharCode(27);
  const colours = new RegExp(`${ESC}\\[[0-9;?]*[A-Za-z]`, 'g');
  return [...line.replace(colours, '')]
    .filter((ch) => {
      const c = ch.charCodeAt(0);
      return c === 9 || (c >= 32 && c !== 127);
    })
    .join('');
}
