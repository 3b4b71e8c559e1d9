// The per-element optimizer rules, each written once, for the plain loops (optimizers.c, the
// gradient loaded from memory) and the fused outer-product updates (CDescentCompiled's
// fused_update.c, the gradient formed in a register as u[i]·x[j]). A private header of
// CDescentKernels, outside include/ so that it is no part of the module Swift imports.
//
// A rule is a macro over the operations it is given, so one definition serves every element type
// and width: LD(ptr) / ST(ptr, value) load and store a value (one scalar, or a vector of lanes,
// masked or not) at a pointer, MUL/ADD/SUB/DIV(a, b) and SQRT(a) are the matching arithmetic
// (the S_* scalar operations below, or a vector instruction set's intrinsics). G is the
// element's gradient (an expression, evaluated once); P, B, M, V point at the element(s) of the
// parameter and of the state; the other arguments are the rule's constants, in the type of the
// values (broadcast to a vector for vector operations). With `rate` the negative learning rate:
//   DESCENT_SGD                 p = p + rate·g                           (no state)
//   DESCENT_SGD_FIRST           b = g;  p = p + rate·b                   (momentum, first step)
//   DESCENT_SGD_MOMENTUM        b = b·μ + (1 − τ)·g;  p = p + rate·b      (momentum, later steps)
//   DESCENT_ADAM                m = m + w1·(g − m);  v = v·β₂ + (w2·g)·g;
//                               p = p + (step·m) / (√v / root + ε)
// with w1 = 1 − β₁, w2 = 1 − β₂, step = −η / (1 − β₁ᵗ), root = √(1 − β₂ᵗ).
//
// The contract: each result is the operations written here, in this order, one IEEE operation
// each, separate multiplies and adds (every file that uses these has `#pragma STDC FP_CONTRACT
// OFF`, so no FMA contraction). That is what DescentOptim's general Swift loops compute
// (SGDRule, AdamRule: Swift never contracts), and it makes the plain loop, the fused update
// (gradient never stored) and every vector width give bit-identical parameters and state.
// Changing an operation here changes all of them at once; the tests that compare them with the
// general Swift loop (VectorisedLoopTests, OuterProductUpdateTests) then fail.
//
// PyTorch's equivalents are the single-tensor paths of torch.optim.SGD (`buf.mul_(momentum)
// .add_(grad, alpha=1 - dampening)`, first step `buf = grad.clone()`, then
// `param.add_(buf, alpha=-lr)`) and torch.optim.Adam with weight_decay = 0, amsgrad and maximize
// off (`exp_avg.lerp_(grad, 1 - beta1)`, ATen's lerp being `m + w·(g − m)` for |w| < 0.5;
// `exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)`; `denom = (exp_avg_sq.sqrt() /
// bias_correction2_sqrt).add_(eps)`; `param.addcdiv_(exp_avg, denom, value=-step_size)`).
#ifndef DESCENT_UPDATE_RULES_H
#define DESCENT_UPDATE_RULES_H

#define DESCENT_SGD(LD, ST, MUL, ADD, G, P, RATE)                                                  \
    { ST((P), ADD(LD(P), MUL((RATE), (G)))); }

#define DESCENT_SGD_FIRST(LD, ST, MUL, ADD, G, P, B, RATE)                                         \
    { __typeof__(RATE) g_ = (G);                                                                   \
      ST((B), g_);                                                                                 \
      ST((P), ADD(LD(P), MUL((RATE), g_))); }

#define DESCENT_SGD_MOMENTUM(LD, ST, MUL, ADD, G, P, B, RATE, MOMENTUM, ONE_MINUS_DAMPENING)        \
    { __typeof__(RATE) g_ = (G);                                                                   \
      __typeof__(RATE) s_ = ADD(MUL(LD(B), (MOMENTUM)), MUL((ONE_MINUS_DAMPENING), g_));           \
      ST((B), s_);                                                                                 \
      ST((P), ADD(LD(P), MUL((RATE), s_))); }

#define DESCENT_ADAM(LD, ST, MUL, ADD, SUB, DIV, SQRT, G, P, M, V, W1, BETA2, W2, STEP, ROOT, EPSILON) \
    { __typeof__(W1) g_ = (G);                                                                     \
      __typeof__(W1) m0_ = LD(M);                                                                  \
      __typeof__(W1) m_ = ADD(m0_, MUL((W1), SUB(g_, m0_)));                                       \
      __typeof__(W1) v_ = ADD(MUL(LD(V), (BETA2)), MUL(MUL((W2), g_), g_));                        \
      ST((M), m_);                                                                                 \
      ST((V), v_);                                                                                 \
      __typeof__(W1) d_ = ADD(DIV(SQRT(v_), (ROOT)), (EPSILON));                                   \
      ST((P), ADD(LD(P), DIV(MUL((STEP), m_), d_))); }

// Scalar operations (the portable paths and the tails of the vector paths).
#define S_LD(ptr) (*(ptr))
#define S_ST(ptr, value) (*(ptr) = (value))
#define S_MUL(a, b) ((a) * (b))
#define S_ADD(a, b) ((a) + (b))
#define S_SUB(a, b) ((a) - (b))
#define S_DIV(a, b) ((a) / (b))
#define S_SQRTF(a) __builtin_sqrtf(a)
#define S_SQRT(a) __builtin_sqrt(a)

#endif
