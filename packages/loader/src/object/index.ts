/**
 * The object reader: readObject(bytes, {name?, path?}) → ObjectSpec, libbpf's
 * bpf_object__open as pure data (programs linked with their subprograms, maps with their
 * definitions and initial data, relocations left symbolic, BTF ready for the kernel).
 */
export { readObject, type ReadObjectOptions } from './read-object.js';
export { ObjectError } from './errors.js';
export { SECTION_DEFS, SecFlag, matchSection, secDefMatches, type SecDef, type SectionMeaning } from './section-defs.js';
export { internalMapName, objectName } from './naming.js';
export { ringbufSize } from './maps-btf.js';
export * from './types.js';
