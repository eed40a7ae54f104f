# options: {"inlineKernelData": true}
# Helpers that read the CPU's kernel data block (env.kernel_data): bpf_ktime_get_ns and
# bpf_get_smp_processor_id are loads, bpf_get_prandom_u32 steps the state stored there.
call 5
r6 = r0
call 7
r6 ^= r0
call 8
r0 += r6
exit
