r"""A small C kernel for one presentation of the Diehl & Cook network (optional, compiled on first use).

Python costs about ten microseconds per tensor operation, and one 350 ms presentation at
``dt = 0.5 ms`` has 700 steps of a dozen operations each: about 0.1 s an image, 2 hours for the
60,000 training images. The kernel runs the same steps in C (one call per image, about a
millisecond): input spikes arrive as an event list (``idx[off[t]:off[t+1]]`` are the inputs that
spike at step ``t``), so each step touches only the rows of the inputs that spiked.

It follows :func:`snnlib.plasticity.network.present_reference` operation for operation (the
PyTorch version, used when no C compiler is found and by the tests to check this file); the two
agree to float rounding. ``SNNLIB_CPU_KERNEL=0`` switches it off; the library is cached in
``$SNNLIB_CACHE`` (default ``~/.cache/snnlib``) and renamed into place only when complete.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path
from typing import Optional

from .. import _env

_SOURCE = r"""
#include <stdlib.h>

/* p: see PARAM_ORDER in network.py. Returns the number of excitatory spikes, or -1 (out of memory). */
int dc_present(int n_in, int n, int T, const int *off, const int *idx, float *w, float *theta,
               int *counts, const double *p, int learn, int adapt, const float *pre_table)
{
    const float dt_tau_e = (float)p[0], v_rest_e = (float)p[1], v_reset_e = (float)p[2], v_thr_e = (float)p[3];
    const int ref_e = (int)p[4];
    const float dt_tau_i = (float)p[5], v_rest_i = (float)p[6], v_reset_i = (float)p[7], v_thr_i = (float)p[8];
    const int ref_i = (int)p[9];
    const float e_exc = (float)p[10], e_inh = (float)p[11], d_ge = (float)p[12], d_gi = (float)p[13];
    const float w_ei = (float)p[14], w_ie = (float)p[15], nu_pre = (float)p[16], nu_post = (float)p[17];
    const float d_post = (float)p[18], w_max = (float)p[19], theta_plus = (float)p[20];
    const float norm_total = (float)p[21];
    float *buf = (float *)calloc((size_t)7 * n, sizeof(float));
    int *ibuf = (int *)calloc((size_t)2 * n + n_in, sizeof(int));
    if (!buf || !ibuf) { free(buf); free(ibuf); return -1; }
    float *v = buf, *ge = buf + n, *gi = buf + 2 * n, *vi = buf + 3 * n, *gei = buf + 4 * n;
    float *xpost = buf + 5 * n, *colsum = buf + 6 * n;
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
        for (int j = 0; j < n; j++) { ge[j] *= d_ge; gi[j] *= d_gi; gei[j] *= d_ge; xpost[j] *= d_post; }
        for (int e = off[t]; e < off[t + 1]; e++) {
            const int i = idx[e];
            float *wi = w + (size_t)i * n;
            for (int j = 0; j < n; j++) ge[j] += wi[j];
            if (learn) {
                tlast[i] = t;
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
                    xpost[j] = 1.0f;
                    for (int i = 0; i < n_in; i++) if (tlast[i] >= 0) {
                        float *wij = w + (size_t)i * n + j;
                        float x = *wij + nu_post * pre_table[t - tlast[i]];
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


def _cache_dir() -> Path:
    return _env.path("SNNLIB_CACHE") or Path.home() / ".cache" / "snnlib"


def _build(out: Path) -> None:
    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None:
        raise RuntimeError("no C compiler (gcc or cc) on the PATH")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
        src = Path(tmp) / "diehl_cook.c"
        src.write_text(_SOURCE)
        tmp_out = Path(tmp) / out.name
        res = subprocess.run([cc, *_FLAGS, str(src), "-o", str(tmp_out)], capture_output=True, text=True)
        if res.returncode != 0:
            raise RuntimeError(f"{cc} failed: {res.stderr.strip()[-400:]}")
        os.replace(tmp_out, out)


def _machine() -> str:
    """The machine and its instruction sets (the library is built with ``-march=native``)."""
    try:
        flags = next((line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("flags")), "")
    except OSError:
        flags = ""
    return os.uname().machine + flags


def library() -> Optional[ctypes.CDLL]:
    """The compiled kernel (built once, then cached), or ``None`` when it is off or cannot be built."""
    if not _env.flag("SNNLIB_CPU_KERNEL", True):
        return None
    if _state["tried"]:
        return _state["lib"]
    _state["tried"] = True
    key = hashlib.sha256((_SOURCE + " ".join(_FLAGS) + _machine()).encode()).hexdigest()[:16]
    path = _cache_dir() / f"diehl_cook_{key}.so"
    try:
        if not path.exists():
            _build(path)
        lib = ctypes.CDLL(str(path))
        ptr, i32 = ctypes.c_void_p, ctypes.c_int
        lib.dc_present.argtypes = [i32, i32, i32, ptr, ptr, ptr, ptr, ptr, ptr, i32, i32, ptr]
        lib.dc_present.restype = i32
        _state["lib"] = lib
    except Exception as err:  # no compiler, a failed build: the PyTorch reference runs instead
        warnings.warn(
            f"snnlib.plasticity: the C kernel is unavailable ({type(err).__name__}: {err}); "
            "using the PyTorch reference (same results, about 100 times slower)",
            stacklevel=3,
        )
    return _state["lib"]
