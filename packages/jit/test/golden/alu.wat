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
    local.get $r1
    local.set $r0
    local.get $r0
    i64.const 7
    i64.add
    local.set $r0
    local.get $r0
    i32.wrap_i64
    i64.extend_i32_u
    local.set $r2
    local.get $r2
    i32.wrap_i64
    i32.const 3
    i32.mul
    i64.extend_i32_u
    local.set $r2
    local.get $r0
    local.get $r2
    i64.xor
    local.set $r0
    i64.const 5
    local.set $r3
    local.get $r3
    local.set $u
    local.get $u
    i64.eqz
    if (result i64)
      i64.const 0
    else
      local.get $r0
      local.get $u
      i64.div_u
    end
    local.set $r0
    local.get $r0
    i32.wrap_i64
    i32.const -3
    i32.rem_s
    i64.extend_i32_u
    local.set $r0
    local.get $r0
    i64.const 255
    i64.and
    i64.const 8
    i64.shl
    local.get $r0
    i64.const 8
    i64.shr_u
    i64.const 255
    i64.and
    i64.or
    local.set $r0
    local.get $r0
    i32.wrap_i64
    local.tee $t32
    i32.const -16711936
    i32.and
    i32.const 8
    i32.rotl
    local.get $t32
    i32.const 16711935
    i32.and
    i32.const 8
    i32.rotr
    i32.or
    i64.extend_i32_u
    local.set $r0
    local.get $r0
    i64.extend16_s
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
