import { describe, expect, it } from 'vitest';
import { READY_LINE, formatReady } from './summary.js';

describe('the ready message', () => {
  const text = formatReady({
    natsUrl: 'nats://127.0.0.1:41234',
    natsOrigin: 'nats-server started here',
    services: [
      { name: 'maps-store', instances: [{ name: 'maps-store', id: 'M1', version: '0.1.0' }] },
      {
        name: 'jit',
        instances: [
          { name: 'jit', id: 'J1', version: '0.1.0' },
          { name: 'jit', id: 'J2', version: '0.1.0' },
        ],
      },
    ],
    missing: ['kernel-sim'],
  });
  const lines = text.split('\n');

  it('ready - starts with the ready line and gives the export line to paste', () => {
    expect(lines[0]).toBe(READY_LINE);
    expect(lines).toContain('  export NATS_URL=nats://127.0.0.1:41234');
  });

  it('ready - lists every service with its instance ids, and the missing ones', () => {
    expect(text).toMatch(/maps-store {2}1 instance {3}M1\n/);
    expect(text).toMatch(/jit {9}2 instances {2}J1, J2\n/);
    expect(text).toMatch(/missing {3}kernel-sim/);
  });

  it('ready - says nothing is missing when nothing is', () => {
    const full = formatReady({ natsUrl: 'nats://x:1', natsOrigin: 'from NATS_URL', services: [{ name: 'jit', instances: [] }], missing: [] });
    expect(full).not.toMatch(/missing/);
  });
});
