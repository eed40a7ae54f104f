import { describe, expect, it } from 'vitest';
import { maglevRing } from './l4lb.js';
import { scenarioMachine } from './scenario.js';

describe('examples: scenarios', () => {
  it('scenarioMachine keeps the machine and drops traffic, timeline and end, comments and all', () => {
    const yaml = [
      '# a comment',
      'name: x',
      'end: 10ms',
      'devices:',
      '  - { name: eth0 }',
      'traffic:',
      '  # the clients',
      '  - device: eth0',
      '',
      '    rate: 10',
      'processes:',
      '  - { pid: 1, comm: init }',
      'timeline:',
      '  - { at: 1ms, pid: 1, syscall: exit }',
    ].join('\n');
    expect(scenarioMachine(yaml)).toBe(['# a comment', 'name: x', 'devices:', '  - { name: eth0 }', 'processes:', '  - { pid: 1, comm: init }'].join('\n'));
  });
});

describe('examples: the Maglev ring of l4lb', () => {
  it('fills every slot, about evenly, and removing a real moves only its own slots', () => {
    const three = maglevRing(['10.0.1.1', '10.0.1.2', '10.0.1.3']);
    expect(three).toHaveLength(257);
    const share = [1, 2, 3].map((r) => three.filter((x) => x === r).length);
    expect(share.reduce((a, b) => a + b)).toBe(257);
    for (const n of share) expect(Math.abs(n - 257 / 3)).toBeLessThanOrEqual(1);
    // Real 3 gone: 1 and 2 keep (nearly) all of their slots; Maglev promises minimal disruption.
    const two = maglevRing(['10.0.1.1', '10.0.1.2']);
    const kept = three.filter((r, slot) => r !== 3 && two[slot] === r).length;
    expect(kept / (share[0]! + share[1]!)).toBeGreaterThan(0.9);
    expect(maglevRing([])).toEqual(new Array(257).fill(0));
  });
});
