# privileges: CAP_BPF
# expect: reject EPERM loading xdp programs needs CAP_NET_ADMIN
r0 = 2
exit
