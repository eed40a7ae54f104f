# bpf_get_current_cgroup_id is in the CAP_BPF part of the base set: an unprivileged socket filter
# may not call it.
# prog_type: socket_filter
# privileges: none
# expect: reject EINVAL program of this type cannot use helper bpf_get_current_cgroup_id#80
call bpf_get_current_cgroup_id
r0 = 0
exit
