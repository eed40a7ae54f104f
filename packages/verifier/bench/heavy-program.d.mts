/** Types of heavy-program.mjs, for the tests written in TypeScript. */
export declare const HEAVY_MAP: { map_id: number; map_type: string; key_size: number; value_size: number; max_entries: number; map_flags: number };
export declare const MILLION_INSN_ITERATIONS: number;
export declare function heavyProgramSource(iterations?: number): string;
