#!/usr/bin/env node
// `bpfhive-conformance-plugin MEMORY-HEX [OPTIONS]`: the bin to give the bpf_conformance runner
// as --plugin_path; its arguments are exactly the runner's (memory first, then the options).
import { runBin } from './run-bin.js';

await runBin(['conformance-plugin', ...process.argv.slice(2)]);
