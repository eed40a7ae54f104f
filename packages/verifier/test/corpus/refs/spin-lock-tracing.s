# prog_type: kprobe
# map: 1 array key=4 value=16 entries=1 spin_lock=0
# expect: reject EINVAL tracing progs cannot use bpf_spin_lock yet
ld_pseudo r1, 1, 1
r0 = 0
exit
