"""Live plots of a training run (pyqtgraph), each a dockable panel fed by a RunData model and
redrawn on a shared timer: loss, gates, hidden state, gradient through time, predictions."""
