export { CpuThreads, type CpuThreadsDeps, type CpuThreadsOptions, type ThreadBatch } from './cpu-threads.js';
export { runsOnThread } from './worker-safe.js';
