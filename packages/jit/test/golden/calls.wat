(module
  (type (;0;) (func (param i64 i64 i64 i64 i64 i64) (result i64)))
  (type (;1;) (func (param i64 i64 i64 i64 i64) (result i64)))
  (type (;2;) (func (param i64 i64 i64 i64 i64 i64)))
  (type (;3;) (func (param i64 i64 i64 i64 i64 i64 i64) (result i64)))
  (import "h" "5" (func $helper_5 (type 1)))
  (import "env" "memory" (memory 1 1 shared))
  (global $batch_at (mut i32) (i32.const 0))
  (export "main" (func $main))
  (export "run_batch" (func $run_batch))
  (export "batch_at" (global $batch_at))
  (func $main (type 0) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (param $r10 i64) (result i64)
    (local $r0 i64) (local $r6 i64) (local $r7 i64) (local $r8 i64) (local $r9 i64) (local $t i64) (local $u i64) (local $t32 i32) (local $pc i32) (local $loops i64)
    local.get $r10
    i32.wrap_i64
    i32.const -8
    i32.add
    local.get $r1
    i64.store align=1
    i64.const 5
    local.tee $r1
    local.get $r2
    local.get $r3
    local.get $r4
    local.get $r5
    local.get $r10
    i64.const 512
    i64.sub
    call $f1_insn9
    local.tee $r0
    local.tee $r6
    local.tee $r1
    local.get $r2
    local.get $r3
    local.get $r4
    local.get $r5
    call $helper_5
    local.tee $r0
    local.get $r6
    i64.add
    local.set $r0
    local.get $r10
    i32.wrap_i64
    i32.const -8
    i32.add
    i64.load align=1
    local.set $r1
    local.get $r0
    br 0
    unreachable
  )
  (func $f1_insn9 (type 0) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (param $r10 i64) (result i64)
    (local $r0 i64) (local $r6 i64) (local $r7 i64) (local $r8 i64) (local $r9 i64) (local $t i64) (local $u i64) (local $t32 i32) (local $pc i32) (local $loops i64)
    local.get $r1
    local.tee $r0
    i64.const 2
    i64.add
    local.tee $r0
    br 0
    unreachable
  )
  (func $run_batch (type 2) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (param $r10 i64)
    (local $r0 i64) (local $r6 i64) (local $r7 i64) (local $r8 i64) (local $r9 i64) (local $t i64) (local $u i64) (local $t32 i32) (local $pc i32) (local $loops i64) (local $ctx i32) (local $stride i32) (local $count i32) (local $out i32) (local $fp i64)
    local.get $r1
    i32.wrap_i64
    local.set $ctx
    local.get $r2
    i32.wrap_i64
    local.set $stride
    local.get $r3
    i32.wrap_i64
    local.set $count
    local.get $r4
    i32.wrap_i64
    local.set $out
    local.get $r10
    local.set $fp
    block $done
      local.get $count
      i32.eqz
      br_if 0 ;; -> $done
      loop $next
        local.get $out
        global.set $batch_at
        local.get $out
        local.get $ctx
        i64.extend_i32_u
        local.set $r1
        i64.const 0
        local.set $r2
        i64.const 0
        local.set $r3
        i64.const 0
        local.set $r4
        i64.const 0
        local.set $r5
        local.get $fp
        local.set $r10
        i64.const 0
        local.set $r0
        i64.const 0
        local.set $r6
        i64.const 0
        local.set $r7
        i64.const 0
        local.set $r8
        i64.const 0
        local.set $r9
        block $run (result i64)
          local.get $r10
          i32.wrap_i64
          i32.const -8
          i32.add
          local.get $r1
          i64.store align=1
          i64.const 5
          local.tee $r1
          local.get $r2
          local.get $r3
          local.get $r4
          local.get $r5
          local.get $r10
          i64.const 512
          i64.sub
          call $f1_insn9
          local.tee $r0
          local.tee $r6
          local.tee $r1
          local.get $r2
          local.get $r3
          local.get $r4
          local.get $r5
          call $helper_5
          local.tee $r0
          local.get $r6
          i64.add
          local.set $r0
          local.get $r10
          i32.wrap_i64
          i32.const -8
          i32.add
          i64.load align=1
          local.set $r1
          local.get $r0
          br 0 ;; -> $run
          unreachable
        end
        i64.store
        local.get $out
        i32.const 8
        i32.add
        local.set $out
        local.get $ctx
        local.get $stride
        i32.add
        local.set $ctx
        local.get $count
        i32.const 1
        i32.sub
        local.tee $count
        br_if 0 ;; -> $next
      end
    end
  )
)
