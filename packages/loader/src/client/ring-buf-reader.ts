import { MapType, type RingbufRecord, SimSubjects, fromBase64 } from '@bpfhive/uapi';
import type { BpfClient } from './bpf-client.js';
import { BpfSyscallError } from './errors.js';
import { RecordQueue } from './record-queue.js';

/** One ring buffer record: the map it came from and the sample. */
export interface RingRecord {
  readonly mapId: number;
  readonly data: Uint8Array;
}

/**
 * What a ring's callback gets: the sample and the map. A non-zero return stops the consume, and
 * poll/consume return it (libbpf's ring_buffer_sample_fn contract); the records after it wait.
 */
export type RingSampleCallback = (data: Uint8Array, mapId: number) => number | void;

/**
 * Reads BPF_MAP_TYPE_RINGBUF maps, as libbpf's ring_buffer__new / __add / __poll / __consume /
 * __free and cilium/ebpf's ringbuf.Reader do: the kernel-sim publishes each record on
 * `bpf.v1.map.<id>.ringbuf` after the hook batch that submitted it, and the reader queues them
 * from the moment it opens. Take them with a callback per ring (poll, consume) or as an async
 * iterator of RingRecords (`for await`); close() stops it.
 */
export class RingBufReader {
  readonly #queue = new RecordQueue<RingRecord>();
  readonly #callbacks = new Map<number, RingSampleCallback | undefined>();

  private constructor(private readonly client: BpfClient) {}

  /** ring_buffer__new(map, sample_cb): EINVAL when the map is not a ring buffer, ENOENT when there is none. */
  static async open(client: BpfClient, mapId: number, sample?: RingSampleCallback): Promise<RingBufReader> {
    const reader = new RingBufReader(client);
    await reader.add(mapId, sample);
    return reader;
  }

  /** ring_buffer__add: another ring into the same reader; EEXIST when it is read here already. */
  async add(mapId: number, sample?: RingSampleCallback): Promise<void> {
    if (this.#callbacks.has(mapId)) throw new BpfSyscallError('EEXIST', `ring buffer reader: map ${mapId} is read here already`);
    const info = await this.client.mapInfo(mapId);
    if (info.map_type !== MapType.RINGBUF) throw new BpfSyscallError('EINVAL', `ring buffer reader: map ${mapId} is a ${info.type_name}, not a ringbuf`);
    this.#callbacks.set(mapId, sample);
    await this.#queue.listen(this.client.nc, SimSubjects.ringbuf(mapId), (json) => ({ mapId, data: fromBase64((json as RingbufRecord).data, 'data') }));
  }

  /** Whether close() was called. */
  get closed(): boolean {
    return this.#queue.closed;
  }

  /** The maps read here. */
  get maps(): number[] {
    return [...this.#callbacks.keys()];
  }

  /**
   * ring_buffer__poll: waits up to `timeoutMs` (negative: until a record comes or close; 0: not
   * at all) and hands every queued record to its ring's callback. Returns how many were handled,
   * or the first non-zero callback result.
   */
  async poll(timeoutMs: number): Promise<number> {
    await this.#queue.wait(timeoutMs);
    return this.consume();
  }

  /** ring_buffer__consume: every queued record to its callback, without waiting; as poll returns. */
  consume(): number {
    const records = this.#queue.drain();
    for (let i = 0; i < records.length; i++) {
      const { mapId, data } = records[i]!;
      const result = this.#callbacks.get(mapId)?.(data, mapId);
      if (result) {
        this.#queue.unshift(records.slice(i + 1));
        return result;
      }
    }
    return records.length;
  }

  /** The records as they come, until close(). */
  [Symbol.asyncIterator](): AsyncIterator<RingRecord> {
    return this.#queue[Symbol.asyncIterator]();
  }

  /** ring_buffer__free: stops reading; a pending poll or iterator returns. */
  close(): void {
    this.#queue.close();
  }
}
