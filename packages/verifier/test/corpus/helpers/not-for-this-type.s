# XDP programs have no skb.
# expect: reject EINVAL program of this type cannot use helper bpf_skb_load_bytes#26
r2 = 0
r3 = r10
r3 += -8
r4 = 8
call bpf_skb_load_bytes
r0 = 0
exit
