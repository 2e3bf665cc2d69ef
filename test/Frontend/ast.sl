# --emit=ast dumps the syntax tree: one node per line with its location,
# expressions in source form, the calls inside an expression as a tree.
# RUN: sluicec compile %s --emit=ast -o - | FileCheck %s --match-full-lines --strict-whitespace

model ast_demo(d = 8, h = d * 2)   // a parameter may use earlier ones

weight w: f32[d, h]

func f {
  input x: f32[T, d]
  input ids: i32[T, 1] range(-1, 4)
  y, _ = topk(matmul(x, w) * 2 + -1, k = 2)
  z = (y - 1) / (2 - y);  output y: f32[T, 2], z
}

# CHECK:Model ast_demo @5:7
# CHECK-NEXT:  Param d = 8 @5:16
# CHECK-NEXT:  Param h = d * 2 @5:23
# CHECK-NEXT:  Weight w: f32[d, h] @7:1
# CHECK-NEXT:  Func f @9:6
# CHECK-NEXT:    Input x: f32[T, d] @10:3
# CHECK-NEXT:    Input ids: i32[T, 1] range(-1, 4) @11:3
# CHECK-NEXT:    Assign y, _ = topk(matmul(x, w) * 2 + -1, k = 2) @12:3
# CHECK-NEXT:      Call topk @12:10
# CHECK-NEXT:        Arg matmul(x, w) * 2 + -1
# CHECK-NEXT:          Call matmul @12:15
# CHECK-NEXT:            Arg x
# CHECK-NEXT:            Arg w
# CHECK-NEXT:        Arg k = 2
# CHECK-NEXT:    Assign z = (y - 1) / (2 - y) @13:3
# CHECK-NEXT:    Output y: f32[T, 2], z @13:27
