// The pass option is validated.
// RUN: not sluice-opt %s --sluice-decompose-moe=block=0 2>&1 | FileCheck %s
// CHECK: error: sluice-decompose-moe: block must be >= 1, got 0
module {
}
