# bpf_ktime_get_coarse_ns is not in the base set since 5.17 and no tracing table hands it out.
# prog_type: kprobe
# expect: reject EINVAL program of this type cannot use helper bpf_ktime_get_coarse_ns#160
call bpf_ktime_get_coarse_ns
r0 = 0
exit
