(module
  (type (;0;) (func (param i64 i64 i64 i64 i64 i64) (result i64)))
  (type (;1;) (func (param i64 i64 i64 i64 i64) (result i64)))
  (type (;2;) (func (param i64 i64 i64 i64 i64 i64)))
  (type (;3;) (func (param i64 i64 i64 i64 i64 i64 i64) (result i64)))
  (import "env" "memory" (memory 1 1 shared))
  (export "main" (func $main))
  (export "run_batch" (func $run_batch))
  (func $main (type 0) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (param $r10 i64) (result i64)
    (local $r0 i64) (local $r6 i64) (local $r7 i64) (local $r8 i64) (local $r9 i64) (local $t i64) (local $u i64) (local $t32 i32) (local $pc i32) (local $loops i64) (local $s0 i64) (local $s1 i64) (local $s2 i64) (local $s3 i64) (local $v_trips i64) (local $v_count i32) (local $v_p0 i32) (local $v_a0 v128) (local $v_a1 v128) (local $v_a2 v128) (local $v_a3 v128) (local $v_a4 v128) (local $v_a5 v128) (local $v_a6 v128) (local $v_a7 v128)
    block $to3
      i64.const 0
      local.set $r0
      local.get $r2
      i64.const 8
      i64.lt_u
      br_if 0 ;; -> $to3
      local.get $r2
      i64.const 3
      i64.shr_u
      local.set $r2
      i64.const 0
      local.set $r3
      i64.const 0
      local.set $r4
      block $vector
        local.get $r3
        local.get $r2
        i64.lt_u
        if (result i64)
          local.get $r2
          local.get $r3
          i64.sub
          i64.const 1
          i64.sub
        else
          i64.const 0
        end
        local.set $v_trips
        local.get $r1
        i32.wrap_i64
        i64.extend_i32_u
        local.set $t
        memory.size
        i64.extend_i32_u
        i64.const 16
        i64.shl
        local.get $t
        i64.sub
        i64.const 3
        i64.shr_s
        local.set $u
        i64.const 0
        local.get $u
        local.get $u
        i64.const 0
        i64.lt_s
        select
        local.set $u
        local.get $v_trips
        local.get $u
        local.get $v_trips
        local.get $u
        i64.lt_u
        select
        local.set $v_trips
        local.get $v_trips
        i64.const -16
        i64.and
        local.tee $v_trips
        i64.eqz
        br_if 0 ;; -> $vector
        local.get $v_trips
        i64.const 4
        i64.shr_u
        i32.wrap_i64
        local.set $v_count
        local.get $r1
        i32.wrap_i64
        i64.extend_i32_u
        i32.wrap_i64
        local.set $v_p0
        v128.const i64x2 0 0
        local.set $v_a0
        v128.const i64x2 0 0
        local.set $v_a1
        v128.const i64x2 0 0
        local.set $v_a2
        v128.const i64x2 0 0
        local.set $v_a3
        v128.const i64x2 0 0
        local.set $v_a4
        v128.const i64x2 0 0
        local.set $v_a5
        v128.const i64x2 0 0
        local.set $v_a6
        v128.const i64x2 0 0
        local.set $v_a7
        loop $vector_trips
          local.get $v_a0
          local.get $v_p0
          v128.load align=1
          i64x2.add
          local.set $v_a0
          local.get $v_a1
          local.get $v_p0
          v128.load offset=16 align=1
          i64x2.add
          local.set $v_a1
          local.get $v_a2
          local.get $v_p0
          v128.load offset=32 align=1
          i64x2.add
          local.set $v_a2
          local.get $v_a3
          local.get $v_p0
          v128.load offset=48 align=1
          i64x2.add
          local.set $v_a3
          local.get $v_a4
          local.get $v_p0
          v128.load offset=64 align=1
          i64x2.add
          local.set $v_a4
          local.get $v_a5
          local.get $v_p0
          v128.load offset=80 align=1
          i64x2.add
          local.set $v_a5
          local.get $v_a6
          local.get $v_p0
          v128.load offset=96 align=1
          i64x2.add
          local.set $v_a6
          local.get $v_a7
          local.get $v_p0
          v128.load offset=112 align=1
          i64x2.add
          local.set $v_a7
          local.get $v_p0
          i32.const 128
          i32.add
          local.set $v_p0
          local.get $v_count
          i32.const 1
          i32.sub
          local.tee $v_count
          br_if 0 ;; -> $vector_trips
        end
        local.get $v_a0
        local.get $v_a1
        i64x2.add
        local.get $v_a2
        i64x2.add
        local.get $v_a3
        i64x2.add
        local.get $v_a4
        i64x2.add
        local.get $v_a5
        i64x2.add
        local.get $v_a6
        i64x2.add
        local.get $v_a7
        i64x2.add
        local.tee $v_a0
        i64x2.extract_lane 0
        local.get $v_a0
        i64x2.extract_lane 1
        i64.add
        local.get $r4
        i64.add
        local.set $r4
        local.get $r1
        local.get $v_trips
        i64.const 8
        i64.mul
        i64.add
        local.set $r1
        local.get $r3
        local.get $v_trips
        i64.const 1
        i64.mul
        i64.add
        local.set $r3
      end
      loop $loop5
        block $to2
          local.get $r3
          local.get $r2
          i64.ge_u
          br_if 0 ;; -> $to2
          loop $loop6
            block $to9
              local.get $r2
              local.get $r3
              i64.sub
              i64.const 15
              i64.le_u
              br_if 0 ;; -> $to9
              local.get $r1
              i32.wrap_i64
              i32.const -121
              i32.gt_u
              br_if 0 ;; -> $to9
              local.get $r1
              local.set $s0
              local.get $r3
              local.set $s1
              local.get $r4
              local.set $s2
              i64.const 0
              local.set $s3
              local.get $s0
              i32.wrap_i64
              i64.load align=1
              local.set $r0
              local.get $s3
              local.get $r0
              i64.add
              local.tee $s3
              local.get $s2
              i64.add
              local.set $r0
              local.get $s0
              i64.const 8
              i64.add
              local.set $r1
              local.get $s1
              i64.const 1
              i64.add
              local.set $r3
              local.get $r0
              local.set $r4
              local.get $s0
              i32.wrap_i64
              i64.load offset=8 align=1
              local.set $r0
              local.get $s3
              local.get $r0
              i64.add
              local.tee $s3
              local.get $s2
              i64.add
              local.set $r0
              local.get $s0
              i64.const 16
              i64.add
              local.set $r1
              local.get $s1
              i64.const 2
              i64.add
              local.set $r3
              local.get $r0
              local.set $r4
              local.get $s0
              i32.wrap_i64
              i64.load offset=16 align=1
              local.set $r0
              local.get $s3
              local.get $r0
              i64.add
              local.tee $s3
              local.get $s2
              i64.add
              local.set $r0
              local.get $s0
              i64.const 24
              i64.add
              local.set $r1
              local.get $s1
              i64.const 3
              i64.add
              local.set $r3
              local.get $r0
              local.set $r4
              local.get $s0
              i32.wrap_i64
              i64.load offset=24 align=1
              local.set $r0
              local.get $s3
              local.get $r0
              i64.add
              local.tee $s3
              local.get $s2
              i64.add
              local.set $r0
              local.get $s0
              i64.const 32
              i64.add
              local.set $r1
              local.get $s1
              i64.const 4
              i64.add
              local.set $r3
              local.get $r0
              local.set $r4
              local.get $s0
              i32.wrap_i64
              i64.load offset=32 align=1
              local.set $r0
              local.get $s3
              local.get $r0
              i64.add
              local.tee $s3
              local.get $s2
              i64.add
              local.set $r0
              local.get $s0
              i64.const 40
              i64.add
              local.set $r1
              local.get $s1
              i64.const 5
              i64.add
              local.set $r3
              local.get $r0
              local.set $r4
              local.get $s0
              i32.wrap_i64
              i64.load offset=40 align=1
              local.set $r0
              local.get $s3
              local.get $r0
              i64.add
              local.tee $s3
              local.get $s2
              i64.add
              local.set $r0
              local.get $s0
              i64.const 48
              i64.add
              local.set $r1
              local.get $s1
              i64.const 6
              i64.add
              local.set $r3
              local.get $r0
              local.set $r4
              local.get $s0
              i32.wrap_i64
              i64.load offset=48 align=1
              local.set $r0
              local.get $s3
              local.get $r0
              i64.add
              local.tee $s3
              local.get $s2
              i64.add
              local.set $r0
              local.get $s0
              i64.const 56
              i64.add
              local.set $r1
              local.get $s1
              i64.const 7
              i64.add
              local.set $r3
              local.get $r0
              local.set $r4
              local.get $s0
              i32.wrap_i64
              i64.load offset=56 align=1
              local.set $r0
              local.get $s3
              local.get $r0
              i64.add
              local.tee $s3
              local.get $s2
              i64.add
              local.set $r0
              local.get $s0
              i64.const 64
              i64.add
              local.set $r1
              local.get $s1
              i64.const 8
              i64.add
              local.set $r3
              local.get $r0
              local.set $r4
              local.get $s0
              i32.wrap_i64
              i64.load offset=64 align=1
              local.set $r0
              local.get $s3
              local.get $r0
              i64.add
              local.tee $s3
              local.get $s2
              i64.add
              local.set $r0
              local.get $s0
              i64.const 72
              i64.add
              local.set $r1
              local.get $s1
              i64.const 9
              i64.add
              local.set $r3
              local.get $r0
              local.set $r4
              local.get $s0
              i32.wrap_i64
              i64.load offset=72 align=1
              local.set $r0
              local.get $s3
              local.get $r0
              i64.add
              local.tee $s3
              local.get $s2
              i64.add
              local.set $r0
              local.get $s0
              i64.const 80
              i64.add
              local.set $r1
              local.get $s1
              i64.const 10
              i64.add
              local.set $r3
              local.get $r0
              local.set $r4
              local.get $s0
              i32.wrap_i64
              i64.load offset=80 align=1
              local.set $r0
              local.get $s3
              local.get $r0
              i64.add
              local.tee $s3
              local.get $s2
              i64.add
              local.set $r0
              local.get $s0
              i64.const 88
              i64.add
              local.set $r1
              local.get $s1
              i64.const 11
              i64.add
              local.set $r3
              local.get $r0
              local.set $r4
              local.get $s0
              i32.wrap_i64
              i64.load offset=88 align=1
              local.set $r0
              local.get $s3
              local.get $r0
              i64.add
              local.tee $s3
              local.get $s2
              i64.add
              local.set $r0
              local.get $s0
              i64.const 96
              i64.add
              local.set $r1
              local.get $s1
              i64.const 12
              i64.add
              local.set $r3
              local.get $r0
              local.set $r4
              local.get $s0
              i32.wrap_i64
              i64.load offset=96 align=1
              local.set $r0
              local.get $s3
              local.get $r0
              i64.add
              local.tee $s3
              local.get $s2
              i64.add
              local.set $r0
              local.get $s0
              i64.const 104
              i64.add
              local.set $r1
              local.get $s1
              i64.const 13
              i64.add
              local.set $r3
              local.get $r0
              local.set $r4
              local.get $s0
              i32.wrap_i64
              i64.load offset=104 align=1
              local.set $r0
              local.get $s3
              local.get $r0
              i64.add
              local.tee $s3
              local.get $s2
              i64.add
              local.set $r0
              local.get $s0
              i64.const 112
              i64.add
              local.set $r1
              local.get $s1
              i64.const 14
              i64.add
              local.set $r3
              local.get $r0
              local.set $r4
              local.get $s0
              i32.wrap_i64
              i64.load offset=112 align=1
              local.set $r0
              local.get $s3
              local.get $r0
              i64.add
              local.tee $s3
              local.get $s2
              i64.add
              local.set $r0
              local.get $s0
              i64.const 120
              i64.add
              local.set $r1
              local.get $s1
              i64.const 15
              i64.add
              local.set $r3
              local.get $r0
              local.set $r4
              local.get $s0
              i32.wrap_i64
              i64.load offset=120 align=1
              local.set $r0
              local.get $s3
              local.get $r0
              i64.add
              local.tee $s3
              local.get $s2
              i64.add
              local.set $r0
              local.get $s0
              i64.const 128
              i64.add
              local.set $r1
              local.get $s1
              i64.const 16
              i64.add
              local.set $r3
              local.get $r0
              local.set $r4
              local.get $r3
              local.get $r2
              i64.lt_u
              br_if 1 ;; -> $loop6
              br 4 ;; -> $to3
            end
            block $to12
              local.get $r2
              local.get $r3
              i64.sub
              i64.const 7
              i64.le_u
              br_if 0 ;; -> $to12
              local.get $r1
              i32.wrap_i64
              i32.const -57
              i32.gt_u
              br_if 0 ;; -> $to12
              local.get $r1
              local.set $s0
              local.get $r3
              local.set $s1
              local.get $r4
              local.set $s2
              i64.const 0
              local.set $s3
              local.get $s0
              i32.wrap_i64
              i64.load align=1
              local.set $r0
              local.get $s3
              local.get $r0
              i64.add
              local.tee $s3
              local.get $s2
              i64.add
              local.set $r0
              local.get $s0
              i64.const 8
              i64.add
              local.set $r1
              local.get $s1
              i64.const 1
              i64.add
              local.set $r3
              local.get $r0
              local.set $r4
              local.get $s0
              i32.wrap_i64
              i64.load offset=8 align=1
              local.set $r0
              local.get $s3
              local.get $r0
              i64.add
              local.tee $s3
              local.get $s2
              i64.add
              local.set $r0
              local.get $s0
              i64.const 16
              i64.add
              local.set $r1
              local.get $s1
              i64.const 2
              i64.add
              local.set $r3
              local.get $r0
              local.set $r4
              local.get $s0
              i32.wrap_i64
              i64.load offset=16 align=1
              local.set $r0
              local.get $s3
              local.get $r0
              i64.add
              local.tee $s3
              local.get $s2
              i64.add
              local.set $r0
              local.get $s0
              i64.const 24
              i64.add
              local.set $r1
              local.get $s1
              i64.const 3
              i64.add
              local.set $r3
              local.get $r0
              local.set $r4
              local.get $s0
              i32.wrap_i64
              i64.load offset=24 align=1
              local.set $r0
              local.get $s3
              local.get $r0
              i64.add
              local.tee $s3
              local.get $s2
              i64.add
              local.set $r0
              local.get $s0
              i64.const 32
              i64.add
              local.set $r1
              local.get $s1
              i64.const 4
              i64.add
              local.set $r3
              local.get $r0
              local.set $r4
              local.get $s0
              i32.wrap_i64
              i64.load offset=32 align=1
              local.set $r0
              local.get $s3
              local.get $r0
              i64.add
              local.tee $s3
              local.get $s2
              i64.add
              local.set $r0
              local.get $s0
              i64.const 40
              i64.add
              local.set $r1
              local.get $s1
              i64.const 5
              i64.add
              local.set $r3
              local.get $r0
              local.set $r4
              local.get $s0
              i32.wrap_i64
              i64.load offset=40 align=1
              local.set $r0
              local.get $s3
              local.get $r0
              i64.add
              local.tee $s3
              local.get $s2
              i64.add
              local.set $r0
              local.get $s0
              i64.const 48
              i64.add
              local.set $r1
              local.get $s1
              i64.const 6
              i64.add
              local.set $r3
              local.get $r0
              local.set $r4
              local.get $s0
              i32.wrap_i64
              i64.load offset=48 align=1
              local.set $r0
              local.get $s3
              local.get $r0
              i64.add
              local.tee $s3
              local.get $s2
              i64.add
              local.set $r0
              local.get $s0
              i64.const 56
              i64.add
              local.set $r1
              local.get $s1
              i64.const 7
              i64.add
              local.set $r3
              local.get $r0
              local.set $r4
              local.get $s0
              i32.wrap_i64
              i64.load offset=56 align=1
              local.set $r0
              local.get $s3
              local.get $r0
              i64.add
              local.tee $s3
              local.get $s2
              i64.add
              local.set $r0
              local.get $s0
              i64.const 64
              i64.add
              local.set $r1
              local.get $s1
              i64.const 8
              i64.add
              local.set $r3
              local.get $r0
              local.set $r4
              local.get $r3
              local.get $r2
              i64.lt_u
              br_if 0 ;; -> $to12
              br 4 ;; -> $to3
            end
            block $to15
              local.get $r2
              local.get $r3
              i64.sub
              i64.const 3
              i64.le_u
              br_if 0 ;; -> $to15
              local.get $r1
              i32.wrap_i64
              i32.const -25
              i32.gt_u
              br_if 0 ;; -> $to15
              local.get $r1
              local.set $s0
              local.get $r3
              local.set $s1
              local.get $r4
              local.set $s2
              i64.const 0
              local.set $s3
              local.get $s0
              i32.wrap_i64
              i64.load align=1
              local.set $r0
              local.get $s3
              local.get $r0
              i64.add
              local.tee $s3
              local.get $s2
              i64.add
              local.set $r0
              local.get $s0
              i64.const 8
              i64.add
              local.set $r1
              local.get $s1
              i64.const 1
              i64.add
              local.set $r3
              local.get $r0
              local.set $r4
              local.get $s0
              i32.wrap_i64
              i64.load offset=8 align=1
              local.set $r0
              local.get $s3
              local.get $r0
              i64.add
              local.tee $s3
              local.get $s2
              i64.add
              local.set $r0
              local.get $s0
              i64.const 16
              i64.add
              local.set $r1
              local.get $s1
              i64.const 2
              i64.add
              local.set $r3
              local.get $r0
              local.set $r4
              local.get $s0
              i32.wrap_i64
              i64.load offset=16 align=1
              local.set $r0
              local.get $s3
              local.get $r0
              i64.add
              local.tee $s3
              local.get $s2
              i64.add
              local.set $r0
              local.get $s0
              i64.const 24
              i64.add
              local.set $r1
              local.get $s1
              i64.const 3
              i64.add
              local.set $r3
              local.get $r0
              local.set $r4
              local.get $s0
              i32.wrap_i64
              i64.load offset=24 align=1
              local.set $r0
              local.get $s3
              local.get $r0
              i64.add
              local.tee $s3
              local.get $s2
              i64.add
              local.set $r0
              local.get $s0
              i64.const 32
              i64.add
              local.set $r1
              local.get $s1
              i64.const 4
              i64.add
              local.set $r3
              local.get $r0
              local.set $r4
              local.get $r3
              local.get $r2
              i64.lt_u
              br_if 0 ;; -> $to15
              br 4 ;; -> $to3
            end
            local.get $r2
            local.get $r3
            i64.sub
            i64.const 1
            i64.le_u
            br_if 1 ;; -> $to2
            local.get $r1
            i32.wrap_i64
            i32.const -9
            i32.gt_u
            br_if 1 ;; -> $to2
            local.get $r1
            local.set $s0
            local.get $r3
            local.set $s1
            local.get $r4
            local.set $s2
            i64.const 0
            local.set $s3
            local.get $s0
            i32.wrap_i64
            i64.load align=1
            local.set $r0
            local.get $s3
            local.get $r0
            i64.add
            local.tee $s3
            local.get $s2
            i64.add
            local.set $r0
            local.get $s0
            i64.const 8
            i64.add
            local.set $r1
            local.get $s1
            i64.const 1
            i64.add
            local.set $r3
            local.get $r0
            local.set $r4
            local.get $s0
            i32.wrap_i64
            i64.load offset=8 align=1
            local.set $r0
            local.get $s3
            local.get $r0
            i64.add
            local.tee $s3
            local.get $s2
            i64.add
            local.set $r0
            local.get $s0
            i64.const 16
            i64.add
            local.set $r1
            local.get $s1
            i64.const 2
            i64.add
            local.set $r3
            local.get $r0
            local.set $r4
            local.get $r3
            local.get $r2
            i64.lt_u
            br_if 2 ;; -> $loop5
            br 3 ;; -> $to3
          end
        end
        loop $loop2
          local.get $r1
          i32.wrap_i64
          i64.load align=1
          local.tee $r0
          local.get $r4
          i64.add
          local.set $r0
          local.get $r1
          i64.const 8
          i64.add
          local.set $r1
          local.get $r3
          i64.const 1
          i64.add
          local.set $r3
          local.get $r0
          local.set $r4
          local.get $r3
          local.get $r2
          i64.ge_u
          br_if 2 ;; -> $to3
          local.get $r1
          i32.wrap_i64
          i64.load align=1
          local.tee $r0
          local.get $r4
          i64.add
          local.set $r0
          local.get $r1
          i64.const 8
          i64.add
          local.set $r1
          local.get $r3
          i64.const 1
          i64.add
          local.set $r3
          local.get $r0
          local.set $r4
          local.get $r3
          local.get $r2
          i64.ge_u
          br_if 2 ;; -> $to3
          local.get $r1
          i32.wrap_i64
          i64.load align=1
          local.tee $r0
          local.get $r4
          i64.add
          local.set $r0
          local.get $r1
          i64.const 8
          i64.add
          local.set $r1
          local.get $r3
          i64.const 1
          i64.add
          local.set $r3
          local.get $r0
          local.set $r4
          local.get $r3
          local.get $r2
          i64.ge_u
          br_if 2 ;; -> $to3
          local.get $r1
          i32.wrap_i64
          i64.load align=1
          local.tee $r0
          local.get $r4
          i64.add
          local.set $r0
          local.get $r1
          i64.const 8
          i64.add
          local.set $r1
          local.get $r3
          i64.const 1
          i64.add
          local.set $r3
          local.get $r0
          local.set $r4
          local.get $r3
          local.get $r2
          i64.ge_u
          br_if 2 ;; -> $to3
          local.get $r1
          i32.wrap_i64
          i64.load align=1
          local.tee $r0
          local.get $r4
          i64.add
          local.set $r0
          local.get $r1
          i64.const 8
          i64.add
          local.set $r1
          local.get $r3
          i64.const 1
          i64.add
          local.set $r3
          local.get $r0
          local.set $r4
          local.get $r3
          local.get $r2
          i64.ge_u
          br_if 2 ;; -> $to3
          local.get $r1
          i32.wrap_i64
          i64.load align=1
          local.tee $r0
          local.get $r4
          i64.add
          local.set $r0
          local.get $r1
          i64.const 8
          i64.add
          local.set $r1
          local.get $r3
          i64.const 1
          i64.add
          local.set $r3
          local.get $r0
          local.set $r4
          local.get $r3
          local.get $r2
          i64.ge_u
          br_if 2 ;; -> $to3
          local.get $r1
          i32.wrap_i64
          i64.load align=1
          local.tee $r0
          local.get $r4
          i64.add
          local.set $r0
          local.get $r1
          i64.const 8
          i64.add
          local.set $r1
          local.get $r3
          i64.const 1
          i64.add
          local.set $r3
          local.get $r0
          local.set $r4
          local.get $r3
          local.get $r2
          i64.ge_u
          br_if 2 ;; -> $to3
          local.get $r1
          i32.wrap_i64
          i64.load align=1
          local.tee $r0
          local.get $r4
          i64.add
          local.set $r0
          local.get $r1
          i64.const 8
          i64.add
          local.set $r1
          local.get $r3
          i64.const 1
          i64.add
          local.set $r3
          local.get $r0
          local.set $r4
          local.get $r3
          local.get $r2
          i64.lt_u
          br_if 0 ;; -> $loop2
          br 2 ;; -> $to3
        end
      end
    end
    local.get $r0
    br 0
    unreachable
  )
  (func $run_batch (type 2) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (param $r10 i64)
    (local $r0 i64) (local $r6 i64) (local $r7 i64) (local $r8 i64) (local $r9 i64) (local $t i64) (local $u i64) (local $t32 i32) (local $pc i32) (local $loops i64) (local $s0 i64) (local $s1 i64) (local $s2 i64) (local $s3 i64) (local $v_trips i64) (local $v_count i32) (local $v_p0 i32) (local $v_a0 v128) (local $v_a1 v128) (local $v_a2 v128) (local $v_a3 v128) (local $v_a4 v128) (local $v_a5 v128) (local $v_a6 v128) (local $v_a7 v128) (local $ctx i32) (local $stride i32) (local $count i32) (local $out i32) (local $fp i64)
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
          block $to3
            i64.const 0
            local.set $r0
            local.get $r2
            i64.const 8
            i64.lt_u
            br_if 0 ;; -> $to3
            local.get $r2
            i64.const 3
            i64.shr_u
            local.set $r2
            i64.const 0
            local.set $r3
            i64.const 0
            local.set $r4
            block $vector
              local.get $r3
              local.get $r2
              i64.lt_u
              if (result i64)
                local.get $r2
                local.get $r3
                i64.sub
                i64.const 1
                i64.sub
              else
                i64.const 0
              end
              local.set $v_trips
              local.get $r1
              i32.wrap_i64
              i64.extend_i32_u
              local.set $t
              memory.size
              i64.extend_i32_u
              i64.const 16
              i64.shl
              local.get $t
              i64.sub
              i64.const 3
              i64.shr_s
              local.set $u
              i64.const 0
              local.get $u
              local.get $u
              i64.const 0
              i64.lt_s
              select
              local.set $u
              local.get $v_trips
              local.get $u
              local.get $v_trips
              local.get $u
              i64.lt_u
              select
              local.set $v_trips
              local.get $v_trips
              i64.const -16
              i64.and
              local.tee $v_trips
              i64.eqz
              br_if 0 ;; -> $vector
              local.get $v_trips
              i64.const 4
              i64.shr_u
              i32.wrap_i64
              local.set $v_count
              local.get $r1
              i32.wrap_i64
              i64.extend_i32_u
              i32.wrap_i64
              local.set $v_p0
              v128.const i64x2 0 0
              local.set $v_a0
              v128.const i64x2 0 0
              local.set $v_a1
              v128.const i64x2 0 0
              local.set $v_a2
              v128.const i64x2 0 0
              local.set $v_a3
              v128.const i64x2 0 0
              local.set $v_a4
              v128.const i64x2 0 0
              local.set $v_a5
              v128.const i64x2 0 0
              local.set $v_a6
              v128.const i64x2 0 0
              local.set $v_a7
              loop $vector_trips
                local.get $v_a0
                local.get $v_p0
                v128.load align=1
                i64x2.add
                local.set $v_a0
                local.get $v_a1
                local.get $v_p0
                v128.load offset=16 align=1
                i64x2.add
                local.set $v_a1
                local.get $v_a2
                local.get $v_p0
                v128.load offset=32 align=1
                i64x2.add
                local.set $v_a2
                local.get $v_a3
                local.get $v_p0
                v128.load offset=48 align=1
                i64x2.add
                local.set $v_a3
                local.get $v_a4
                local.get $v_p0
                v128.load offset=64 align=1
                i64x2.add
                local.set $v_a4
                local.get $v_a5
                local.get $v_p0
                v128.load offset=80 align=1
                i64x2.add
                local.set $v_a5
                local.get $v_a6
                local.get $v_p0
                v128.load offset=96 align=1
                i64x2.add
                local.set $v_a6
                local.get $v_a7
                local.get $v_p0
                v128.load offset=112 align=1
                i64x2.add
                local.set $v_a7
                local.get $v_p0
                i32.const 128
                i32.add
                local.set $v_p0
                local.get $v_count
                i32.const 1
                i32.sub
                local.tee $v_count
                br_if 0 ;; -> $vector_trips
              end
              local.get $v_a0
              local.get $v_a1
              i64x2.add
              local.get $v_a2
              i64x2.add
              local.get $v_a3
              i64x2.add
              local.get $v_a4
              i64x2.add
              local.get $v_a5
              i64x2.add
              local.get $v_a6
              i64x2.add
              local.get $v_a7
              i64x2.add
              local.tee $v_a0
              i64x2.extract_lane 0
              local.get $v_a0
              i64x2.extract_lane 1
              i64.add
              local.get $r4
              i64.add
              local.set $r4
              local.get $r1
              local.get $v_trips
              i64.const 8
              i64.mul
              i64.add
              local.set $r1
              local.get $r3
              local.get $v_trips
              i64.const 1
              i64.mul
              i64.add
              local.set $r3
            end
            loop $loop5
              block $to2
                local.get $r3
                local.get $r2
                i64.ge_u
                br_if 0 ;; -> $to2
                loop $loop6
                  block $to9
                    local.get $r2
                    local.get $r3
                    i64.sub
                    i64.const 15
                    i64.le_u
                    br_if 0 ;; -> $to9
                    local.get $r1
                    i32.wrap_i64
                    i32.const -121
                    i32.gt_u
                    br_if 0 ;; -> $to9
                    local.get $r1
                    local.set $s0
                    local.get $r3
                    local.set $s1
                    local.get $r4
                    local.set $s2
                    i64.const 0
                    local.set $s3
                    local.get $s0
                    i32.wrap_i64
                    i64.load align=1
                    local.set $r0
                    local.get $s3
                    local.get $r0
                    i64.add
                    local.tee $s3
                    local.get $s2
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const 8
                    i64.add
                    local.set $r1
                    local.get $s1
                    i64.const 1
                    i64.add
                    local.set $r3
                    local.get $r0
                    local.set $r4
                    local.get $s0
                    i32.wrap_i64
                    i64.load offset=8 align=1
                    local.set $r0
                    local.get $s3
                    local.get $r0
                    i64.add
                    local.tee $s3
                    local.get $s2
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const 16
                    i64.add
                    local.set $r1
                    local.get $s1
                    i64.const 2
                    i64.add
                    local.set $r3
                    local.get $r0
                    local.set $r4
                    local.get $s0
                    i32.wrap_i64
                    i64.load offset=16 align=1
                    local.set $r0
                    local.get $s3
                    local.get $r0
                    i64.add
                    local.tee $s3
                    local.get $s2
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const 24
                    i64.add
                    local.set $r1
                    local.get $s1
                    i64.const 3
                    i64.add
                    local.set $r3
                    local.get $r0
                    local.set $r4
                    local.get $s0
                    i32.wrap_i64
                    i64.load offset=24 align=1
                    local.set $r0
                    local.get $s3
                    local.get $r0
                    i64.add
                    local.tee $s3
                    local.get $s2
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const 32
                    i64.add
                    local.set $r1
                    local.get $s1
                    i64.const 4
                    i64.add
                    local.set $r3
                    local.get $r0
                    local.set $r4
                    local.get $s0
                    i32.wrap_i64
                    i64.load offset=32 align=1
                    local.set $r0
                    local.get $s3
                    local.get $r0
                    i64.add
                    local.tee $s3
                    local.get $s2
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const 40
                    i64.add
                    local.set $r1
                    local.get $s1
                    i64.const 5
                    i64.add
                    local.set $r3
                    local.get $r0
                    local.set $r4
                    local.get $s0
                    i32.wrap_i64
                    i64.load offset=40 align=1
                    local.set $r0
                    local.get $s3
                    local.get $r0
                    i64.add
                    local.tee $s3
                    local.get $s2
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const 48
                    i64.add
                    local.set $r1
                    local.get $s1
                    i64.const 6
                    i64.add
                    local.set $r3
                    local.get $r0
                    local.set $r4
                    local.get $s0
                    i32.wrap_i64
                    i64.load offset=48 align=1
                    local.set $r0
                    local.get $s3
                    local.get $r0
                    i64.add
                    local.tee $s3
                    local.get $s2
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const 56
                    i64.add
                    local.set $r1
                    local.get $s1
                    i64.const 7
                    i64.add
                    local.set $r3
                    local.get $r0
                    local.set $r4
                    local.get $s0
                    i32.wrap_i64
                    i64.load offset=56 align=1
                    local.set $r0
                    local.get $s3
                    local.get $r0
                    i64.add
                    local.tee $s3
                    local.get $s2
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const 64
                    i64.add
                    local.set $r1
                    local.get $s1
                    i64.const 8
                    i64.add
                    local.set $r3
                    local.get $r0
                    local.set $r4
                    local.get $s0
                    i32.wrap_i64
                    i64.load offset=64 align=1
                    local.set $r0
                    local.get $s3
                    local.get $r0
                    i64.add
                    local.tee $s3
                    local.get $s2
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const 72
                    i64.add
                    local.set $r1
                    local.get $s1
                    i64.const 9
                    i64.add
                    local.set $r3
                    local.get $r0
                    local.set $r4
                    local.get $s0
                    i32.wrap_i64
                    i64.load offset=72 align=1
                    local.set $r0
                    local.get $s3
                    local.get $r0
                    i64.add
                    local.tee $s3
                    local.get $s2
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const 80
                    i64.add
                    local.set $r1
                    local.get $s1
                    i64.const 10
                    i64.add
                    local.set $r3
                    local.get $r0
                    local.set $r4
                    local.get $s0
                    i32.wrap_i64
                    i64.load offset=80 align=1
                    local.set $r0
                    local.get $s3
                    local.get $r0
                    i64.add
                    local.tee $s3
                    local.get $s2
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const 88
                    i64.add
                    local.set $r1
                    local.get $s1
                    i64.const 11
                    i64.add
                    local.set $r3
                    local.get $r0
                    local.set $r4
                    local.get $s0
                    i32.wrap_i64
                    i64.load offset=88 align=1
                    local.set $r0
                    local.get $s3
                    local.get $r0
                    i64.add
                    local.tee $s3
                    local.get $s2
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const 96
                    i64.add
                    local.set $r1
                    local.get $s1
                    i64.const 12
                    i64.add
                    local.set $r3
                    local.get $r0
                    local.set $r4
                    local.get $s0
                    i32.wrap_i64
                    i64.load offset=96 align=1
                    local.set $r0
                    local.get $s3
                    local.get $r0
                    i64.add
                    local.tee $s3
                    local.get $s2
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const 104
                    i64.add
                    local.set $r1
                    local.get $s1
                    i64.const 13
                    i64.add
                    local.set $r3
                    local.get $r0
                    local.set $r4
                    local.get $s0
                    i32.wrap_i64
                    i64.load offset=104 align=1
                    local.set $r0
                    local.get $s3
                    local.get $r0
                    i64.add
                    local.tee $s3
                    local.get $s2
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const 112
                    i64.add
                    local.set $r1
                    local.get $s1
                    i64.const 14
                    i64.add
                    local.set $r3
                    local.get $r0
                    local.set $r4
                    local.get $s0
                    i32.wrap_i64
                    i64.load offset=112 align=1
                    local.set $r0
                    local.get $s3
                    local.get $r0
                    i64.add
                    local.tee $s3
                    local.get $s2
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const 120
                    i64.add
                    local.set $r1
                    local.get $s1
                    i64.const 15
                    i64.add
                    local.set $r3
                    local.get $r0
                    local.set $r4
                    local.get $s0
                    i32.wrap_i64
                    i64.load offset=120 align=1
                    local.set $r0
                    local.get $s3
                    local.get $r0
                    i64.add
                    local.tee $s3
                    local.get $s2
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const 128
                    i64.add
                    local.set $r1
                    local.get $s1
                    i64.const 16
                    i64.add
                    local.set $r3
                    local.get $r0
                    local.set $r4
                    local.get $r3
                    local.get $r2
                    i64.lt_u
                    br_if 1 ;; -> $loop6
                    br 4 ;; -> $to3
                  end
                  block $to12
                    local.get $r2
                    local.get $r3
                    i64.sub
                    i64.const 7
                    i64.le_u
                    br_if 0 ;; -> $to12
                    local.get $r1
                    i32.wrap_i64
                    i32.const -57
                    i32.gt_u
                    br_if 0 ;; -> $to12
                    local.get $r1
                    local.set $s0
                    local.get $r3
                    local.set $s1
                    local.get $r4
                    local.set $s2
                    i64.const 0
                    local.set $s3
                    local.get $s0
                    i32.wrap_i64
                    i64.load align=1
                    local.set $r0
                    local.get $s3
                    local.get $r0
                    i64.add
                    local.tee $s3
                    local.get $s2
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const 8
                    i64.add
                    local.set $r1
                    local.get $s1
                    i64.const 1
                    i64.add
                    local.set $r3
                    local.get $r0
                    local.set $r4
                    local.get $s0
                    i32.wrap_i64
                    i64.load offset=8 align=1
                    local.set $r0
                    local.get $s3
                    local.get $r0
                    i64.add
                    local.tee $s3
                    local.get $s2
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const 16
                    i64.add
                    local.set $r1
                    local.get $s1
                    i64.const 2
                    i64.add
                    local.set $r3
                    local.get $r0
                    local.set $r4
                    local.get $s0
                    i32.wrap_i64
                    i64.load offset=16 align=1
                    local.set $r0
                    local.get $s3
                    local.get $r0
                    i64.add
                    local.tee $s3
                    local.get $s2
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const 24
                    i64.add
                    local.set $r1
                    local.get $s1
                    i64.const 3
                    i64.add
                    local.set $r3
                    local.get $r0
                    local.set $r4
                    local.get $s0
                    i32.wrap_i64
                    i64.load offset=24 align=1
                    local.set $r0
                    local.get $s3
                    local.get $r0
                    i64.add
                    local.tee $s3
                    local.get $s2
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const 32
                    i64.add
                    local.set $r1
                    local.get $s1
                    i64.const 4
                    i64.add
                    local.set $r3
                    local.get $r0
                    local.set $r4
                    local.get $s0
                    i32.wrap_i64
                    i64.load offset=32 align=1
                    local.set $r0
                    local.get $s3
                    local.get $r0
                    i64.add
                    local.tee $s3
                    local.get $s2
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const 40
                    i64.add
                    local.set $r1
                    local.get $s1
                    i64.const 5
                    i64.add
                    local.set $r3
                    local.get $r0
                    local.set $r4
                    local.get $s0
                    i32.wrap_i64
                    i64.load offset=40 align=1
                    local.set $r0
                    local.get $s3
                    local.get $r0
                    i64.add
                    local.tee $s3
                    local.get $s2
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const 48
                    i64.add
                    local.set $r1
                    local.get $s1
                    i64.const 6
                    i64.add
                    local.set $r3
                    local.get $r0
                    local.set $r4
                    local.get $s0
                    i32.wrap_i64
                    i64.load offset=48 align=1
                    local.set $r0
                    local.get $s3
                    local.get $r0
                    i64.add
                    local.tee $s3
                    local.get $s2
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const 56
                    i64.add
                    local.set $r1
                    local.get $s1
                    i64.const 7
                    i64.add
                    local.set $r3
                    local.get $r0
                    local.set $r4
                    local.get $s0
                    i32.wrap_i64
                    i64.load offset=56 align=1
                    local.set $r0
                    local.get $s3
                    local.get $r0
                    i64.add
                    local.tee $s3
                    local.get $s2
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const 64
                    i64.add
                    local.set $r1
                    local.get $s1
                    i64.const 8
                    i64.add
                    local.set $r3
                    local.get $r0
                    local.set $r4
                    local.get $r3
                    local.get $r2
                    i64.lt_u
                    br_if 0 ;; -> $to12
                    br 4 ;; -> $to3
                  end
                  block $to15
                    local.get $r2
                    local.get $r3
                    i64.sub
                    i64.const 3
                    i64.le_u
                    br_if 0 ;; -> $to15
                    local.get $r1
                    i32.wrap_i64
                    i32.const -25
                    i32.gt_u
                    br_if 0 ;; -> $to15
                    local.get $r1
                    local.set $s0
                    local.get $r3
                    local.set $s1
                    local.get $r4
                    local.set $s2
                    i64.const 0
                    local.set $s3
                    local.get $s0
                    i32.wrap_i64
                    i64.load align=1
                    local.set $r0
                    local.get $s3
                    local.get $r0
                    i64.add
                    local.tee $s3
                    local.get $s2
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const 8
                    i64.add
                    local.set $r1
                    local.get $s1
                    i64.const 1
                    i64.add
                    local.set $r3
                    local.get $r0
                    local.set $r4
                    local.get $s0
                    i32.wrap_i64
                    i64.load offset=8 align=1
                    local.set $r0
                    local.get $s3
                    local.get $r0
                    i64.add
                    local.tee $s3
                    local.get $s2
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const 16
                    i64.add
                    local.set $r1
                    local.get $s1
                    i64.const 2
                    i64.add
                    local.set $r3
                    local.get $r0
                    local.set $r4
                    local.get $s0
                    i32.wrap_i64
                    i64.load offset=16 align=1
                    local.set $r0
                    local.get $s3
                    local.get $r0
                    i64.add
                    local.tee $s3
                    local.get $s2
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const 24
                    i64.add
                    local.set $r1
                    local.get $s1
                    i64.const 3
                    i64.add
                    local.set $r3
                    local.get $r0
                    local.set $r4
                    local.get $s0
                    i32.wrap_i64
                    i64.load offset=24 align=1
                    local.set $r0
                    local.get $s3
                    local.get $r0
                    i64.add
                    local.tee $s3
                    local.get $s2
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const 32
                    i64.add
                    local.set $r1
                    local.get $s1
                    i64.const 4
                    i64.add
                    local.set $r3
                    local.get $r0
                    local.set $r4
                    local.get $r3
                    local.get $r2
                    i64.lt_u
                    br_if 0 ;; -> $to15
                    br 4 ;; -> $to3
                  end
                  local.get $r2
                  local.get $r3
                  i64.sub
                  i64.const 1
                  i64.le_u
                  br_if 1 ;; -> $to2
                  local.get $r1
                  i32.wrap_i64
                  i32.const -9
                  i32.gt_u
                  br_if 1 ;; -> $to2
                  local.get $r1
                  local.set $s0
                  local.get $r3
                  local.set $s1
                  local.get $r4
                  local.set $s2
                  i64.const 0
                  local.set $s3
                  local.get $s0
                  i32.wrap_i64
                  i64.load align=1
                  local.set $r0
                  local.get $s3
                  local.get $r0
                  i64.add
                  local.tee $s3
                  local.get $s2
                  i64.add
                  local.set $r0
                  local.get $s0
                  i64.const 8
                  i64.add
                  local.set $r1
                  local.get $s1
                  i64.const 1
                  i64.add
                  local.set $r3
                  local.get $r0
                  local.set $r4
                  local.get $s0
                  i32.wrap_i64
                  i64.load offset=8 align=1
                  local.set $r0
                  local.get $s3
                  local.get $r0
                  i64.add
                  local.tee $s3
                  local.get $s2
                  i64.add
                  local.set $r0
                  local.get $s0
                  i64.const 16
                  i64.add
                  local.set $r1
                  local.get $s1
                  i64.const 2
                  i64.add
                  local.set $r3
                  local.get $r0
                  local.set $r4
                  local.get $r3
                  local.get $r2
                  i64.lt_u
                  br_if 2 ;; -> $loop5
                  br 3 ;; -> $to3
                end
              end
              loop $loop2
                local.get $r1
                i32.wrap_i64
                i64.load align=1
                local.tee $r0
                local.get $r4
                i64.add
                local.set $r0
                local.get $r1
                i64.const 8
                i64.add
                local.set $r1
                local.get $r3
                i64.const 1
                i64.add
                local.set $r3
                local.get $r0
                local.set $r4
                local.get $r3
                local.get $r2
                i64.ge_u
                br_if 2 ;; -> $to3
                local.get $r1
                i32.wrap_i64
                i64.load align=1
                local.tee $r0
                local.get $r4
                i64.add
                local.set $r0
                local.get $r1
                i64.const 8
                i64.add
                local.set $r1
                local.get $r3
                i64.const 1
                i64.add
                local.set $r3
                local.get $r0
                local.set $r4
                local.get $r3
                local.get $r2
                i64.ge_u
                br_if 2 ;; -> $to3
                local.get $r1
                i32.wrap_i64
                i64.load align=1
                local.tee $r0
                local.get $r4
                i64.add
                local.set $r0
                local.get $r1
                i64.const 8
                i64.add
                local.set $r1
                local.get $r3
                i64.const 1
                i64.add
                local.set $r3
                local.get $r0
                local.set $r4
                local.get $r3
                local.get $r2
                i64.ge_u
                br_if 2 ;; -> $to3
                local.get $r1
                i32.wrap_i64
                i64.load align=1
                local.tee $r0
                local.get $r4
                i64.add
                local.set $r0
                local.get $r1
                i64.const 8
                i64.add
                local.set $r1
                local.get $r3
                i64.const 1
                i64.add
                local.set $r3
                local.get $r0
                local.set $r4
                local.get $r3
                local.get $r2
                i64.ge_u
                br_if 2 ;; -> $to3
                local.get $r1
                i32.wrap_i64
                i64.load align=1
                local.tee $r0
                local.get $r4
                i64.add
                local.set $r0
                local.get $r1
                i64.const 8
                i64.add
                local.set $r1
                local.get $r3
                i64.const 1
                i64.add
                local.set $r3
                local.get $r0
                local.set $r4
                local.get $r3
                local.get $r2
                i64.ge_u
                br_if 2 ;; -> $to3
                local.get $r1
                i32.wrap_i64
                i64.load align=1
                local.tee $r0
                local.get $r4
                i64.add
                local.set $r0
                local.get $r1
                i64.const 8
                i64.add
                local.set $r1
                local.get $r3
                i64.const 1
                i64.add
                local.set $r3
                local.get $r0
                local.set $r4
                local.get $r3
                local.get $r2
                i64.ge_u
                br_if 2 ;; -> $to3
                local.get $r1
                i32.wrap_i64
                i64.load align=1
                local.tee $r0
                local.get $r4
                i64.add
                local.set $r0
                local.get $r1
                i64.const 8
                i64.add
                local.set $r1
                local.get $r3
                i64.const 1
                i64.add
                local.set $r3
                local.get $r0
                local.set $r4
                local.get $r3
                local.get $r2
                i64.ge_u
                br_if 2 ;; -> $to3
                local.get $r1
                i32.wrap_i64
                i64.load align=1
                local.tee $r0
                local.get $r4
                i64.add
                local.set $r0
                local.get $r1
                i64.const 8
                i64.add
                local.set $r1
                local.get $r3
                i64.const 1
                i64.add
                local.set $r3
                local.get $r0
                local.set $r4
                local.get $r3
                local.get $r2
                i64.lt_u
                br_if 0 ;; -> $loop2
                br 2 ;; -> $to3
              end
            end
          end
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
