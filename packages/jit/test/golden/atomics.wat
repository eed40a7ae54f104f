(module
  (type (;0;) (func (param i64 i64 i64 i64 i64 i64) (result i64)))
  (type (;1;) (func (param i64 i64 i64 i64 i64) (result i64)))
  (type (;2;) (func (param i32 i32 i32 i32 i64)))
  (type (;3;) (func (param i64 i64 i64 i64 i64 i64 i64) (result i64)))
  (import "env" "memory" (memory 1 1 shared))
  (export "main" (func $main))
  (export "run_batch" (func $run_batch))
  (func $main (type 0) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (param $r10 i64) (result i64)
    (local $r0 i64) (local $r6 i64) (local $r7 i64) (local $r8 i64) (local $r9 i64) (local $t i64) (local $u i64) (local $t32 i32) (local $pc i32) (local $loops i64)
    i64.const 10
    local.set $r2
    local.get $r10
    i32.wrap_i64
    i32.const -8
    i32.add
    local.get $r2
    i64.store align=1
    i64.const 5
    local.set $r3
    local.get $r10
    i32.wrap_i64
    i32.const -8
    i32.add
    local.get $r3
    i64.atomic.rmw.add
    drop
    local.get $r10
    i32.wrap_i64
    i32.const -8
    i32.add
    local.get $r3
    i64.atomic.rmw.or
    local.set $r3
    i64.const 15
    local.set $r0
    i64.const 1
    local.set $r4
    local.get $r10
    i32.wrap_i64
    i32.const -8
    i32.add
    local.get $r0
    local.get $r4
    i64.atomic.rmw.cmpxchg
    local.set $r0
    i64.const 7
    local.set $r5
    local.get $r10
    i32.wrap_i64
    i32.const -8
    i32.add
    local.get $r5
    i64.atomic.rmw32.xchg_u
    local.set $r5
    local.get $r10
    i32.wrap_i64
    i32.const -8
    i32.add
    i64.atomic.load
    local.set $r0
    local.get $r0
    return
    unreachable
  )
  (func $run_batch (type 2) (param $base i32) (param $stride i32) (param $count i32) (param $out i32) (param $fp i64)
    (local $i i32)
    block $done
      loop $next
        local.get $i
        local.get $count
        i32.ge_u
        br_if 1 ;; -> $done
        local.get $out
        local.get $i
        i32.const 8
        i32.mul
        i32.add
        local.get $base
        local.get $i
        local.get $stride
        i32.mul
        i32.add
        i64.extend_i32_u
        i64.const 0
        i64.const 0
        i64.const 0
        i64.const 0
        local.get $fp
        call $main
        i64.store
        local.get $i
        i32.const 1
        i32.add
        local.set $i
        br 0 ;; -> $next
      end
    end
  )
)
