# A map id the loader did not pass.
# expect: reject EBADF fd 99 is not pointing to valid bpf_map
ld_pseudo r1, 1, 99
r0 = 0
exit
