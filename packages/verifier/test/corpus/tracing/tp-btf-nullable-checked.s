# tp_btf/bpf_testmod_test_nullable_bare: the *__nullable argument checked against NULL first.
# prog_type: tracing
# attach: trace_raw_tp
# kernel: kernel.btf
# attach_func: bpf_testmod_test_nullable_bare
# log_level: 2
# expect: accept
r1 = *(u64 *)(r1 + 0)
r0 = 0
if r1 == 0 goto out
r0 = *(u32 *)(r1 + 16)
out:
exit
