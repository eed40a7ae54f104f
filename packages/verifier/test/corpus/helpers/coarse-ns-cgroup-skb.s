# The networking tables hand out bpf_ktime_get_coarse_ns (bpf_sk_base_func_proto) to any loader,
# an unprivileged cgroup_skb program included.
# prog_type: cgroup_skb
# privileges: none
# expect: accept
call bpf_ktime_get_coarse_ns
r0 = 0
exit
