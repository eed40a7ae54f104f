# bpf_get_current_pid_tgid is a base helper of every program type since 6.10, even for an
# unprivileged socket filter.
# prog_type: socket_filter
# privileges: none
# expect: accept
call bpf_get_current_pid_tgid
r0 = 0
exit
