import { describe, expect, it } from 'vitest';
import { BpfSyscallError } from '../client/index.js';
import type { ObjectCloser } from './closer.js';
import { Ledger } from './ledger.js';

/** A closer that records what it is asked, and fails the unpin of `failUnpin`. */
function recordingCloser(failUnpin?: string): ObjectCloser & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    close: async (kind, id) => void calls.push(`close ${kind} ${id}`),
    unpin: async (path) => {
      calls.push(`unpin ${path}`);
      if (path === failUnpin) throw new BpfSyscallError('EACCES', `obj_unpin: ${path}: not yours`);
    },
  };
}

describe('ledger', () => {
  it('ledger - close closes every owned handle, pinned or not (the pin keeps the object), and nothing reused', async () => {
    const closer = recordingCloser();
    const ledger = new Ledger(closer);
    ledger.pinned(ledger.add('map', 'counts', 1, true), '/sys/fs/bpf/counts');
    ledger.add('map', 'shared', 2, false);
    ledger.pinned(ledger.add('prog', 'xdp', 3, true), '/sys/fs/bpf/xdp');
    expect(await ledger.release('close')).toEqual([]);
    expect(closer.calls).toEqual(['close prog 3', 'close map 1']);
  });

  it('ledger - rollback removes the pins this load made, latest first, then closes; an object whose pin stays is reported and left', async () => {
    const closer = recordingCloser('/sys/fs/bpf/b');
    const ledger = new Ledger(closer);
    const a = ledger.add('map', 'a', 1, true);
    const b = ledger.add('map', 'b', 2, true);
    ledger.pinned(a, '/sys/fs/bpf/a');
    ledger.pinned(b, '/sys/fs/bpf/b');
    const unreleased = await ledger.release('rollback');
    expect(closer.calls).toEqual(['unpin /sys/fs/bpf/b', 'unpin /sys/fs/bpf/a', 'close map 1']);
    expect(a.pins).toEqual([]);
    expect(unreleased).toEqual([{ kind: 'map', name: 'b', id: 2, reason: 'pinned at /sys/fs/bpf/b, and the unpin failed: EACCES: obj_unpin: /sys/fs/bpf/b: not yours' }]);
  });
});
