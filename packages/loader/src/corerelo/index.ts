/**
 * CO-RE relocation (libbpf's relo_core.c): `new CoreRelocator(objectBtf, kernelBtf)
 * .relocate(program, insns)` rewrites the offsets, sizes, existence flags, bitfield shifts,
 * type ids and sizes and enum values a program compiled against its own idea of the kernel's
 * types, so that they hold in the target. Candidates are found by essential name (flavours
 * `___x` stripped), fields by name through anonymous members; ambiguity is an error; a
 * relocation with no target poisons its instruction (`call 0xbad2310`), and
 * explainPoisonedRejection names it when the verifier reaches one.
 */
export { CoreRelocator, type CoreProgram, type CoreProgramResult, type CoreRelocationOutcome } from './relocator.js';
export { CoreRelocationError, type CoreReloSite } from './errors.js';
export { CORE_POISON_CALL, CORE_POISON_IMM } from './patch.js';
export { type Refusal, explainPoisonedRejection, refusedPoisonSlot } from './poison.js';
export { essentialName, essentialNameLength } from './names.js';
