import { readFile } from 'node:fs/promises';

/** What a command may touch: its streams, so tests can run commands in-process. */
export interface CliIo {
  /** Reads all of standard input. */
  readStdin(): Promise<Uint8Array>;
  stdout(chunk: string | Uint8Array): void;
  stderr(chunk: string): void;
  /** True when standard output is a terminal. */
  readonly stdoutIsTty: boolean;
  /** True when standard error is a terminal: colours and progress lines go there only then (cli/tty.ts). */
  readonly stderrIsTty: boolean;
}

/** A command-line error: printed as `Error: message` and exits 1, like bpftool. */
export class UsageError extends Error {}

/** The process's own streams. */
export function processIo(): CliIo {
  return {
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    stdout: (chunk) => void process.stdout.write(chunk),
    stderr: (chunk) => void process.stderr.write(chunk),
    stdoutIsTty: Boolean(process.stdout.isTTY),
    stderrIsTty: Boolean(process.stderr.isTTY),
  };
}

/** Reads FILE, or standard input for `-`. */
export async function readInput(path: string, io: CliIo): Promise<Uint8Array> {
  if (path === '-') return io.readStdin();
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `cannot open ${path}: no such file` : `cannot read ${path}: ${(e as Error).message}`);
  }
}

/** True when bytes read as hex text: hex digits, optional 0x prefixes, white space and commas only. */
export function looksLikeHex(bytes: Uint8Array): boolean {
  const text = Buffer.from(bytes).toString('latin1');
  return /[0-9a-f]/i.test(text) && /^(?:\s|,|0x|[0-9a-f])*$/i.test(text);
}
