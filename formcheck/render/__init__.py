"""Synthetic mannequin clips with exact ground truth, for end-to-end tests and evaluation.

``formcheck render`` drives :func:`formcheck.render.clip.render_clip`; evaluation code reads the
truth with :func:`formcheck.render.truth.load_truth`. Modules, in the order data flows:
``body`` (proportions, joint parameters, forward kinematics) -> ``poser`` (lunge/bridge postures
and faults) and ``motion`` (timing) -> ``mannequin`` (shapes and landmarks) -> ``camera``,
``scene``, ``raster`` (ray casting) -> ``truth_angles`` and ``truth`` (what was rendered).
"""
