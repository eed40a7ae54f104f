# tp_btf/bpf_testmod_test_nullable_bare: an argument named *__nullable (here ctx__nullable, named by
# the probe __bpf_trace_<tracepoint>) may be NULL: dereferencing it unchecked is refused
# (the kernel's tp_btf_nullable selftest).
# prog_type: tracing
# attach: trace_raw_tp
# kernel: kernel.btf
# attach_func: bpf_testmod_test_nullable_bare
# log_level: 2
# expect: reject EACCES R1 invalid mem access 'trusted_ptr_or_null_'
r1 = *(u64 *)(r1 + 0)
r0 = *(u32 *)(r1 + 16)
exit
