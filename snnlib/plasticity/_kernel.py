r"""A small C kernel for one presentation of the Diehl & Cook network (optional, compiled on first use).

Python costs about ten microseconds per tensor operation, and one 350 ms presentation at
``dt = 0.5 ms`` has 700 steps of a dozen operations each: about 0.1 s an image, 2 hours for the
60,000 training images. The kernel runs the same steps in C (one call per image, about a
millisecond): input spikes arrive as an event list (``idx[off[t]:off[t+1]]`` are the inputs that
spike at step ``t``), so each step touches only the rows of the inputs that spiked.

It follows :func:`snnlib.plasticity.network.present_reference` operation for operation (the
PyTorch version, used when no C compiler is found and by the tests to check this file); the two
agree to float rounding. ``SNNLIB_CPU_KERNEL=0`` switches it off. The library is built, cached
and verified by :mod:`snnlib.engine.build`, as the LIF engine's kernel is (a private cache folder,
a SHA-256 digest checked before loading, a self-test after, a damaged entry rebuilt).
"""

from __future__ import annotations

import ctypes
import warnings
from typing import Optional, Tuple

import torch

from .. import _checks, _env
from ..engine import build as _build

_SOURCE = r"""
#include <math.h>
#include <stdlib.h>

/* p: see PARAM_ORDER in network.py. Returns the number of excitatory spikes, -1 (out of memory) or
   -2 (an event list that is not one: off[0] != 0, off decreasing, an input index outside [0, n_in)). */
int dc_present(int n_in, int n, int T, const int *off, const int *idx, float *w, float *theta,
               int *counts, const double *p, int learn, int adapt, const float *pre_table)
{
    if (n_in < 1 || n < 1 || T < 0 || !off || !w || !theta || !counts || !p || !pre_table || off[0] != 0) return -2;
    for (int t = 0; t < T; t++) if (off[t + 1] < off[t]) return -2;
    for (int e = 0; e < off[T]; e++) if (!idx || idx[e] < 0 || idx[e] >= n_in) return -2;
    const float dt_tau_e = (float)p[0], v_rest_e = (float)p[1], v_reset_e = (float)p[2], v_thr_e = (float)p[3];
    const int ref_e = (int)p[4];
    const float dt_tau_i = (float)p[5], v_rest_i = (float)p[6], v_reset_i = (float)p[7], v_thr_i = (float)p[8];
    const int ref_i = (int)p[9];
    const float e_exc = (float)p[10], e_inh = (float)p[11], d_ge = (float)p[12], d_gi = (float)p[13];
    const float w_ei = (float)p[14], w_ie = (float)p[15], nu_pre = (float)p[16], nu_post = (float)p[17];
    const float d_post = (float)p[18], w_max = (float)p[19], theta_plus = (float)p[20];
    const float norm_total = (float)p[21];
    const int rule = (int)p[22]; /* 0 pair, 1 triplet (post2 trace), 2 offset (x_tar, soft bound mu) */
    const float d_post2 = (float)p[23], x_tar = (float)p[24], mu = (float)p[25];
    const int pre_add = (int)p[26]; /* pre trace: 1 adds 1 at a spike (all-to-all), 0 sets it to 1 */
    float *buf = (float *)calloc((size_t)8 * n + n_in, sizeof(float));
    int *ibuf = (int *)calloc((size_t)2 * n + n_in, sizeof(int));
    if (!buf || !ibuf) { free(buf); free(ibuf); return -1; }
    float *v = buf, *ge = buf + n, *gi = buf + 2 * n, *vi = buf + 3 * n, *gei = buf + 4 * n;
    float *xpost = buf + 5 * n, *colsum = buf + 6 * n, *xpost2 = buf + 7 * n, *xlast = buf + 8 * n;
    int *refr = ibuf, *refri = ibuf + n, *tlast = ibuf + 2 * n;
    int total = 0;
    for (int j = 0; j < n; j++) { v[j] = v_rest_e; vi[j] = v_rest_i; counts[j] = 0; }
    for (int i = 0; i < n_in; i++) tlast[i] = -1;
    if (learn && norm_total > 0) {
        for (int i = 0; i < n_in; i++) for (int j = 0; j < n; j++) colsum[j] += w[(size_t)i * n + j];
        for (int j = 0; j < n; j++) colsum[j] = colsum[j] > 0 ? norm_total / colsum[j] : 1.0f;
        for (int i = 0; i < n_in; i++) for (int j = 0; j < n; j++) w[(size_t)i * n + j] *= colsum[j];
    }
    for (int t = 0; t < T; t++) {
        for (int j = 0; j < n; j++) {
            ge[j] *= d_ge; gi[j] *= d_gi; gei[j] *= d_ge; xpost[j] *= d_post; xpost2[j] *= d_post2;
        }
        for (int e = off[t]; e < off[t + 1]; e++) {
            const int i = idx[e];
            float *wi = w + (size_t)i * n;
            for (int j = 0; j < n; j++) ge[j] += wi[j];
            if (learn) {
                xlast[i] = pre_add && tlast[i] >= 0 ? xlast[i] * pre_table[t - tlast[i]] + 1.0f : 1.0f;
                tlast[i] = t;
            }
            if (learn && rule != 2) {
                for (int j = 0; j < n; j++) { float x = wi[j] - nu_pre * xpost[j]; wi[j] = x < 0.0f ? 0.0f : x; }
            }
        }
        for (int j = 0; j < n; j++) {
            if (refr[j] > 0) { refr[j]--; continue; }
            float g = 1.0f + ge[j] + gi[j];
            float vinf = (v_rest_e + ge[j] * e_exc + gi[j] * e_inh) / g;
            float a = dt_tau_e * g; if (a > 1.0f) a = 1.0f;
            v[j] += a * (vinf - v[j]);
            if (v[j] > v_thr_e + theta[j]) {
                v[j] = v_reset_e; refr[j] = ref_e; counts[j]++; total++;
                gei[j] += w_ei;
                if (adapt) theta[j] += theta_plus;
                if (learn) {
                    const float f = rule == 1 ? xpost2[j] : 1.0f; /* triplet: the post2 trace before this spike */
                    xpost[j] = 1.0f; xpost2[j] = 1.0f;
                    if (rule == 2) for (int i = 0; i < n_in; i++) {
                        float *wij = w + (size_t)i * n + j;
                        const float xp = tlast[i] >= 0 ? xlast[i] * pre_table[t - tlast[i]] : 0.0f;
                        const float room = w_max - *wij;
                        float x = *wij + nu_post * (xp - x_tar) * (room > 0.0f ? powf(room, mu) : 0.0f);
                        *wij = x > w_max ? w_max : (x < 0.0f ? 0.0f : x);
                    }
                    else if (f > 0.0f) for (int i = 0; i < n_in; i++) if (tlast[i] >= 0) {
                        float *wij = w + (size_t)i * n + j;
                        float x = *wij + nu_post * f * (xlast[i] * pre_table[t - tlast[i]]);
                        *wij = x > w_max ? w_max : x;
                    }
                }
            }
        }
        float inh = 0.0f;
        for (int j = 0; j < n; j++) {
            if (refri[j] > 0) { refri[j]--; continue; }
            float g = 1.0f + gei[j];
            float vinf = (v_rest_i + gei[j] * e_exc) / g;
            float a = dt_tau_i * g; if (a > 1.0f) a = 1.0f;
            vi[j] += a * (vinf - vi[j]);
            if (vi[j] > v_thr_i) { vi[j] = v_reset_i; refri[j] = ref_i; inh += w_ie; gi[j] -= w_ie; }
        }
        if (inh > 0.0f) for (int j = 0; j < n; j++) gi[j] += inh;
    }
    free(buf); free(ibuf);
    return total;
}
"""

_FLAGS = ("-O3", "-march=native", "-shared", "-fPIC", "-ffp-contract=off", "-fno-math-errno")
_state = {"tried": False, "lib": None}


def check_events(off, idx, n_in: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """An event list ``(off [T + 1], idx [E])`` checked before any presentation reads it (C kernel or
    PyTorch): integers, ``off[0] = 0``, ``off`` non-decreasing, ``off[T] = E``, every index in
    ``[0, n_in)``. Returns contiguous int32 copies; a clear ``TypeError``/``ValueError`` otherwise."""
    _checks.tensor(off, "off", "[T + 1] (event offsets per step)", ndim=1, dtype="integer")
    _checks.tensor(idx, "idx", "[E] (input indices of the events)", ndim=1, dtype="integer", nonempty=False)
    if off.numel() < 2 or int(off[0]) != 0 or bool((off[1:] < off[:-1]).any()) or int(off[-1]) != idx.numel():
        raise ValueError(
            f"off must hold the event offsets [T + 1] (T >= 1): off[0] = 0, non-decreasing, off[T] = len(idx) = "
            f"{idx.numel()}; got {off.tolist()[:8]}{' ...' if off.numel() > 8 else ''}"
        )
    if idx.numel() and (int(idx.min()) < 0 or int(idx.max()) >= n_in):
        raise ValueError(f"idx must hold input indices in 0..{n_in - 1}, got {int(idx.min())}..{int(idx.max())}")
    return off.to(torch.int32).contiguous(), idx.to(torch.int32).contiguous()


def _self_test(lib: ctypes.CDLL) -> None:
    """Declare ``dc_present`` and run an empty presentation: it must return 0 and clear the counts."""
    ptr, i32 = ctypes.c_void_p, ctypes.c_int
    lib.dc_present.argtypes = [i32, i32, i32, ptr, ptr, ptr, ptr, ptr, ptr, i32, i32, ptr]
    lib.dc_present.restype = i32
    ints, floats = ctypes.c_int * 2, ctypes.c_float * 2
    off, idx, counts = ints(0, 0), ints(0, 0), ints(-5, -5)
    w, theta, table = floats(0.0, 0.0), floats(0.0, 0.0), floats(1.0, 1.0)
    p = (ctypes.c_double * 27)()
    p[3] = 1.0  # v_thresh_e: nothing reaches it
    total = lib.dc_present(1, 2, 1, off, idx, w, theta, counts, p, 0, 0, table)
    if total != 0 or list(counts) != [0, 0]:
        raise RuntimeError(f"an empty presentation returned {total} and counts {list(counts)}, expected 0 and [0, 0]")


def library() -> Optional[ctypes.CDLL]:
    """The compiled kernel (built once, then cached and verified), or ``None`` when it is off or cannot be built."""
    if not _env.flag("SNNLIB_CPU_KERNEL", True):
        return None
    if _state["tried"]:
        return _state["lib"]
    _state["tried"] = True
    try:
        _state["lib"] = _build.load_library("diehl_cook", _SOURCE.encode(), _FLAGS, _self_test)
    except Exception as err:  # no compiler, a failed build: the PyTorch reference runs instead
        warnings.warn(
            f"snnlib.plasticity: the C kernel is unavailable ({type(err).__name__}: {err}); "
            "using the PyTorch reference (same results, about 100 times slower)",
            stacklevel=3,
        )
    return _state["lib"]
