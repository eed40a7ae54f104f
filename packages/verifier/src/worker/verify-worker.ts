/**
 * A verifier worker thread: answers WorkerTask<VerifyRequest> with verifyRequest's reply, or the
 * error it threw (a malformed request's BpfError, EINVAL) as a WireError. Started by the service's
 * pool (service/verify-pool.ts) from the built file, dist/worker/verify-worker.js.
 */
import { parentPort } from 'node:worker_threads';
import { type VerifyReply, type VerifyRequest, toWireError } from '@bpfhive/uapi';
import { verifyRequest } from '../core/verify-request.js';
import type { WorkerMessage, WorkerTask } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('verify-worker: must run as a worker thread (node:worker_threads)');

port.on('message', ({ id, request }: WorkerTask<VerifyRequest>) => {
  let answer: WorkerMessage<VerifyReply>;
  try {
    answer = { id, reply: verifyRequest(request) };
  } catch (e) {
    answer = { id, error: toWireError(e) };
  }
  port.postMessage(answer);
});
port.postMessage({ ready: true } satisfies WorkerMessage<VerifyReply>);
