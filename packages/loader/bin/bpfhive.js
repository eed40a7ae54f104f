#!/usr/bin/env node
// The `bpfhive` command: a committed shim, so npm links it at install time, before the build.
import { runBin } from './run-bin.js';

await runBin(process.argv.slice(2));
