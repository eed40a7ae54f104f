# XDP needs CAP_BPF and CAP_NET_ADMIN.
# privileges: none
# expect: reject EPERM loading xdp programs needs CAP_BPF
r0 = 2
exit
