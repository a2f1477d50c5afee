/* The compiled CPU backend of snnlib.engine (loaded by snnlib/engine/cpu.py with ctypes).

   Multi-step LIF neurons (snnlib.neurons.lif_step's semantics, without a refractory period):

       U[0] = I[0],  U[t] = beta U[t-1] + I[t] - S[t-1] thr     (reset 0, "subtract")
                     U[t] = beta ((1 - S[t-1]) U[t-1]) + I[t]   (reset 1, "zero")
                     U[t] = beta U[t-1] + I[t]                  (reset 2, "none")
       S[t] = H(U[t] - thr)

   with the same operations in the same order as the PyTorch code (compile with -ffp-contract=off),
   so the spikes are bit-identical. The backward passes take a surrogate id and two constants c0, c1
   (computed by cpu.py from the surrogate's sharpness k):

       0 arctan            sg(u) = 1 / (c0 + c1 u^2), c0 = 2/k, c1 = (pi k / 2)^2 / (k / 2)
       1 fast_sigmoid      sg(u) = 1 / (1 + c0 |u|)^2
       2 triangle          sg(u) = c0 max(0, 1 - c0 |u|)
       3 straight_through  sg(u) = 1 if |u| <= c0 else 0   (c0 may be +inf)
       4 none              sg(u) = 0

   A current is [T, B, H] (time stride B*H) or static [B, H] (time stride 0). Every array is
   contiguous, row-major. The file instantiates itself twice (float: suffix _f, double: suffix _d).

   Every entry point is given the number of elements of each array it reads or writes and checks
   them, and every dimension, stride, row range and parameter it relies on, before touching memory:
   it returns 0 when it ran, or a negative SNN_E_* code (cpu.py turns it into a message) and
   touches nothing. */

#ifndef SNN_REAL

#include <stddef.h>

typedef float snn_vec_f __attribute__((vector_size(32)));
typedef float snn_vecu_f __attribute__((vector_size(32), aligned(4), may_alias));
typedef double snn_vec_d __attribute__((vector_size(32)));
typedef double snn_vecu_d __attribute__((vector_size(32), aligned(8), may_alias));

enum { SNN_SUBTRACT = 0, SNN_ZERO = 1, SNN_NONE = 2 };
enum { SNN_ARCTAN = 0, SNN_FAST_SIGMOID = 1, SNN_TRIANGLE = 2, SNN_STRAIGHT_THROUGH = 3, SNN_NO_SURROGATE = 4 };

/* Bumped whenever a signature changes (cpu.py checks it). */
int snn_abi_version(void) { return 3; }

/* The refusals of the entry points (cpu.py's _STATUS says them in words). */
enum {
    SNN_E_DIMS = -1,      /* a dimension T, B, N, H or C < 1 */
    SNN_E_STRIDE = -2,    /* the current's time stride is neither 0 nor one step */
    SNN_E_CUR = -3,       /* the current holds fewer elements than its shape */
    SNN_E_WEIGHT = -4,    /* the weights are not [C, H] */
    SNN_E_BIAS = -5,      /* the bias is not [C] */
    SNN_E_SCRATCH = -6,   /* a scratch buffer is too small */
    SNN_E_OUT = -7,       /* an output is too small */
    SNN_E_GRAD = -8,      /* an incoming gradient is too small */
    SNN_E_RANGE = -9,     /* the row / column range is not within [0, B] / [0, N] */
    SNN_E_RESET = -10,    /* unknown reset id */
    SNN_E_BETA = -11,     /* beta not in [0, 1] (or NaN) */
    SNN_E_THRESHOLD = -12,/* threshold not finite and > 0 */
    SNN_E_NULL = -13,     /* a required pointer is NULL */
    SNN_E_SURROGATE = -14 /* unknown surrogate id */
};

#define SNN_REQUIRE(cond, code) do { if (!(cond)) return (code); } while (0)

/* Defines the membrane update NAME(p, c, beta, thr, reset) -> u for TYPE, a REAL or a VEC (one body
   for the scalar and the vector code, the same operations in the same order). */
#define SNN_DEFINE_MEMBRANE(NAME, TYPE, SPIKE)                                     \
    static inline TYPE NAME(TYPE p, TYPE c, REAL beta, REAL thr, int reset) {     \
        TYPE sp = SPIKE;                                                          \
        TYPE u;                                                                   \
        if (reset == SNN_ZERO) {                                                  \
            u = beta * (((REAL)1 - sp) * p);                                      \
            u = u + c;                                                            \
        } else {                                                                  \
            u = p * beta;                                                         \
            u = u + c;                                                            \
            if (reset == SNN_SUBTRACT) u = u - sp * thr;                          \
        }                                                                         \
        return u;                                                                 \
    }

#define SNN_CAT_(a, b) a##_##b
#define SNN_CAT(a, b) SNN_CAT_(a, b)
#define FN(name) SNN_CAT(name, SNN_SFX)
#define REAL SNN_REAL
#define VEC SNN_CAT(snn_vec, SNN_SFX)
#define VECU SNN_CAT(snn_vecu, SNN_SFX)

#define SNN_REAL float
#define SNN_SFX f
#include __FILE__
#undef SNN_REAL
#undef SNN_SFX

#define SNN_REAL double
#define SNN_SFX d
#include __FILE__
#undef SNN_REAL
#undef SNN_SFX

#else /* ---- the body, once per REAL ---------------------------------------------------------- */

/* The membrane update of one neuron (REAL) or of a vector of neurons (VEC) from the previous
   membrane p; SPIKE is S[t-1] = H(p - thr) as 0 or 1 of that type. */
SNN_DEFINE_MEMBRANE(FN(snn_membrane), REAL, (REAL)(p > thr))
SNN_DEFINE_MEMBRANE(FN(snn_membrane_v), VEC, __builtin_convertvector(-(p > thr), VEC))

/* ds * sg(u): the surrogate's derivative times the incoming gradient dL/dS. */
static inline REAL FN(snn_sg_times)(REAL ds, REAL u, int sg, REAL c0, REAL c1) {
    REAL a = u < 0 ? -u : u;
    switch (sg) {
    case SNN_ARCTAN: return ds / (c0 + c1 * u * u);
    case SNN_FAST_SIGMOID: a = 1 + c0 * a; return ds / (a * a);
    case SNN_TRIANGLE: a = 1 - c0 * a; return a > 0 ? ds * (c0 * a) : 0 * ds;
    case SNN_STRAIGHT_THROUGH: return a <= c0 ? ds : 0 * ds;
    default: return 0 * ds;
    }
}

static inline VEC FN(snn_sg_times_v)(VEC ds, VEC u, int sg, REAL c0, REAL c1) {
    if (sg == SNN_ARCTAN) return ds / (c0 + c1 * u * u);
    VEC out;
    const long L = (long)(sizeof(VEC) / sizeof(REAL));
    for (long l = 0; l < L; l++) out[l] = FN(snn_sg_times)(ds[l], u[l], sg, c0, c1);
    return out;
}

/* The decay of G[t+1] into G[t]: beta, or beta (1 - S[t]) for the zero reset (m = U[t]). */
static inline REAL FN(snn_decay)(REAL m, REAL beta, REAL thr, int reset) {
    return reset == SNN_ZERO ? beta * (REAL)(m <= thr) : beta;
}

/* The checks every entry point shares: dimensions, parameters, the row range. */
static int FN(snn_check_common)(long T, long rows, REAL beta, REAL thr, int reset, long r0, long r1) {
    SNN_REQUIRE(T >= 1 && rows >= 1, SNN_E_DIMS);
    SNN_REQUIRE(reset >= SNN_SUBTRACT && reset <= SNN_NONE, SNN_E_RESET);
    SNN_REQUIRE(beta >= 0 && beta <= 1, SNN_E_BETA);
    SNN_REQUIRE(thr > 0 && thr - thr == 0, SNN_E_THRESHOLD);
    SNN_REQUIRE(r0 >= 0 && r0 <= r1 && r1 <= rows, SNN_E_RANGE);
    return 0;
}

int FN(snn_fwd)(const REAL* cur, long n_cur, const REAL* w2, long n_w2, const REAL* b2, long n_b2, REAL* mem,
                long n_mem, REAL* cur2, long n_cur2, REAL* counts, long n_counts, long T, long B, long H, long C,
                long cstride, REAL beta, REAL thr, int reset, long b0, long b1) {
    /* A LIF layer and the next layer's synapses: cur [T,B,H] or [B,H] (time stride cstride); w2 [C,H];
       b2 [C]; mem [B,H] scratch; cur2 [T,B,C] = b2 + W2 S[t] and counts [T,B] (out), rows b0 <= b < b1.
       Blocks of HB neurons, so that W2's block stays in the L1 cache; the spikes never reach memory. */
    long b, t, h, j, h0, HB = 128;
    int e = FN(snn_check_common)(T, B, beta, thr, reset, b0, b1);
    if (e) return e;
    SNN_REQUIRE(H >= 1 && C >= 1, SNN_E_DIMS);
    SNN_REQUIRE(cur && w2 && b2 && mem && cur2 && counts, SNN_E_NULL);
    SNN_REQUIRE(cstride == 0 || cstride == B * H, SNN_E_STRIDE);
    SNN_REQUIRE(n_cur >= (cstride ? T * B * H : B * H), SNN_E_CUR);
    SNN_REQUIRE(n_w2 == C * H, SNN_E_WEIGHT);
    SNN_REQUIRE(n_b2 == C, SNN_E_BIAS);
    SNN_REQUIRE(n_mem >= B * H, SNN_E_SCRATCH);
    SNN_REQUIRE(n_cur2 >= T * B * C && n_counts >= T * B, SNN_E_OUT);
    for (b = b0; b < b1; b++) {
        REAL* m = mem + b * H;
        for (t = 0; t < T; t++) {
            for (j = 0; j < C; j++) cur2[(t * B + b) * C + j] = b2[j];
            counts[t * B + b] = 0;
        }
        for (h0 = 0; h0 < H; h0 += HB) {
            long h1 = h0 + HB < H ? h0 + HB : H;
            for (t = 0; t < T; t++) {
                const REAL* c = cur + t * cstride + b * H;
                REAL* o = cur2 + (t * B + b) * C;
                long n = 0;
                h = h0;
                if (C == 10) {  /* the chapter's network: explicit SIMD (GCC vector extensions) */
                    const long L = (long)(sizeof(VEC) / sizeof(REAL));
                    VEC acc[10], cnt = {0};
                    for (j = 0; j < 10; j++) acc[j] = (VEC){0};
                    for (; h + L <= h1; h += L) {
                        VEC u = *(const VECU*)(c + h);
                        if (t > 0) u = FN(snn_membrane_v)(*(const VECU*)(m + h), u, beta, thr, reset);
                        *(VECU*)(m + h) = u;
                        VEC sv = __builtin_convertvector(-(u > thr), VEC);
                        for (j = 0; j < 10; j++) acc[j] += sv * *(const VECU*)(w2 + j * H + h);
                        cnt += sv;
                    }
                    for (j = 0; j < 10; j++) {
                        REAL a = 0;
                        for (long l = 0; l < L; l++) a += acc[j][l];
                        o[j] += a;
                    }
                    for (long l = 0; l < L; l++) n += (long)cnt[l];
                }
                for (; h < h1; h++) {
                    REAL u = t == 0 ? c[h] : FN(snn_membrane)(m[h], c[h], beta, thr, reset);
                    m[h] = u;
                    if (u > thr) {
                        n++;
                        for (j = 0; j < C; j++) o[j] += w2[j * H + h];
                    }
                }
                counts[t * B + b] += (REAL)n;
            }
        }
    }
    return 0;
}

int FN(snn_bwd)(const REAL* cur, long n_cur, const REAL* g2, long n_g2, const REAL* w2, long n_w2, REAL* gcur,
                long n_gcur, REAL* gw2, long n_gw2, REAL* work, long n_work, long T, long B, long H, long C,
                long cstride, REAL beta, REAL thr, int reset, int sg, REAL c0, REAL c1, long b0, long b1) {
    /* Backward pass of snn_fwd: cur as there; g2 = dL/dcur2 [T,B,C]; w2 [C,H]; gcur = dL/dcur (out, rows
       b0..b1): [B,H] summed over time when cstride is 0, else [T,B,H]; gw2 [C,H] += dL/dW2;
       work [(T+1)*H] scratch. Recomputes the row's membranes from cur, then runs the reverse recurrence
       G[t] = (dL/dcur2[t] W2) sg(U[t] - thr) + decay[t] G[t+1]. */
    int e = FN(snn_check_common)(T, B, beta, thr, reset, b0, b1);
    if (e) return e;
    SNN_REQUIRE(H >= 1 && C >= 1, SNN_E_DIMS);
    SNN_REQUIRE(cur && g2 && w2 && gcur && gw2 && work, SNN_E_NULL);
    SNN_REQUIRE(sg >= SNN_ARCTAN && sg <= SNN_NO_SURROGATE, SNN_E_SURROGATE);
    SNN_REQUIRE(cstride == 0 || cstride == B * H, SNN_E_STRIDE);
    SNN_REQUIRE(n_cur >= (cstride ? T * B * H : B * H), SNN_E_CUR);
    SNN_REQUIRE(n_g2 >= T * B * C, SNN_E_GRAD);
    SNN_REQUIRE(n_w2 == C * H, SNN_E_WEIGHT);
    SNN_REQUIRE(n_gcur >= (cstride ? T * B * H : B * H) && n_gw2 >= C * H, SNN_E_OUT);
    SNN_REQUIRE(n_work >= (T + 1) * H, SNN_E_SCRATCH);
    REAL* mrec = work;
    REAL* G = mrec + T * H;
    long b, t, h, j;
    const int acc = cstride == 0;
    for (b = b0; b < b1; b++) {
        for (h = 0; h < H; h++) mrec[h] = cur[b * H + h];
        for (t = 1; t < T; t++) {
            const REAL* c = cur + t * cstride + b * H;
            const REAL* p = mrec + (t - 1) * H;
            REAL* m = mrec + t * H;
            for (h = 0; h < H; h++) m[h] = FN(snn_membrane)(p[h], c[h], beta, thr, reset);
        }
        long h0, HB = 128;
        for (h0 = 0; h0 < H; h0 += HB) {
            long h1 = h0 + HB < H ? h0 + HB : H;
            for (t = T - 1; t >= 0; t--) {
                const REAL* gr = g2 + (t * B + b) * C;
                const REAL* m = mrec + t * H;
                REAL* gc = gcur + (acc ? 0 : t * cstride) + b * H;
                const int first = acc ? t == T - 1 : 1;  /* write (1) or accumulate (0) into gc */
                h = h0;
                if (C == 10) {  /* the chapter's network: explicit SIMD (GCC vector extensions) */
                    REAL gl[10];
                    for (j = 0; j < 10; j++) gl[j] = gr[j];
                    const long L = (long)(sizeof(VEC) / sizeof(REAL));
                    for (; h + L <= h1; h += L) {
                        VEC ds = gl[0] * *(const VECU*)(w2 + h);
                        for (j = 1; j < 10; j++) ds += gl[j] * *(const VECU*)(w2 + j * H + h);
                        VEC mv = *(const VECU*)(m + h);
                        VEC g = FN(snn_sg_times_v)(ds, mv - thr, sg, c0, c1);
                        VEC sv = __builtin_convertvector(-(mv > thr), VEC);
                        if (t < T - 1) {
                            if (reset == SNN_ZERO) g += (beta * ((REAL)1 - sv)) * *(VECU*)(G + h);
                            else g += beta * *(VECU*)(G + h);
                        }
                        *(VECU*)(G + h) = g;
                        if (first) *(VECU*)(gc + h) = g; else *(VECU*)(gc + h) += g;
                        for (j = 0; j < 10; j++) *(VECU*)(gw2 + j * H + h) += gl[j] * sv;
                    }
                }
                for (; h < h1; h++) {
                    REAL ds = 0;
                    for (j = 0; j < C; j++) ds += gr[j] * w2[j * H + h];
                    REAL g = FN(snn_sg_times)(ds, m[h] - thr, sg, c0, c1);
                    if (t < T - 1) g += FN(snn_decay)(m[h], beta, thr, reset) * G[h];
                    G[h] = g;
                    gc[h] = first ? g : gc[h] + g;
                    REAL sv = (REAL)(m[h] > thr);
                    for (j = 0; j < C; j++) gw2[j * H + h] += gr[j] * sv;
                }
            }
        }
    }
    return 0;
}

int FN(snn_lif_fwd)(const REAL* cur, long n_cur, REAL* spk, long n_spk, REAL* mem, long n_mem, long T, long N,
                    long cstride, REAL beta, REAL thr, int reset, long n0, long n1) {
    /* A LIF layer: cur [T,N] (cstride N) or [N] (cstride 0); spk, mem [T,N] (out), columns n0 <= i < n1. */
    long t, i;
    int e = FN(snn_check_common)(T, N, beta, thr, reset, n0, n1);
    if (e) return e;
    SNN_REQUIRE(cur && spk && mem, SNN_E_NULL);
    SNN_REQUIRE(cstride == 0 || cstride == N, SNN_E_STRIDE);
    SNN_REQUIRE(n_cur >= (cstride ? T * N : N), SNN_E_CUR);
    SNN_REQUIRE(n_spk >= T * N && n_mem >= T * N, SNN_E_OUT);
    for (i = n0; i < n1; i++) { mem[i] = cur[i]; spk[i] = (REAL)(cur[i] > thr); }
    for (t = 1; t < T; t++) {
        const REAL* p = mem + (t - 1) * N;
        const REAL* c = cur + t * cstride;
        REAL* m = mem + t * N;
        REAL* s = spk + t * N;
        for (i = n0; i < n1; i++) {
            REAL u = FN(snn_membrane)(p[i], c[i], beta, thr, reset);
            m[i] = u;
            s[i] = (REAL)(u > thr);
        }
    }
    return 0;
}

int FN(snn_lif_bwd)(const REAL* mem, long n_mem, const REAL* gspk, long n_gspk, const REAL* gmem, long n_gmem,
                    REAL* gcur, long n_gcur, long T, long N, REAL beta, REAL thr, int reset, int sg, REAL c0, REAL c1,
                    long n0, long n1) {
    /* gcur[t] = gspk[t] sg(mem[t] - thr) + gmem[t] + decay[t] gcur[t+1], all [T,N]; gspk or gmem may be NULL. */
    long t, i;
    int e = FN(snn_check_common)(T, N, beta, thr, reset, n0, n1);
    if (e) return e;
    SNN_REQUIRE(mem && gcur, SNN_E_NULL);
    SNN_REQUIRE(sg >= SNN_ARCTAN && sg <= SNN_NO_SURROGATE, SNN_E_SURROGATE);
    SNN_REQUIRE(n_mem >= T * N, SNN_E_CUR);
    SNN_REQUIRE((!gspk || n_gspk >= T * N) && (!gmem || n_gmem >= T * N), SNN_E_GRAD);
    SNN_REQUIRE(n_gcur >= T * N, SNN_E_OUT);
    for (t = T - 1; t >= 0; t--) {
        const REAL* m = mem + t * N;
        REAL* g = gcur + t * N;
        for (i = n0; i < n1; i++) {
            REAL v = 0;
            if (gspk) v = FN(snn_sg_times)(gspk[t * N + i], m[i] - thr, sg, c0, c1);
            if (gmem) v = v + gmem[t * N + i];
            if (t < T - 1) v = v + FN(snn_decay)(m[i], beta, thr, reset) * g[N + i];
            g[i] = v;
        }
    }
    return 0;
}

#endif
