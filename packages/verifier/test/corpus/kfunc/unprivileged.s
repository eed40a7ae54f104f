# Kernel function calls need CAP_BPF.
# prog_type: socket_filter
# privileges: none
# expect: reject EPERM loading/calling other bpf or kernel functions are allowed for CAP_BPF and CAP_SYS_ADMIN
call kfunc#1003
r0 = 0
exit
