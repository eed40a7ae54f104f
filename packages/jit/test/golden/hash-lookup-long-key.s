# options: {"inlineKernelData": true, "maps": [{"kind": "hash", "pointer": 65536, "keySize": 18, "seed": 0, "capacity": 1024, "slotsCell": 65560, "keysInSlots": false, "valueOffset": 24, "cpuStride": 16}]}
# A PERCPU_HASH keyed by 18 bytes: the slots hold hashes, so the key is hashed and compared word by
# word in a loop against the element's copy, the 2-byte tail on its own; the value is this CPU's
# (the CPU from the kernel data block).
r2 = r10
r2 += -24
r1 = 0x10000 ll
call 1
exit
