# BPF_F_STRICT_ALIGNMENT checks packet loads against NET_IP_ALIGN (2).
# flags: 1
# expect: reject EACCES misaligned packet access off 2+(0x0; 0x0)+0+0 size 4
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 4
if r4 > r3 goto out
r0 = *(u32 *)(r2 + 0)
exit
out:
r0 = 1
exit
