"""Long work off the GUI thread, one worker per kind of job: forward passes and device detection (forward.py),
the race, its data and its weights (race.py), gradient flow (gradients.py), loss landscapes (landscape.py),
checkpoints and block code (files.py), each run on a QThread of its own by WorkerThread (thread.py). The only ui
modules that reach the engine.

The engine (and with it torch) is imported inside the workers' run methods, on the worker thread, so the window
is on screen long before torch has loaded. Results come back through Qt signals as the plain data of
resnet_studio.results: numpy arrays and numbers, never a torch object.
"""
