# prog_type: kprobe
# privileges: CAP_BPF
# expect: reject EPERM loading kprobe programs needs CAP_PERFMON
r0 = 0
exit
