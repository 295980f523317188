"""Forward runs from the app: what to run (request), what came back (plain numpy results), the controller that
runs them off the GUI thread, the run toolbar and the progress shown in the status bar."""
