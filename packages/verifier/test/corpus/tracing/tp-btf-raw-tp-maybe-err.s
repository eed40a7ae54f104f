# tp_btf/cachefiles_lookup: raw_tp_null_args marks de (arg2) as a possible error pointer, so it
# reads as a scalar (the kernel logs why, without ending the line) and cannot be dereferenced.
# prog_type: tracing
# attach: trace_raw_tp
# kernel: kernel.btf
# attach_func: cachefiles_lookup
# log_level: 2
# expect: reject EACCES R1 invalid mem access 'scalar'
r1 = *(u64 *)(r1 + 16)
r0 = *(u32 *)(r1 + 0)
exit
