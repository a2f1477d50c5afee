"""Learning with surrogate gradients: the chapter's small experiments (layer 3: experiments).

The notebook, the book page and the tests all call this code:

* :mod:`snnlib.learning.bptt`: how much gradient one LIF layer passes back with each surrogate
  (:func:`gradient_flow`), and the two-step example of backpropagation through time, by autograd
  and by hand (:func:`two_step_forward`, :func:`two_step_gradient`,
  :func:`two_step_gradient_by_hand`);
* :mod:`snnlib.learning.spike_times`: one neuron trained to fire at target times
  (:func:`train_spike_times`, the van Rossum loss :func:`van_rossum_loss`);
* :mod:`snnlib.learning.toy`: a small network trained on a 2-D toy set (:func:`toy_dataset`,
  :class:`ToySNN`, :func:`spike_loss`, the readout :func:`predict_class`, :func:`train_toy`);
* :mod:`snnlib.learning.study`: the same training over several seeds per surrogate
  (:func:`seed_study`), and with the surrogate scaled by a constant under Adam and SGD
  (:func:`scaled_surrogate`, :func:`scale_study`).

The surrogates themselves are in :mod:`snnlib.surrogate`, the neurons in :mod:`snnlib.neurons`;
every experiment takes its surrogate as ``surrogate=`` (a name or a
:class:`~snnlib.surrogate.Surrogate`) and its number of time steps as ``num_steps=``. Every
public name is re-exported here (``snl.learning.train_toy``).
"""

from __future__ import annotations

from . import bptt, spike_times, study, toy
from .bptt import *  # noqa: F403 (re-exports bptt.__all__)
from .spike_times import *  # noqa: F403 (re-exports spike_times.__all__)
from .study import *  # noqa: F403 (re-exports study.__all__)
from .toy import *  # noqa: F403 (re-exports toy.__all__)

#: Every public name of the four modules.
__all__ = [*bptt.__all__, *spike_times.__all__, *toy.__all__, *study.__all__]
