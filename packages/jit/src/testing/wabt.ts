import { createRequire } from 'node:module';

/**
 * wabt (a devDependency) for tests: parses WAT, validates it, assembles it. Used to check that
 * what printWat emits is valid text that assembles to the bytes encodeModule writes.
 */
export interface WabtModule {
  resolveNames(): void;
  validate(features: Record<string, boolean>): void;
  toBinary(options: { write_debug_names?: boolean }): { buffer: Uint8Array };
  destroy(): void;
}

export interface Wabt {
  parseWat(filename: string, text: string, features: Record<string, boolean>): WabtModule;
}

/** The features our modules use. */
export const WABT_FEATURES = { threads: true, tail_call: true, simd: true } as const;

let instance: Promise<Wabt> | undefined;

export function loadWabt(): Promise<Wabt> {
  instance ??= (createRequire(import.meta.url)('wabt') as () => Promise<Wabt>)();
  return instance;
}

/** WAT text -> module bytes, through wabt. Throws wabt's message for invalid text. */
export async function assembleWat(name: string, text: string): Promise<Uint8Array> {
  const wabt = await loadWabt();
  const parsed = wabt.parseWat(name, text, WABT_FEATURES);
  try {
    parsed.resolveNames();
    parsed.validate(WABT_FEATURES);
    return parsed.toBinary({ write_debug_names: false }).buffer;
  } finally {
    parsed.destroy();
  }
}
