/** Building blocks shared by the wire schemas. */

/** A byte string: standard base64. */
export const base64 = {
  type: 'string',
  pattern: '^[A-Za-z0-9+/]*={0,2}$',
  description: 'bytes, standard base64',
} as const;

export const u32 = { type: 'integer', minimum: 0, maximum: 4294967295 } as const;

/** The body of every error reply; the errno number is also in the Nats-Service-Error-Code header. */
export const ErrorReplySchema = {
  $id: 'bpf.v1.error',
  title: 'Error reply',
  type: 'object',
  additionalProperties: false,
  required: ['errno', 'code', 'message'],
  properties: {
    errno: { type: 'integer', minimum: 1, description: 'errno number, as Linux returns it' },
    code: { type: 'string', pattern: '^E[A-Z0-9]+$', description: 'errno name, e.g. EINVAL' },
    message: { type: 'string', description: 'what went wrong, for a person' },
    log: { type: 'string', description: "the verifier log (prog_load), as the kernel fills log_buf" },
    log_true_size: { ...u32, description: 'with the log: the log_size that would hold all of it, its NUL included (on ENOSPC: grow to this and retry)' },
  },
} as const;
