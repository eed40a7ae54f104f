export { parseDataFile, DataFileError, type DataFile } from './data-file.js';
export { findConformanceDir } from './locate.js';
export { readAssembledTests, type AssembledTest } from './assembled.js';
