/**
 * openat, read, write, close — through do_sys_openat2, ksys_read/vfs_read, ksys_write/vfs_write
 * and filp_close, with the data really moving between the file system and the task's memory.
 */
import { O_FLAGS, AT_FDCWD, parseOpenFlags } from './syscall-request.js';
import { err, syscallFrame, type SysContext } from './sys-context.js';
import type { FileDesc } from './task.js';
import type { EventTrace } from './trace.js';
import { sendToPeer } from './sys-dgram.js';
import { normalizePath } from './vfs.js';

const encoder = new TextEncoder();

export function sysOpenat(ctx: SysContext, trace: EventTrace, req: { path: string; flags?: number | string; mode?: number; dfd?: number }): number {
  const task = trace.task;
  const flags = parseOpenFlags(req.flags);
  const mode = req.mode ?? (flags & O_FLAGS.O_CREAT ? 0o644 : 0);
  const dfd = req.dfd ?? AT_FDCWD;
  const filename = task.memory.putString(req.path);
  return syscallFrame(ctx, trace, 'openat', [BigInt(dfd), BigInt(filename), BigInt(flags), BigInt(mode)], () => {
    const how = new Uint8Array(24);
    const view = new DataView(how.buffer);
    view.setBigUint64(0, BigInt(flags), true);
    view.setBigUint64(8, BigInt(mode), true);
    const howPtr = task.memory.putScratch(how);
    return Number(trace.call('do_sys_openat2', [BigInt(dfd), BigInt(filename), BigInt(howPtr)], () => {
      const path = normalizePath(req.path);
      const exists = ctx.vfs.exists(path);
      if (!exists && !(flags & O_FLAGS.O_CREAT)) return err('ENOENT');
      if (exists && flags & O_FLAGS.O_CREAT && flags & O_FLAGS.O_EXCL) return err('EEXIST');
      if (task.fds.size >= 1024) return err('EMFILE');
      if (!exists || flags & O_FLAGS.O_TRUNC) ctx.vfs.truncate(path);
      const fd = task.allocFd();
      task.fds.set(fd, { kind: 'file', path, flags, pos: flags & O_FLAGS.O_APPEND ? ctx.vfs.size(path) : 0 });
      return fd;
    }));
  })!;
}

function fileAddrs(ctx: SysContext, pid: number, fd: number, path: string): [bigint, bigint] {
  return [ctx.objects.address({ type: 'file', pid, fd, path }), ctx.objects.address({ type: 'loff_t', pid, fd })];
}

export function sysRead(ctx: SysContext, trace: EventTrace, req: { fd: number; count?: number }): number {
  const task = trace.task;
  const count = Math.min(req.count ?? 4096, task.memory.size);
  const buf = task.memory.reserve(count);
  return syscallFrame(ctx, trace, 'read', [BigInt(req.fd), BigInt(buf), BigInt(count)], () =>
    Number(trace.call('ksys_read', [BigInt(req.fd), BigInt(buf), BigInt(count)], () => {
      const d = task.fds.get(req.fd);
      if (!d) return err('EBADF');
      const path = d.kind === 'file' ? d.path : `socket:[${req.fd}]`;
      const [file, pos] = fileAddrs(ctx, task.pid, req.fd, path);
      return trace.call('vfs_read', [file, BigInt(buf), BigInt(count), pos], () => {
        let data: Uint8Array;
        if (d.kind === 'file') {
          if ((d.flags & 3) === O_FLAGS.O_WRONLY) return err('EBADF');
          data = ctx.vfs.read(d.path, d.pos, count);
          d.pos += data.length;
        } else {
          data = (d.inbox.shift()?.data ?? new Uint8Array(0)).subarray(0, count);
        }
        if (data.length) task.memory.write(buf, data);
        return data.length;
      });
    })),
  )!;
}

export function sysWrite(ctx: SysContext, trace: EventTrace, req: { fd: number; data?: string; count?: number }): number {
  const task = trace.task;
  const data = req.data !== undefined ? encoder.encode(req.data) : new Uint8Array(req.count ?? 0);
  const buf = task.memory.put(data);
  return syscallFrame(ctx, trace, 'write', [BigInt(req.fd), BigInt(buf), BigInt(data.length)], () =>
    Number(trace.call('ksys_write', [BigInt(req.fd), BigInt(buf), BigInt(data.length)], () => {
      const d = task.fds.get(req.fd);
      if (!d) return err('EBADF');
      const path = d.kind === 'file' ? d.path : `socket:[${req.fd}]`;
      const [file, pos] = fileAddrs(ctx, task.pid, req.fd, path);
      return trace.call('vfs_write', [file, BigInt(buf), BigInt(data.length), pos], () => {
        if (d.kind === 'socket') return sendToPeer(ctx, d, data);
        if ((d.flags & 3) === O_FLAGS.O_RDONLY && d.path !== '/dev/null') return err('EBADF');
        if (d.path === '/dev/null') return data.length;
        const at = d.flags & O_FLAGS.O_APPEND ? ctx.vfs.size(d.path) : d.pos;
        const n = ctx.vfs.write(d.path, at, data);
        (d as FileDesc).pos = at + n;
        return n;
      });
    })),
  )!;
}

export function sysClose(ctx: SysContext, trace: EventTrace, req: { fd: number }): number {
  const task = trace.task;
  return syscallFrame(ctx, trace, 'close', [BigInt(req.fd)], () => {
    const d = task.fds.get(req.fd);
    if (!d) return err('EBADF');
    task.fds.delete(req.fd);
    const file = ctx.objects.address({ type: 'file', pid: task.pid, fd: req.fd, path: d.kind === 'file' ? d.path : `socket:[${req.fd}]` });
    const owner = ctx.objects.address({ type: 'files_struct', pid: task.pid });
    return Number(trace.call('filp_close', [file, owner], () => 0));
  })!;
}
