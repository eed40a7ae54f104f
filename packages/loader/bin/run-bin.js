// Loads the built CLI and runs one command line; says how to build it when dist/ is missing.
export async function runBin(argv) {
  let cli;
  try {
    cli = await import('../dist/cli/main.js');
  } catch (e) {
    if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('dist/cli/main.js')) {
      process.stderr.write('Error: bpfhive is not built yet: run `npm run build` at the repository root\n');
      process.exitCode = 1;
      return;
    }
    throw e;
  }
  process.exitCode = await cli.runCli(argv, cli.processIo());
}
