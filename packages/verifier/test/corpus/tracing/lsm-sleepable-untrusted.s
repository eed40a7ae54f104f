# A sleepable lsm program outside an RCU read section: its trusted file keeps f_inode trusted
# (BTF_TYPE_SAFE_TRUSTED); every other pointer walked is untrusted, and so is what is walked from it.
# prog_type: lsm
# attach: lsm_mac
# flags: 16
# kernel: kernel.btf
# attach_func: bpf_lsm_file_open
# log_level: 2
# expect: accept
r2 = *(u64 *)(r1 + 0)
r3 = *(u64 *)(r2 + 16)
r4 = *(u64 *)(r2 + 8)
r5 = *(u64 *)(r4 + 32)
r6 = *(u32 *)(r4 + 0)
r0 = 0
exit
