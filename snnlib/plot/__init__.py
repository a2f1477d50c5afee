"""Plotting, kept apart from simulation: every function takes data (tensors or arrays) and an
optional matplotlib ``ax`` (a new figure is made when it is ``None``) and returns the ``ax``.

One module per chapter, all re-exported here (``snl.plot.raster``, ``snl.plot.EXC_COLOR`` ...):

* :mod:`~snnlib.plot.palette`: the book's colours, declared once (also the kernel-free explorers');
* :mod:`~snnlib.plot.base`: ``to_numpy``, ``new_ax`` and the argument checks of plotting;
* :mod:`~snnlib.plot.datasets`: digit grids and class counts (:mod:`snnlib.data`);
* :mod:`~snnlib.plot.coding`: rasters, spike-count images and animations (spike coding);
* :mod:`~snnlib.plot.lif`: membranes, currents, charging and f-I curves (the LIF neuron);
* :mod:`~snnlib.plot.circuits`: circuit diagrams and population rasters (neural circuits);
* :mod:`~snnlib.plot.learning`: surrogates, gradient flow, loss curves (surrogate gradients);
* :mod:`~snnlib.plot.mnist`: training curves, throughput and output spikes (MNIST on the GPU).

Records are time-first (``[T, ...]``); a record of the wrong shape is a ``ValueError`` that gives
the expected shape.
"""

from __future__ import annotations

from . import base, circuits, coding, datasets, learning, lif, mnist, palette

# Each module declares its public names once, in its __all__; the package re-exports them all.
from .base import *  # noqa: F403
from .circuits import *  # noqa: F403
from .coding import *  # noqa: F403
from .datasets import *  # noqa: F403
from .learning import *  # noqa: F403
from .lif import *  # noqa: F403
from .mnist import *  # noqa: F403
from .palette import *  # noqa: F403

# In the order of the module list above; ``INPUT_COLOR`` (palette) is also in ``circuits.__all__``.
__all__ = list(
    dict.fromkeys(
        [
            *base.__all__,
            *palette.__all__,
            *datasets.__all__,
            *coding.__all__,
            *lif.__all__,
            *circuits.__all__,
            *learning.__all__,
            *mnist.__all__,
        ]
    )
)
