export interface Instruction {
  keyword: string;
  args: string;
}

/** Reads a Dockerfile the way Docker does: comments dropped, `\` continuations joined. */
export function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    if (!pending && (line.trim() === '' || line.trimStart().startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    const match = /^(\S+)\s+(.*)$/.exec(full);
    if (!match?.[1] || match[2] === undefined) throw new Error(`unparsable line: ${full}`);
    instructions.push({ keyword: match[1].toUpperCase(), args: match[2] });
  }
  return instructions;
}
