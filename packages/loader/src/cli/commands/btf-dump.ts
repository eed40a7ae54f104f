import { dumpBtfC, dumpBtfRaw } from '@bpfhive/uapi';
import { UsageError } from '../io.js';
import { parseBtfDumpArgs } from './btf-args.js';
import { writeBtfJson } from './btf-json.js';
import { loadBtfSource } from './btf-source.js';
import { EXIT_OK, type MapSubcommand } from './map-context.js';

/**
 * `btf dump BTF_SRC [format FORMAT]`: bpftool's raw type lines (or `{"types":[…]}` with -j), or
 * with `format c` a header C compilers accept — for the kernel's BTF, a vmlinux.h.
 */
export const btfDump: MapSubcommand = {
  name: 'dump',
  synopsis: 'dump BTF_SRC [format FORMAT]',
  async run(ctx, args) {
    const { source, format } = parseBtfDumpArgs(args);
    const { btf, roots } = await loadBtfSource(source, () => ctx.client());
    if (format === 'c') {
      if (ctx.out.json) throw new UsageError('JSON output for C-syntax dump is not supported');
      ctx.out.plain(dumpBtfC(btf, { header: true }, roots));
    } else if (ctx.out.json) {
      writeBtfJson(ctx.out.json, btf, roots);
    } else {
      ctx.out.plain(dumpBtfRaw(btf, roots));
    }
    return EXIT_OK;
  },
};
