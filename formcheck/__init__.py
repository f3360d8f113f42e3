"""formcheck: watch a crescent lunge or glute bridge through one camera and coach the form."""

__version__ = "0.1.0"
