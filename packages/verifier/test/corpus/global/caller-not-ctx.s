# A parameter typed as the program's context takes the context pointer only.
# prog_type: sched_cls
# func: 0 main global int ptr:STRUCT:__sk_buff
# func: 4 skb_len global int ptr:STRUCT:__sk_buff
# expect: reject EINVAL Caller passes invalid args into func#1 ('skb_len')
r1 = 0
call skb_len
r0 = 0
exit
skb_len:
r0 = *(u32 *)(r1 + 0)
exit
